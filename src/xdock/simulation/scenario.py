"""Scenario files: what a simulated day is made of, and how a seed turns one into a :class:`~.model.Day`.

A scenario is a YAML file (the shipped ones are in ``xdock/simulation/scenarios/``; ``docs/simulation.md``
has the table of every field)::

    name: normal-day
    start: "2026-11-23 00:00"            # local time of the site
    horizon_hours: 24
    generated_site: {id: hub-100, inbound_doors: 40, outbound_doors: 60, destinations: [...]}
    forklifts: {count: 30, speed_m_per_s: 2.0, handle_s: 15}
    inbound:
      generate:
        interarrival_min: {uniform: [1.25, 3.25]}
        pallets_per_truck: {uniform_int: [17, 33]}
        due_min: {uniform: [180, 1440]}
    outbound:
      generate: {capacity: 33, dwell_min: {uniform: [45, 120]}, rolling: {cover: 1.25}}
    disturbances:
      - {kind: central_unreachable, start_min: 600, end_min: 630}

The site is a site file (``site_file``, relative to the scenario), an inline site (``site``) or a generated
one (``generated_site``). Trucks and trailers are generated, listed, or both. ``extends: NAME`` starts from
another scenario (a shipped name or a path) and overrides what this one sets (mappings merge, lists replace).

Distributions are one-key mappings: ``{constant: 26}`` (or a bare number), ``{exponential: MEAN}``,
``{uniform: [LOW, HIGH]}``, ``{uniform_int: [LOW, HIGH]}`` (whole numbers, both ends included),
``{triangular: [LOW, MODE, HIGH]}``. Every value a distribution gives is a duration or a count, so none is
negative.

A bad file is refused with :class:`ScenarioError`, naming the file, the field path and the bad value
(``normal.yaml: inbound.generate.interarrival_min: unknown distribution 'weibull' (known: constant,
exponential, triangular, uniform, uniform_int)``).

Drawing (:meth:`Scenario.draw`) is deterministic: the seed feeds three independent streams (numpy PCG64), one
for the inbound trucks, one for the outbound trailers, one for the disturbances, so that two policies, or a
scenario and a variant of it that only adds disturbances, see the same trucks (common random numbers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from xdock.central.site_file.config import AreaConfig, Destination, Door, SiteConfig, SiteConfigError, load_site
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.identifiers import Id, PostalCode, Sscc
from xdock.protocol.messages import ShipToModel
from xdock.protocol.routing import match_destination
from xdock.simulation.model import (
    Co2Factors,
    Day,
    Disturbance,
    Fleet,
    InboundTruck,
    OutboundTrailer,
    PalletPlan,
    Temp,
)

__all__ = [
    "DEFAULT_KG_CO2E_PER_FORKLIFT_KM",
    "DEFAULT_KG_CO2E_PER_TRAILER_DEPARTURE",
    "Distribution",
    "Scenario",
    "ScenarioError",
    "day_as_scenario",
    "load_scenario",
    "parse_scenario",
    "shipped_scenarios",
]

DEFAULT_KG_CO2E_PER_FORKLIFT_KM = 0.062
"""An electric counterbalance forklift (2.5 t class), per km driven: about 1.2 kWh per km (our estimate: such
trucks draw some 4-5 kWh per hour of the VDI 2198 test cycle, which drives about 4 km an hour with its lifts)
times about 0.052 kg CO2e per kWh (the average French grid mix, ADEME Base Empreinte order of magnitude).
An estimate to replace with the site's own meter and grid factor (``co2.kg_per_forklift_km``)."""
DEFAULT_KG_CO2E_PER_TRAILER_DEPARTURE = 3.1
"""What a trailer's call at the site burns there: about 1 litre of diesel (15-20 minutes of manoeuvring and
idling at 2.5-3 L/h) times 3.1 kg CO2e per litre (UK DESNZ/DEFRA 2023 conversion factors, diesel with its
average biofuel blend: 2.51 kg tank-to-wheel plus about 0.6 kg well-to-tank). The trip itself is the
carrier's and not counted (``co2.kg_per_trailer_departure``)."""

_STREAM_INBOUND, _STREAM_OUTBOUND, _STREAM_DISTURBANCES = 1, 2, 3
_MAX_EXTENDS = 8
_SCENARIOS = "scenarios"


class ScenarioError(ValueError):
    """The scenario cannot be used; the message names the file, the field and the bad value."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

_ARITY: Mapping[str, int] = {"constant": 1, "exponential": 1, "triangular": 3, "uniform": 2, "uniform_int": 2}
_SHAPE: Mapping[str, str] = {
    "constant": "VALUE", "exponential": "MEAN", "triangular": "[LOW, MODE, HIGH]", "uniform": "[LOW, HIGH]",
    "uniform_int": "[LOW, HIGH]",
}


class Distribution(_Strict):
    """A non-negative random quantity: written ``{uniform: [60, 1440]}``, ``{triangular: [7, 10, 13]}``,
    ``{exponential: 2.5}`` (the mean), ``{uniform_int: [17, 33]}``, ``{constant: 26}`` or a bare number."""

    kind: Literal["constant", "exponential", "triangular", "uniform", "uniform_int"]
    args: tuple[float, ...]

    @model_validator(mode="before")
    @classmethod
    def _compact(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(  # noqa: TRY004  (pydantic reports ValueError with the field's path)
                f"expected a distribution such as {{uniform: [60, 1440]}} or a number, got {value!r}")
        if isinstance(value, int | float):
            return {"kind": "constant", "args": (float(value),)}
        if isinstance(value, Mapping) and set(value) == {"kind", "args"}:
            value = {value["kind"]: list(value["args"])}
        if not isinstance(value, Mapping) or len(value) != 1:
            raise ValueError(
                f"expected a distribution such as {{uniform: [60, 1440]}} or a number, got {value!r}")
        [(name, raw)] = value.items()
        if name not in _ARITY:
            raise ValueError(f"unknown distribution {name!r} (known: {', '.join(sorted(_ARITY))})")
        args = list(raw) if isinstance(raw, list | tuple) else [raw]
        if len(args) != _ARITY[name] or not all(
            isinstance(a, int | float) and not isinstance(a, bool) and math.isfinite(a) for a in args
        ):
            raise ValueError(f"{name} takes {_SHAPE[name]} (finite numbers), got {raw!r}")
        numbers = tuple(float(a) for a in args)
        if min(numbers) < 0:
            raise ValueError(f"{name} {raw!r}: a duration or count cannot be negative")
        if name == "exponential" and numbers[0] <= 0:
            raise ValueError(f"exponential {raw!r}: the mean must be above 0")
        if list(numbers) != sorted(numbers):
            raise ValueError(f"{name} {raw!r}: expected {_SHAPE[name]} in increasing order")
        if name == "uniform_int" and not all(n.is_integer() for n in numbers):
            raise ValueError(f"uniform_int {raw!r}: expected whole numbers")
        return {"kind": name, "args": numbers}

    @property
    def mean(self) -> float:
        return sum(self.args) / len(self.args)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray[Any, np.dtype[np.float64]]:
        """``n`` draws from ``rng``."""
        a = self.args
        if self.kind == "constant" or a[0] == a[-1]:
            return np.full(n, a[0])
        if self.kind == "exponential":
            return rng.exponential(a[0], n)
        if self.kind == "uniform":
            return rng.uniform(a[0], a[1], n)
        if self.kind == "uniform_int":
            return rng.integers(int(a[0]), int(a[1]) + 1, n).astype(np.float64)
        return rng.triangular(a[0], a[1], a[2], n)

    def __str__(self) -> str:
        shown = ", ".join(f"{x:g}" for x in self.args)
        return f"{self.kind}({shown})"


class Forklifts(_Strict):
    count: Annotated[int, Field(ge=1, le=2000)] = 15
    speed_m_per_s: Annotated[float, Field(gt=0, le=10)] = 2.0
    """Average travel speed, loaded and empty (about 7 km/h: a counterbalance truck inside a building)."""
    handle_s: Annotated[float, Field(ge=0, le=600)] = 15.0
    """Seconds to pick up, and again to put down, one pallet."""


class Co2(_Strict):
    kg_per_forklift_km: Annotated[float, Field(ge=0, le=100)] = DEFAULT_KG_CO2E_PER_FORKLIFT_KM
    kg_per_trailer_departure: Annotated[float, Field(ge=0, le=10_000)] = DEFAULT_KG_CO2E_PER_TRAILER_DEPARTURE


class Staging(_Strict):
    """How many staging areas of each temperature a generated site has (along the middle of the floor)."""

    ambient: Annotated[int, Field(ge=0, le=100)] = 4
    chilled: Annotated[int, Field(ge=0, le=100)] = 1
    frozen: Annotated[int, Field(ge=0, le=100)] = 0


class GeneratedSite(_Strict):
    """An I-shaped cross-dock: inbound doors along the north wall (``y = 0``), outbound doors along the south
    wall (``y = depth_m``), both rows centred, door ``D1`` first; staging areas spread along the middle."""

    id: Id = "hub"
    timezone: str = "UTC"
    inbound_doors: Annotated[int, Field(ge=1, le=500)]
    outbound_doors: Annotated[int, Field(ge=1, le=500)]
    door_spacing_m: Annotated[float, Field(gt=0, le=100)] = 4.0
    depth_m: Annotated[float, Field(gt=0, le=1000)] = 40.0
    """The distance between the inbound and the outbound wall."""
    destinations: Annotated[list[Destination], Field(min_length=1)]
    staging: Staging = Field(default_factory=Staging)
    handling_minutes: Annotated[float, Field(ge=0, le=240)] = 15.0

    def build(self) -> SiteConfig:
        width = max(self.inbound_doors, self.outbound_doors) * self.door_spacing_m

        def row(count: int) -> list[float]:
            left = (width - count * self.door_spacing_m) / 2 + self.door_spacing_m / 2
            return [round(left + i * self.door_spacing_m, 2) for i in range(count)]

        doors = [Door(id=f"D{i + 1}", role="inbound", x=x, y=0.0) for i, x in enumerate(row(self.inbound_doors))]
        doors += [
            Door(id=f"D{self.inbound_doors + i + 1}", role="outbound", x=x, y=self.depth_m)
            for i, x in enumerate(row(self.outbound_doors))
        ]
        kinds: list[Temp] = []
        kinds += ["ambient"] * self.staging.ambient
        kinds += ["chilled"] * self.staging.chilled
        kinds += ["frozen"] * self.staging.frozen
        areas = [
            AreaConfig(id=f"S{i + 1}", kind="staging", x=round((i + 0.5) * width / len(kinds), 2),
                       y=self.depth_m / 2, temp=temp)
            for i, temp in enumerate(kinds)
        ]
        return SiteConfig(site=self.id, timezone=self.timezone, handling_minutes=self.handling_minutes,
                          doors=doors, areas=areas, destinations=list(self.destinations))


class PalletItem(_Strict):
    """A listed pallet. Without ``sscc`` one is made; without ``postal_code`` one of its destination's is drawn."""

    destination: Id
    due_min: NonNegative
    """When it must have left on a trailer, minutes from the start."""
    sscc: Sscc | None = None
    postal_code: PostalCode | None = None
    temp: Temp = "ambient"
    dangerous: Annotated[str, StringConstraints(min_length=1, max_length=8)] | None = None


class TruckItem(_Strict):
    id: Id
    arrival_min: NonNegative
    supplier: Annotated[str, StringConstraints(max_length=64)] = ""
    pallets: Annotated[list[PalletItem], Field(min_length=1)]


def _all_ambient() -> dict[Temp, float]:
    return {"ambient": 1.0}


class InboundGenerate(_Strict):
    """Trucks arriving by a renewal process: ``interarrival_min`` apart, at a rate scaled by the local hour
    (``rate_by_hour``, 24 factors; a factor 2 makes trucks come twice as often) and by volume peaks."""

    interarrival_min: Distribution
    rate_by_hour: Annotated[list[NonNegative], Field(min_length=24, max_length=24)] | None = None
    first_arrival_min: NonNegative = 0.0
    pallets_per_truck: Distribution
    """Rounded to a whole number, at least 1."""
    destinations: dict[str, NonNegative] | None = None
    """Destination id → weight of a pallet going there; every destination of the site alike when absent."""
    due_min: Distribution
    """A pallet's due time, minutes after its truck's (scheduled) arrival."""
    temperature: dict[Temp, NonNegative] = Field(default_factory=_all_ambient)
    """Temperature class → weight."""
    dangerous_share: Share = 0.0
    dangerous_classes: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=8)]],
                                 Field(min_length=1)] = Field(default_factory=lambda: ["3"])
    suppliers: Annotated[list[Id], Field(min_length=1)] = Field(default_factory=lambda: ["SUPPLIER"])
    """Each truck's supplier is drawn from these, alike."""
    truck_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")] = "IN"

    @field_validator("rate_by_hour")
    @classmethod
    def _some_rate(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and not any(value):
            raise ValueError("every hour's factor is 0: no truck would ever come")
        return value

    @field_validator("destinations", "temperature")
    @classmethod
    def _some_weight(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None and not any(value.values()):
            raise ValueError(f"the weights {value!r} add up to 0")
        return value


class InboundSpec(_Strict):
    generate: InboundGenerate | None = None
    trucks: list[TruckItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> InboundSpec:
        if self.generate is None and not self.trucks:
            raise ValueError("give generate, trucks or both")
        return self


class Rolling(_Strict):
    """A rolling schedule per destination, sized from the inbound volume: the next trailer leaves when the
    pallets expected for that destination since the last one fill ``1 / cover`` of a trailer, at most
    ``max_headway_min`` later; the first leaves at a random phase after ``first_departure_min``."""

    cover: Annotated[float, Field(ge=0.1, le=10)] = 1.25
    max_headway_min: Annotated[float, Field(gt=0, le=10_080)] = 240.0
    first_departure_min: NonNegative = 60.0


class OutboundGenerate(_Strict):
    """Trailers: by one arrival process (``interarrival_min``, each one's destination drawn by weight), by a
    ``rolling`` schedule per destination, or by a daily ``timetable`` of local departure times per destination."""

    capacity: Distribution = Field(default_factory=lambda: Distribution.model_validate(33))
    """Pallets a trailer takes, rounded, at least 1."""
    dwell_min: Distribution
    """Minutes from a trailer's arrival to its scheduled departure."""
    reefer_share: Share = 0.0
    hazmat_share: Share = 1.0
    """The share of trailers that may carry dangerous goods."""
    destinations: dict[str, NonNegative] | None = None
    """Destination id → weight (interarrival) or the destinations served (rolling); all when absent."""
    interarrival_min: Distribution | None = None
    rolling: Rolling | None = None
    timetable: dict[str, list[time]] | None = None

    @field_validator("timetable", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        if not isinstance(value, Mapping):
            return value
        out: dict[object, object] = {}
        for dest, times in value.items():
            if not isinstance(times, list):
                raise ValueError(  # noqa: TRY004  (pydantic reports ValueError with the field's path)
                    f"{dest}: expected a list of departure times HH:MM, got {times!r}")
            out[dest] = [_time_of_day(t, f"{dest}") for t in times]
        return out

    @model_validator(mode="after")
    def _one_process(self) -> OutboundGenerate:
        given = [k for k in ("interarrival_min", "rolling", "timetable") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of interarrival_min, rolling, timetable (got {given or 'none'})")
        return self


class TrailerItem(_Strict):
    id: Id
    destination: Id
    arrival_min: NonNegative
    departure_min: NonNegative
    capacity: Annotated[int, Field(ge=1, le=100)]
    reefer: bool = False
    accepts_hazmat: bool = True


class OutboundSpec(_Strict):
    generate: OutboundGenerate | None = None
    trailers: list[TrailerItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> OutboundSpec:
        if self.generate is None and not self.trailers:
            raise ValueError("give generate, trailers or both")
        return self


class _Window(_Strict):
    start_min: NonNegative
    end_min: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> _Window:
        if self.end_min <= self.start_min:
            raise ValueError(f"end_min {self.end_min:g} is not after start_min {self.start_min:g}")
        return self


class DoorClosed(_Window):
    kind: Literal["door_closed"]
    door: Id


class CentralUnreachable(_Window):
    kind: Literal["central_unreachable"]


class ReeferFailure(_Window):
    """A reefer stops cooling: a listed ``trailer``, or the reefer trailer to ``destination`` at the door at
    ``start_min`` (else the next one to arrive)."""

    kind: Literal["reefer_failure"]
    trailer: Id | None = None
    destination: Id | None = None

    @model_validator(mode="after")
    def _which(self) -> ReeferFailure:
        if (self.trailer is None) == (self.destination is None):
            raise ValueError("give trailer or destination (one of them)")
        return self


class VolumePeak(_Window):
    """Generated trucks come ``factor`` times as often between ``start_min`` and ``end_min``."""

    kind: Literal["volume_peak"]
    factor: Annotated[float, Field(gt=0, le=100)]


class SupplierShift(_Strict):
    """Trucks arriving early or late by ``shift_min``: those of ``supplier``, or a ``share`` of all, among the
    trucks scheduled between ``start_min`` and ``end_min``. Their pallets keep their due times."""

    kind: Literal["supplier_early", "supplier_late"]
    supplier: Id | None = None
    share: Share | None = None
    shift_min: Distribution
    start_min: NonNegative = 0.0
    end_min: Annotated[float, Field(ge=0)] = math.inf

    @model_validator(mode="after")
    def _which(self) -> SupplierShift:
        if (self.supplier is None) == (self.share is None):
            raise ValueError("give supplier or share (one of them)")
        return self


DisturbanceSpec = Annotated[
    DoorClosed | CentralUnreachable | ReeferFailure | VolumePeak | SupplierShift, Field(discriminator="kind")
]


class Scenario(_Strict):
    """A validated scenario; :meth:`draw` gives the :class:`~.model.Day` of a seed."""

    name: Id
    description: str = ""
    site_file: Annotated[str, StringConstraints(min_length=1)] | None = None
    """A site file, relative to the scenario file."""
    site: SiteConfig | None = None
    generated_site: GeneratedSite | None = None
    start: datetime
    """Local time of the site (``"2026-11-27 06:00"``); its zone is ``timezone``, else the site's."""
    timezone: str | None = None
    horizon_hours: Annotated[float, Field(gt=0, le=24 * 62)]
    forklifts: Forklifts = Field(default_factory=Forklifts)
    co2: Co2 = Field(default_factory=Co2)
    sscc_company_prefix: Annotated[str, StringConstraints(pattern=r"^[0-9]{7,10}$")] = "3761303"
    """GS1 company prefix of the generated SSCCs (extension digit 0, then this, then a serial number)."""
    postal_code_length: Annotated[int, Field(ge=1, le=10)] = 5
    """Length of the postal codes drawn for a destination's prefix (``"69*"`` → ``"69xxx"``)."""
    inbound: InboundSpec
    outbound: OutboundSpec
    disturbances: list[DisturbanceSpec] = Field(default_factory=list)

    _site: SiteConfig | None = PrivateAttr(default=None)

    @field_validator("start", mode="before")
    @classmethod
    def _local(cls, value: object) -> object:
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime.combine(value, time())
        elif isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"expected a local date and time YYYY-MM-DD HH:MM, got {value!r}") from None
        else:
            raise ValueError(  # noqa: TRY004  (pydantic reports ValueError with the field's path)
                f"expected a local date and time YYYY-MM-DD HH:MM, got {value!r}")
        if parsed.tzinfo is not None:
            raise ValueError(f"{value!r}: give the site's local time without an offset; the zone is `timezone`")
        return parsed

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> Scenario:
        given = [k for k in ("site_file", "site", "generated_site") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of site_file, site, generated_site (got {given or 'none'})")
        if self.site_file is not None:
            base = (info.context or {}).get("base", Path.cwd())
            path = Path(self.site_file)
            try:
                self._site = load_site(path if path.is_absolute() else Path(base) / path)
            except SiteConfigError as exc:
                raise ValueError(f"site_file: {exc}") from exc
        elif self.site is not None:
            self._site = self.site
        elif self.generated_site is not None:
            try:
                self._site = self.generated_site.build()
            except ValidationError as exc:
                raise ValueError(f"generated_site: {_format(exc)}") from exc
        _check_references(self, self.site_config)
        return self

    @property
    def site_config(self) -> SiteConfig:
        """The site, read, given or generated."""
        assert self._site is not None  # set by validation
        return self._site

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or self.site_config.timezone)

    @property
    def start_at(self) -> datetime:
        """``start`` in the site's zone."""
        return self.start.replace(tzinfo=self.zone)

    def with_horizon(self, hours: float) -> Scenario:
        """This scenario over ``hours`` instead (what lies beyond is left out when drawn): for short tests."""
        if not hours > 0:
            raise ScenarioError(f"{self.name}: horizon_hours: expected above 0, got {hours!r}")
        return self.model_copy(update={"horizon_hours": float(hours)})

    def draw(self, seed: int) -> Day:
        """The :class:`~.model.Day` of ``seed``: the same seed gives the same Day."""
        return _Drawing(self, seed).day()


def _time_of_day(value: object, where: str) -> time:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)  # YAML 1.1 reads an unquoted 16:40 as 1000
    if isinstance(value, str) and re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        return time(int(value[:2]), int(value[3:]))
    raise ValueError(f"{where}: expected a time of day HH:MM, got {value!r}")


def _known(ids: object) -> str:
    return ", ".join(sorted(ids)) if ids else "none"  # type: ignore[call-overload]


def _check_references(s: Scenario, site: SiteConfig) -> None:
    dests = {d.id for d in site.destinations}
    if not dests:
        raise ValueError("site: the site has no destinations; pallets need one to go to")
    for i, d in enumerate(site.destinations):
        if not d.postal_codes:
            raise ValueError(f"site.destinations[{i}].postal_codes: {d.id!r} has none; pallets are labelled with one")

    def known_dest(path: str, dest: str) -> None:
        if dest not in dests:
            raise ValueError(f"{path}: unknown destination {dest!r} (destinations: {_known(dests)})")

    _check_inbound(s, site, known_dest)
    _check_outbound(s, known_dest)
    _check_disturbances(s, site, known_dest)


def _check_inbound(s: Scenario, site: SiteConfig, known_dest: Callable[[str, str], None]) -> None:
    gen = s.inbound.generate
    if gen is not None:
        for dest in gen.destinations or {}:
            known_dest("inbound.generate.destinations", dest)
    seen_trucks: set[str] = set()
    seen_ssccs: dict[str, str] = {}
    for i, truck in enumerate(s.inbound.trucks):
        if truck.id in seen_trucks:
            raise ValueError(f"inbound.trucks[{i}].id: duplicate truck id {truck.id!r}")
        seen_trucks.add(truck.id)
        for j, pallet in enumerate(truck.pallets):
            path = f"inbound.trucks[{i}].pallets[{j}]"
            known_dest(f"{path}.destination", pallet.destination)
            if pallet.sscc is not None:
                if pallet.sscc in seen_ssccs:
                    raise ValueError(f"{path}.sscc: duplicate SSCC {pallet.sscc!r} (also {seen_ssccs[pallet.sscc]})")
                seen_ssccs[pallet.sscc] = path
            if pallet.postal_code is not None:
                routed = match_destination(ShipToModel(kind="postal", value=pallet.postal_code), site.destinations)
                if routed is None or routed.id != pallet.destination:
                    raise ValueError(
                        f"{path}.postal_code: {pallet.postal_code!r} is routed to "
                        f"{routed.id if routed else 'no destination'}, not {pallet.destination!r}"
                    )


def _check_outbound(s: Scenario, known_dest: Callable[[str, str], None]) -> None:
    out = s.outbound.generate
    if out is not None:
        for dest in out.destinations or {}:
            known_dest("outbound.generate.destinations", dest)
        for dest in out.timetable or {}:
            known_dest("outbound.generate.timetable", dest)
        if out.rolling is not None and s.inbound.generate is None:
            raise ValueError("outbound.generate.rolling: sizes the schedule from inbound.generate, which is absent")
    seen_trailers: set[str] = set()
    for i, trailer in enumerate(s.outbound.trailers):
        path = f"outbound.trailers[{i}]"
        if trailer.id in seen_trailers:
            raise ValueError(f"{path}.id: duplicate trailer id {trailer.id!r}")
        seen_trailers.add(trailer.id)
        known_dest(f"{path}.destination", trailer.destination)
        if trailer.departure_min <= trailer.arrival_min:
            raise ValueError(
                f"{path}.departure_min: {trailer.departure_min:g} is not after arrival_min {trailer.arrival_min:g}"
            )


def _check_disturbances(s: Scenario, site: SiteConfig, known_dest: Callable[[str, str], None]) -> None:
    gen = s.inbound.generate
    doors = {d.id: d for d in site.doors}
    reefers = {t.id for t in s.outbound.trailers if t.reefer}
    for i, dist in enumerate(s.disturbances):
        path = f"disturbances[{i}]"
        if isinstance(dist, DoorClosed) and dist.door not in doors:
            raise ValueError(f"{path}.door: unknown door {dist.door!r} (doors: {_known(doors)})")
        if isinstance(dist, ReeferFailure):
            if dist.trailer is not None and dist.trailer not in reefers:
                raise ValueError(f"{path}.trailer: {dist.trailer!r} is not a listed reefer trailer "
                                 f"(listed reefers: {_known(reefers)})")
            if dist.destination is not None:
                known_dest(f"{path}.destination", dist.destination)
        if isinstance(dist, SupplierShift) and dist.supplier is not None:
            suppliers = set(gen.suppliers if gen is not None else []) | {t.supplier for t in s.inbound.trucks}
            if dist.supplier not in suppliers:
                raise ValueError(f"{path}.supplier: unknown supplier {dist.supplier!r} "
                                 f"(suppliers: {_known(suppliers - {''})})")


Floats = np.ndarray[Any, np.dtype[np.float64]]


def _weights(mapping: Mapping[str, float] | None, ids: list[str]) -> tuple[list[str], Floats]:
    if mapping is None:
        return ids, np.full(len(ids), 1.0 / len(ids))
    keys = [k for k in ids if mapping.get(k, 0) > 0]
    w = np.array([mapping[k] for k in keys], dtype=np.float64)
    return keys, w / w.sum()


class _Drawing:
    """One draw of a scenario: its three random streams and its serial numbers."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.s = scenario
        self.seed = seed
        self.site = scenario.site_config
        self.horizon = scenario.horizon_hours * 60.0
        self.inbound = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _STREAM_INBOUND])))
        self.outbound = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _STREAM_OUTBOUND])))
        self.disturbing = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _STREAM_DISTURBANCES])))
        self.dests = {d.id: d for d in self.site.destinations}
        self.taken_ssccs = {p.sscc for t in scenario.inbound.trucks for p in t.pallets if p.sscc}
        self.serial = 0
        self.serial_digits = 16 - len(scenario.sscc_company_prefix)
        self.routed: dict[str, str | None] = {}
        self.start_utc = scenario.start_at.astimezone(UTC)
        self.zone = scenario.zone
        self.peaks = [d for d in scenario.disturbances if isinstance(d, VolumePeak)]

    def day(self) -> Day:
        s = self.s
        trucks = self._shift(self._generated_trucks() + self._listed_trucks())
        trailers = self._generated_trailers() + [
            OutboundTrailer(id=t.id, destination=t.destination, arrival_min=t.arrival_min,
                            departure_min=t.departure_min, capacity=t.capacity, reefer=t.reefer,
                            accepts_hazmat=t.accepts_hazmat)
            for t in s.outbound.trailers if t.arrival_min < self.horizon
        ]
        trailers.sort(key=lambda t: (t.arrival_min, t.id))
        trucks.sort(key=lambda t: (t.arrival_min, t.id))
        return Day(
            scenario=s.name, seed=self.seed, start=s.start_at, horizon_min=self.horizon, site=self.site,
            fleet=Fleet(forklifts=s.forklifts.count, speed_m_per_s=s.forklifts.speed_m_per_s,
                        handle_s=s.forklifts.handle_s),
            co2=Co2Factors(kg_per_forklift_km=s.co2.kg_per_forklift_km,
                           kg_per_trailer_departure=s.co2.kg_per_trailer_departure),
            trucks=tuple(trucks), trailers=tuple(trailers), disturbances=self._disturbances(trailers),
        )

    # -- inbound ---------------------------------------------------------------------------------

    def _rate(self, t: float) -> tuple[float, float]:
        """The arrival-rate factor at minute ``t`` and the minute it next may change."""
        gen = self.s.inbound.generate
        assert gen is not None
        factor, until = 1.0, math.inf
        if gen.rate_by_hour is not None:
            local = (self.start_utc + timedelta(minutes=t)).astimezone(self.zone)
            factor = gen.rate_by_hour[local.hour]
            until = t + 60.0 - (local.minute + local.second / 60 + local.microsecond / 60e6)
        for peak in self.peaks:
            if peak.start_min <= t < peak.end_min:
                factor *= peak.factor
                until = min(until, peak.end_min)
            elif t < peak.start_min:
                until = min(until, peak.start_min)
        return factor, until

    def _arrivals(self, gen: InboundGenerate) -> Iterator[float]:
        """Arrival minutes: interarrival draws are spent at the current rate factor (time runs faster)."""
        t = gen.first_arrival_min
        gaps: Iterator[float] = iter(())
        while True:
            gap = next(gaps, None)
            if gap is None:
                gaps = iter(gen.interarrival_min.sample(self.inbound, 256).tolist())
                continue
            while True:
                factor, until = self._rate(t)
                if t >= self.horizon:
                    return
                if factor > 0 and gap <= (until - t) * factor:
                    t += gap / factor
                    break
                gap -= (until - t) * factor
                t = until
            if t >= self.horizon:
                return
            yield t

    def _generated_trucks(self) -> list[InboundTruck]:
        gen = self.s.inbound.generate
        if gen is None:
            return []
        rng = self.inbound
        dest_ids, dest_w = _weights(gen.destinations, list(self.dests))
        temps: list[Temp] = [k for k in ("ambient", "chilled", "frozen") if gen.temperature.get(k, 0) > 0]
        temp_w = np.array([gen.temperature[k] for k in temps])
        temp_w /= temp_w.sum()
        taken = {t.id for t in self.s.inbound.trucks}
        trucks: list[InboundTruck] = []
        number = 0
        for arrival in self._arrivals(gen):
            number += 1
            truck_id = f"{gen.truck_prefix}-{number:05d}"
            while truck_id in taken:
                number += 1
                truck_id = f"{gen.truck_prefix}-{number:05d}"
            count = max(1, round(float(gen.pallets_per_truck.sample(rng, 1)[0])))
            supplier = gen.suppliers[int(rng.integers(len(gen.suppliers)))]
            where = rng.choice(len(dest_ids), size=count, p=dest_w)
            dues = arrival + gen.due_min.sample(rng, count)
            temp = rng.choice(len(temps), size=count, p=temp_w)
            dangerous = rng.random(count) < gen.dangerous_share
            classes = rng.integers(len(gen.dangerous_classes), size=count)
            pallets = tuple(
                PalletPlan(sscc=self._sscc(), destination=dest_ids[w], postal_code=self._postal(dest_ids[w]),
                           due_min=float(due), temp=temps[k],
                           dangerous=gen.dangerous_classes[c] if dg else None)
                for w, due, k, dg, c in zip(where.tolist(), dues.tolist(), temp.tolist(), dangerous.tolist(),
                                            classes.tolist(), strict=True)
            )
            trucks.append(InboundTruck(id=truck_id, arrival_min=arrival, pallets=pallets, supplier=supplier))
        return trucks

    def _listed_trucks(self) -> list[InboundTruck]:
        return [
            InboundTruck(
                id=t.id, arrival_min=t.arrival_min, supplier=t.supplier,
                pallets=tuple(
                    PalletPlan(sscc=p.sscc or self._sscc(), destination=p.destination,
                               postal_code=p.postal_code or self._postal(p.destination), due_min=p.due_min,
                               temp=p.temp, dangerous=p.dangerous)
                    for p in t.pallets
                ),
            )
            for t in self.s.inbound.trucks if t.arrival_min < self.horizon
        ]

    def _sscc(self) -> str:
        while True:
            self.serial += 1
            if self.serial >= 10**self.serial_digits:
                raise ScenarioError(f"{self.s.name}: sscc_company_prefix: {self.s.sscc_company_prefix!r} leaves "
                                    f"{self.serial_digits} digits of serial number, too few for this many pallets")
            sscc = sscc_with_check_digit(f"0{self.s.sscc_company_prefix}{self.serial:0{self.serial_digits}d}")
            if sscc not in self.taken_ssccs:
                return sscc

    def _postal(self, dest_id: str) -> str:
        """A postal code of ``dest_id`` that the site routes to it (inbound stream)."""
        patterns = self.dests[dest_id].postal_codes
        length = self.s.postal_code_length
        for _ in range(100):
            pattern = patterns[int(self.inbound.integers(len(patterns)))]
            if pattern.endswith("*"):
                prefix = pattern[:-1]
                fill = max(0, length - len(prefix))
                code = prefix + (f"{int(self.inbound.integers(10**fill)):0{fill}d}" if fill else "")
            else:
                code = pattern
            routed = self.routed.get(code, "?")
            if routed == "?":
                match = match_destination(ShipToModel(kind="postal", value=code), self.site.destinations)
                routed = self.routed[code] = match.id if match is not None else None
            if routed == dest_id:
                return code
        raise ScenarioError(f"{self.s.name}: site destination {dest_id!r}: none of its postal codes "
                            f"{patterns} drawn {length} long is routed to it (another destination's is more precise)")

    def _shift(self, trucks: list[InboundTruck]) -> list[InboundTruck]:
        rng = self.disturbing
        scheduled = {t.id: t.arrival_min for t in trucks}
        for shift in self.s.disturbances:
            if not isinstance(shift, SupplierShift):
                continue
            sign = -1.0 if shift.kind == "supplier_early" else 1.0
            out = []
            for truck in trucks:
                hit = shift.start_min <= scheduled[truck.id] < shift.end_min and (
                    truck.supplier == shift.supplier if shift.share is None else rng.random() < shift.share
                )
                if hit:
                    moved = max(0.0, truck.arrival_min + sign * float(shift.shift_min.sample(rng, 1)[0]))
                    out.append(replace(truck, arrival_min=moved))
                else:
                    out.append(truck)
            trucks = [t for t in out if t.arrival_min < self.horizon]
        return trucks

    # -- outbound --------------------------------------------------------------------------------

    def _generated_trailers(self) -> list[OutboundTrailer]:
        gen = self.s.outbound.generate
        if gen is None:
            return []
        rng = self.outbound
        taken = {t.id for t in self.s.outbound.trailers}
        numbers: dict[str, int] = {}
        trailers = []
        for dest, drawn_arrival, scheduled in self._departures(gen):
            arrival = max(0.0, drawn_arrival)
            if arrival >= self.horizon:
                continue
            departure = max(scheduled, arrival + 1.0)
            capacity = max(1, round(float(gen.capacity.sample(rng, 1)[0])))
            reefer = bool(rng.random() < gen.reefer_share)
            hazmat = bool(rng.random() < gen.hazmat_share)
            trailer_id = ""
            while not trailer_id or trailer_id in taken:
                numbers[dest] = numbers.get(dest, 0) + 1
                trailer_id = f"{dest[:56]}-{numbers[dest]:03d}"
            trailers.append(OutboundTrailer(id=trailer_id, destination=dest, arrival_min=arrival,
                                            departure_min=departure, capacity=capacity, reefer=reefer,
                                            accepts_hazmat=hazmat))
        return trailers

    def _departures(self, gen: OutboundGenerate) -> list[tuple[str, float, float]]:
        """(destination, arrival, departure) of each generated trailer, in drawing order (outbound stream)."""
        rng = self.outbound
        departures: list[tuple[str, float, float]] = []
        if gen.interarrival_min is not None:
            ids, w = _weights(gen.destinations, list(self.dests))
            t = 0.0
            while True:
                t += float(gen.interarrival_min.sample(rng, 1)[0])
                if t >= self.horizon:
                    break
                dest = ids[int(rng.choice(len(ids), p=w))]
                departures.append((dest, t, t + float(gen.dwell_min.sample(rng, 1)[0])))
        elif gen.rolling is not None:
            for dest in _weights(gen.destinations, list(self.dests))[0]:
                departures.extend((dest, dep - float(gen.dwell_min.sample(rng, 1)[0]), dep)
                                  for dep in self._rolling(gen.rolling, dest, _mean_capacity(gen)))
        else:
            assert gen.timetable is not None
            for dest, times in gen.timetable.items():
                departures.extend((dest, dep - float(gen.dwell_min.sample(rng, 1)[0]), dep)
                                  for dep in self._timetable(times))
        return departures

    def _rolling(self, rolling: Rolling, dest: str, capacity: float) -> Iterator[float]:
        gen = self.s.inbound.generate
        assert gen is not None
        weights = _weights(gen.destinations, list(self.dests))
        share = float(weights[1][weights[0].index(dest)]) if dest in weights[0] else 0.0
        per_min = share * gen.pallets_per_truck.mean / gen.interarrival_min.mean
        headway0 = self._headway(rolling, per_min, capacity, rolling.first_departure_min)
        dep = rolling.first_departure_min + float(self.outbound.uniform(0, headway0))
        while dep <= self.horizon:
            yield dep
            dep += self._headway(rolling, per_min, capacity, dep)

    def _headway(self, rolling: Rolling, per_min: float, capacity: float, t: float) -> float:
        """Minutes until the pallets expected for a destination from ``t`` fill ``1 / cover`` of a trailer."""
        need = capacity / rolling.cover
        t0 = t
        while need > 0 and t < self.horizon + rolling.max_headway_min:
            factor, until = self._rate(t)
            until = min(until, t + rolling.max_headway_min)
            rate = per_min * factor
            if rate > 0 and need <= (until - t) * rate:
                t += need / rate
                break
            need -= (until - t) * rate
            t = until
        return min(max(t - t0, 1.0), rolling.max_headway_min)

    def _timetable(self, times: list[time]) -> Iterator[float]:
        first = self.s.start.date()
        last = (self.start_utc + timedelta(minutes=self.horizon)).astimezone(self.zone).date()
        day = first
        found = []
        while day <= last:
            for at in times:
                leaving = datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)
                minute = (leaving - self.start_utc).total_seconds() / 60
                if 0 < minute <= self.horizon:
                    found.append(minute)
            day += timedelta(days=1)
        return iter(sorted(found))

    # -- disturbances ----------------------------------------------------------------------------

    def _disturbances(self, trailers: list[OutboundTrailer]) -> tuple[Disturbance, ...]:
        out: list[Disturbance] = []
        present = {t.id for t in trailers}
        for i, d in enumerate(self.s.disturbances):
            if isinstance(d, SupplierShift) or d.start_min >= self.horizon:
                continue
            if isinstance(d, ReeferFailure) and d.trailer is not None and d.trailer not in present:
                continue  # its listed trailer arrives after a shortened horizon
            end = min(d.end_min, self.horizon)
            if isinstance(d, DoorClosed):
                out.append(Disturbance(kind="door_closed", start_min=d.start_min, end_min=end, target=d.door))
            elif isinstance(d, CentralUnreachable):
                out.append(Disturbance(kind="central_unreachable", start_min=d.start_min, end_min=end))
            elif isinstance(d, VolumePeak):
                out.append(Disturbance(kind="volume_peak", start_min=d.start_min, end_min=end, factor=d.factor))
            else:
                out.append(Disturbance(kind="reefer_failure", start_min=d.start_min, end_min=end,
                                       target=d.trailer or self._reefer_at(i, d, trailers)))
        return tuple(out)

    def _reefer_at(self, i: int, d: ReeferFailure, trailers: list[OutboundTrailer]) -> str:
        reefers = [t for t in trailers if t.reefer and t.destination == d.destination and t.departure_min > d.start_min]
        docked = [t for t in reefers if t.arrival_min <= d.start_min]
        chosen = docked[0] if docked else min(reefers, key=lambda t: t.arrival_min, default=None)
        if chosen is None:
            raise ScenarioError(f"{self.s.name}: disturbances[{i}].destination: no reefer trailer to "
                                f"{d.destination!r} is at the site after minute {d.start_min:g} (seed {self.seed})")
        return chosen.id


def day_as_scenario(day: Day, name: str | None = None) -> dict[str, Any]:
    """``day`` as a scenario mapping with every truck, pallet and trailer listed and the site inline: dumped
    as YAML it loads back (:func:`parse_scenario`) and draws ``day`` again, whatever the seed. The shape a
    published dataset is converted into."""
    site = day.site.model_dump(mode="json", exclude_defaults=True)
    for trailer in site.get("trailers", []):
        trailer["departure"] = trailer["departure"][:5]  # HH:MM, as site files write it
    local = day.start.astimezone(day.site.zone)
    disturbances: list[dict[str, Any]] = []
    for d in day.disturbances:
        item: dict[str, Any] = {"kind": d.kind, "start_min": d.start_min, "end_min": d.end_min}
        if d.kind == "door_closed":
            item["door"] = d.target
        elif d.kind == "reefer_failure":
            item["trailer"] = d.target
        elif d.kind == "volume_peak":
            item["factor"] = d.factor
        disturbances.append(item)
    return {
        "name": name or day.scenario,
        "start": local.replace(tzinfo=None).isoformat(sep=" "),
        "horizon_hours": day.horizon_min / 60,
        "site": site,
        "forklifts": {"count": day.fleet.forklifts, "speed_m_per_s": day.fleet.speed_m_per_s,
                      "handle_s": day.fleet.handle_s},
        "co2": {"kg_per_forklift_km": day.co2.kg_per_forklift_km,
                "kg_per_trailer_departure": day.co2.kg_per_trailer_departure},
        "inbound": {"trucks": [
            {"id": t.id, "arrival_min": t.arrival_min, "supplier": t.supplier, "pallets": [
                {"sscc": p.sscc, "destination": p.destination, "postal_code": p.postal_code, "due_min": p.due_min,
                 "temp": p.temp, "dangerous": p.dangerous}
                for p in t.pallets
            ]}
            for t in day.trucks
        ]},
        "outbound": {"trailers": [
            {"id": t.id, "destination": t.destination, "arrival_min": t.arrival_min,
             "departure_min": t.departure_min, "capacity": t.capacity, "reefer": t.reefer,
             "accepts_hazmat": t.accepts_hazmat}
            for t in day.trailers
        ]},
        "disturbances": disturbances,
    }


def _mean_capacity(gen: OutboundGenerate) -> float:
    return max(1.0, gen.capacity.mean)


# -- reading --------------------------------------------------------------------------------------


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = ""
        for part in err["loc"]:
            if isinstance(part, int):
                loc += f"[{part}]"
            elif part in _UNION_TAGS:
                continue  # the discriminated union's branch name: the path already says which item
            else:
                loc += f".{part}" if loc else str(part)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] not in {"value_error", "bad_identifier", "union_tag_invalid", "missing"} and "input" in err:
            msg += f" (got {err['input']!r})"
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(lines)


_UNION_TAGS = frozenset({"door_closed", "central_unreachable", "reefer_failure", "volume_peak", "supplier_early",
                         "supplier_late"})


def _shipped_dir() -> Path:
    return Path(str(resources.files("xdock.simulation") / _SCENARIOS))


def shipped_scenarios() -> list[str]:
    """The names of the scenarios that come with xdock."""
    return sorted(p.stem for p in _shipped_dir().glob("*.yaml"))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return _yaml(text, str(path))


def _yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506  (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{source}:{where}: not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: expected a mapping with name, start, horizon_hours, inbound, outbound; "
                            f"got {type(data).__name__}")
    return data


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    if any(k in over for k in ("site_file", "site", "generated_site")):
        for k in ("site_file", "site", "generated_site"):
            merged.pop(k, None)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "site":
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _locate(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    text = str(name_or_path)
    candidate = Path(text)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to / candidate
    if candidate.is_file():
        return candidate
    shipped = _shipped_dir() / f"{text}.yaml"
    if "/" not in text and not text.endswith((".yaml", ".yml")) and shipped.is_file():
        return shipped
    raise ScenarioError(f"unknown scenario {text!r}: no such file, and not a shipped scenario "
                        f"(shipped: {', '.join(shipped_scenarios())})")


def _expand(data: dict[str, Any], path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """``data`` over what it ``extends``; a relative ``site_file`` made relative to the file that names it."""
    if isinstance(data.get("site_file"), str) and not Path(data["site_file"]).is_absolute():
        data = {**data, "site_file": str(path.parent / data["site_file"])}
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: expected a scenario name or path, got {parent!r}")
    try:
        base_path = _locate(parent, path.parent)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: extends: {exc}") from None
    if base_path.resolve() in chain or len(chain) >= _MAX_EXTENDS:
        raise ScenarioError(f"{path}: extends: {parent!r} extends itself (through {', '.join(map(str, chain))})")
    base = _expand(_read(base_path), base_path, (*chain, base_path.resolve()))
    return _merge(base, data)


def _validate(data: dict[str, Any], source: str, base: Path) -> Scenario:
    try:
        return Scenario.model_validate(data, strict=True, context={"base": base})
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {_format(exc)}") from exc


def parse_scenario(text: str, source: str = "<scenario>", base: Path | None = None) -> Scenario:
    """Parse and validate scenario YAML ``text``; ``source`` names it in errors, ``base`` is the folder its
    relative paths (``site_file``, ``extends``) start from (the current one when ``None``)."""
    folder = base if base is not None else Path.cwd()
    data = _expand(_yaml(text, source), folder / "<text>", ())
    return _validate(data, source, folder)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """The scenario in file ``name_or_path``, or the shipped one of that name (:func:`shipped_scenarios`)."""
    path = _locate(name_or_path)
    data = _expand(_read(path), path, (path.resolve(),))
    return _validate(data, str(path), path.parent)

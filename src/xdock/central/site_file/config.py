"""The site file: doors, their positions, destinations and outbound trailers (YAML).

Example (``deploy/site.sample.yaml`` is a full one)::

    site: lyon-nord
    timezone: Europe/Paris
    doors:
      - {id: D1, role: inbound, x: 0, y: 0}
      - {id: D12, role: outbound, x: 44, y: 30}
    destinations:
      - {id: LYON, name: Lyon, postal_codes: ["69*"], glns: ["3761303211001"]}
    trailers:
      - {id: T-LYON-1, door: D12, destination: LYON, capacity_pallets: 33, departure: "16:40"}

A bad file is refused with :class:`SiteConfigError`, whose message names the file, the field
(``trailers[2].door``) and the reason. Identifiers follow :mod:`xdock.protocol.identifiers`: every id
(site, doors, areas, destinations, trailers, sensors) is 1-64 of ``A-Z a-z 0-9 _ -``, every GLN has its
check digit (``site.yaml: destinations[0].glns[0]: Invalid GLN check digit for '3761303211008':
expected 1, got 8``), every postal code its form. Values are read strictly: a quoted ``"33"`` or
``true`` where a number belongs is refused, not coerced.
"""

from __future__ import annotations

import math
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from xdock.central.site_file.sensors import SensorConfig, check_sensor_refs
from xdock.central.site_file.yaml_text import yaml_mapping
from xdock.protocol.identifiers import Gln, Id, PostalCodeMatch
from xdock.protocol.messages import Celsius

__all__ = [
    "DEFAULT_CHILLED_MAX_C",
    "DEFAULT_FROZEN_MAX_C",
    "AreaConfig",
    "Destination",
    "Door",
    "RulesConfig",
    "SiteConfig",
    "SiteConfigError",
    "TrailerPlan",
    "load_site",
    "parse_site",
]

DEFAULT_CHILLED_MAX_C = 8.0
"""The site rule ``rules.chilled_max_c`` when a site file leaves it out (°C): the one default of it."""
DEFAULT_FROZEN_MAX_C = -18.0
"""The site rule ``rules.frozen_max_c`` when a site file leaves it out (°C)."""

_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class SiteConfigError(ValueError):
    """The site file cannot be used; the message names the field and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Door(_Strict):
    """A dock door and its position on the floor plan, in metres."""

    id: Id
    role: Literal["inbound", "outbound", "both"]
    x: float
    y: float

    @field_validator("x", "y")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number of metres")
        return value

    @property
    def receives(self) -> bool:
        return self.role in ("inbound", "both")

    @property
    def ships(self) -> bool:
        return self.role in ("outbound", "both")


class Destination(_Strict):
    """A place trailers go to, and the label ship-to values that mean it.

    ``postal_codes`` entries are exact codes or prefixes ending in ``*`` (``"69*"``).
    """

    id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=24)]
    postal_codes: list[PostalCodeMatch] = Field(default_factory=list)
    glns: list[Gln] = Field(default_factory=list)
    """GLNs (AI 410) meaning this destination, each with its right check digit."""


class TrailerPlan(_Strict):
    """An outbound trailer of the day: where it loads, where it goes, how much it takes, when it leaves."""

    id: Id
    door: Id
    destination: Id
    capacity_pallets: Annotated[int, Field(gt=0, le=100)]
    departure: time
    capacity_kg: Annotated[float, Field(gt=0, le=60_000)] = 24_000.0
    reefer: bool = False
    """Refrigerated: takes chilled and frozen pallets."""
    accepts_hazmat: bool = True
    """May carry dangerous goods at all."""

    @field_validator("departure", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads an unquoted 16:40 as the sexagesimal integer 1000.
            if not 0 <= value < 24 * 60:
                raise ValueError(f"expected a time of day HH:MM, got {value // 60}:{value % 60:02d}")
            return time(value // 60, value % 60)
        if isinstance(value, str):
            match = _HHMM.fullmatch(value)
            if not match:
                raise ValueError(f"expected a time of day HH:MM, got {value!r}")
            return time(int(match.group(1)), int(match.group(2)))
        if isinstance(value, time):
            return value
        raise ValueError(f"expected a time of day HH:MM, got {value!r}")


class AreaConfig(_Strict):
    """A floor area: ``staging`` holds pallets waiting for a trailer, ``breakdown`` splits mixed pallets."""

    id: Id
    kind: Literal["staging", "breakdown"]
    x: float
    y: float
    temp: Literal["ambient", "chilled", "frozen"] = "ambient"


class RulesConfig(_Strict):
    """How the optimiser weighs its choices (metres-equivalent); defaults suit most sites."""

    change_penalty_m: Annotated[float, Field(ge=0)] = 200.0
    unplaced_penalty_m: Annotated[float, Field(ge=0)] = 10_000.0
    urgent_days: Annotated[int, Field(ge=0, le=365)] = 2
    balance_weight_m: Annotated[float, Field(ge=0)] = 5.0
    departure_weight_m: Annotated[float, Field(ge=0)] = 0.0
    """Metres-equivalent per minute until a trailer leaves: above 0 the trailer leaving first fills first
    unless a later one is that much nearer a minute (2 is a good start); 0: the nearest trailer."""
    chilled_max_c: Celsius = DEFAULT_CHILLED_MAX_C
    """A pallet whose label allows at most this temperature is chilled: reefer trailers only. Central
    sends it to the edges in their routing snapshots (:class:`~xdock.protocol.messages.RouteSnapshot`),
    so an edge deciding alone applies this site's value."""
    frozen_max_c: Celsius = DEFAULT_FROZEN_MAX_C
    """A pallet whose label allows at most this temperature is frozen; below ``chilled_max_c``, so every
    frozen pallet is also cold enough for the edges' one test (at or below ``chilled_max_c``: a reefer)."""
    segregate: list[Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=8)]],
                              Field(min_length=2, max_length=2)]] = Field(default_factory=list)
    """Pairs of dangerous-goods classes that must not share a trailer, e.g. ``[["3", "5.1"]]``."""

    @model_validator(mode="after")
    def _limits(self) -> RulesConfig:
        if self.frozen_max_c >= self.chilled_max_c:
            raise ValueError(
                f"frozen_max_c: {self.frozen_max_c} must be below chilled_max_c ({self.chilled_max_c})"
            )
        return self


class SiteConfig(_Strict):
    """The whole site file, validated: every reference points to something that exists."""

    site: Id
    gln: Gln | None = None
    """The site's GLN: its business location and the read points of its doors and areas (SGLNs) in the EPCIS
    events it tells (:mod:`xdock.central.partners.epcis_log`); with ``gs1_company_prefix_length``."""
    gs1_company_prefix_length: Annotated[int, Field(ge=6, le=12)] | None = None
    """Digits of the GS1 company prefix at the start of ``gln`` (6-12), to write its SGLNs."""
    sscc_prefix: Annotated[str, StringConstraints(pattern=r"^[0-9]{7,13}$")] | None = None
    """The site's own SSCCs (child pallets of a split, :mod:`xdock.central.site.breakdown`): this extension
    digit and GS1 company prefix (7-13 digits), then a serial reference counted up by central, then the check
    digit."""
    timezone: str = "UTC"
    handling_minutes: Annotated[float, Field(ge=0, le=240)] = 15.0
    doors: Annotated[list[Door], Field(min_length=1)]
    areas: list[AreaConfig] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)
    trailers: list[TrailerPlan] = Field(default_factory=list)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    sensors: list[SensorConfig] = Field(default_factory=list)
    """Dock sensors and what they watch (see :mod:`xdock.central.site_file.sensors`)."""
    staging_dwell_minutes: Annotated[float, Field(gt=0, le=10_080)] = 240.0
    """A pallet staged longer than this raises a ``pallet_dwell`` alert."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _gs1_identity(self) -> SiteConfig:
        if (self.gln is None) != (self.gs1_company_prefix_length is None):
            raise ValueError("gln and gs1_company_prefix_length go together: give both or neither")
        return self

    @model_validator(mode="after")
    def _references(self) -> SiteConfig:
        _unique("doors", [d.id for d in self.doors])
        door_ids = {d.id for d in self.doors}
        for i, area in enumerate(self.areas):
            if area.id in door_ids:
                raise ValueError(f"areas[{i}].id: {area.id!r} is already a door id")
        _unique("areas", [a.id for a in self.areas])
        _unique("destinations", [d.id for d in self.destinations])
        _unique("trailers", [t.id for t in self.trailers])
        doors = {d.id: d for d in self.doors}
        dests = {d.id for d in self.destinations}
        for i, trailer in enumerate(self.trailers):
            door = doors.get(trailer.door)
            if door is None:
                raise ValueError(f"trailers[{i}].door: unknown door {trailer.door!r} (doors: {_list(doors)})")
            if not door.ships:
                raise ValueError(f"trailers[{i}].door: door {trailer.door!r} is {door.role}, not outbound")
            if trailer.destination not in dests:
                raise ValueError(
                    f"trailers[{i}].destination: unknown destination {trailer.destination!r} "
                    f"(destinations: {_list(dests)})"
                )
        check_sensor_refs(self.sensors, doors=door_ids, trailers={t.id for t in self.trailers},
                          areas={a.id for a in self.areas})
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def door(self, door_id: str) -> Door | None:
        return next((d for d in self.doors if d.id == door_id), None)


def _list(ids: object) -> str:
    return ", ".join(sorted(ids)) if ids else "none"  # type: ignore[call-overload]


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise ValueError(f"{what}[{i}].id: duplicate id {ident!r}")
        seen.add(ident)


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = ""
        for part in err["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(lines)


def parse_site(text: str, source: str = "<site>") -> SiteConfig:
    """Parse and validate site YAML ``text``; ``source`` names it in errors."""
    data = yaml_mapping(text, source, error=SiteConfigError, expected="a mapping with site, doors, trailers")
    try:
        return SiteConfig.model_validate(data, strict=True)
    except ValidationError as exc:
        raise SiteConfigError(f"{source}: {_format(exc)}") from exc


def load_site(path: str | Path) -> SiteConfig:
    """Read and validate the site file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SiteConfigError(f"{path}: cannot read site file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SiteConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return parse_site(text, str(path))

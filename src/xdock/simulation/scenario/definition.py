"""The :class:`Scenario` model: a whole scenario, validated, its references to the site checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from xdock.central.site_file.config import SiteConfig, SiteConfigError, load_site
from xdock.protocol.identifiers import Id
from xdock.protocol.messages import ShipToModel
from xdock.protocol.routing import match_destination
from xdock.simulation.model import Day
from xdock.simulation.scenario.distributions import _Strict
from xdock.simulation.scenario.draw import _Drawing
from xdock.simulation.scenario.errors import ScenarioError, _format
from xdock.simulation.scenario.schema import (
    Co2,
    DisturbanceSpec,
    DoorClosed,
    Forklifts,
    InboundSpec,
    OutboundSpec,
    ReeferFailure,
    SupplierShift,
)
from xdock.simulation.scenario.sites import GeneratedSite


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

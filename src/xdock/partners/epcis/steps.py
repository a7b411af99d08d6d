"""What central hands the EPCIS mapping: one :class:`Step` per physical step it recorded, checked on creation.

A step that cannot become EPCIS is refused here, before any event is built, with an :class:`EpcisError`
naming the field: ``ssccs[1]: Invalid SSCC check digit ...``, ``loading step needs a trailer``. What depends
on the site (a trailer id's room in a GIAI) is checked when the events are built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal, get_args

from xdock.partners.epcis.epc_uris import sgln_extension
from xdock.partners.epcis.errors import EpcisError
from xdock.protocol.identifiers import IdentifierError, check_sscc

__all__ = ["KINDS", "Reading", "Step", "StepKind", "check_event_time"]

StepKind = Literal["receiving", "staging", "loading", "departing", "breakdown"]
KINDS: Final[tuple[StepKind, ...]] = get_args(StepKind)
_PARENTED: Final = frozenset({"loading", "departing"})
_MAX_OFFSET: Final = timedelta(hours=14)
"""EPCIS's eventTimeZoneOffset runs from -14:00 to +14:00."""


def check_event_time(field: str, at: datetime) -> datetime:
    """``at`` if EPCIS can carry it: aware, its UTC offset whole minutes within ±14:00."""
    if not isinstance(at, datetime):
        raise EpcisError(f"{field}: expected a datetime, got {type(at).__name__}")
    offset = at.utcoffset()
    if offset is None:
        raise EpcisError(f"{field}: expected an aware datetime (with its UTC offset), got naive {at.isoformat()}")
    if offset % timedelta(minutes=1) or abs(offset) > _MAX_OFFSET:
        raise EpcisError(f"{field}: expected a UTC offset of whole minutes within ±14:00, got {at.isoformat()}")
    return at


def _check_ssccs(field: str, ssccs: tuple[str, ...]) -> None:
    if not isinstance(ssccs, tuple):
        raise EpcisError(f"{field}: expected a tuple of SSCCs, got {type(ssccs).__name__}")
    first_at: dict[str, int] = {}
    for index, sscc in enumerate(ssccs):
        try:
            check_sscc(sscc)
        except (IdentifierError, TypeError) as exc:
            raise EpcisError(f"{field}[{index}]: {exc}") from exc
        if sscc in first_at:
            raise EpcisError(f"{field}[{index}]: {sscc!r} repeats {field}[{first_at[sscc]}]")
        first_at[sscc] = index


def _check_text(field: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise EpcisError(f"{field}: expected a non-empty string, got {value!r}")


@dataclass(frozen=True)
class Reading:
    """One temperature reading of a sensor watching the step's pallets (their trailer or area)."""

    sensor_id: str
    """The sensor's id at the site: it becomes a GIAI of the site."""
    at: datetime
    """When the sensor measured: aware."""
    value_c: float
    """The temperature in degrees Celsius."""

    def __post_init__(self) -> None:
        _check_text("sensor_id", self.sensor_id)
        check_event_time("at", self.at)
        if isinstance(self.value_c, bool) or not isinstance(self.value_c, int | float) or not math.isfinite(
            self.value_c
        ):
            raise EpcisError(f"value_c: expected a finite number of degrees Celsius, got {self.value_c!r}")


@dataclass(frozen=True)
class Step:
    """One physical step central recorded, as the EPCIS mapping takes it."""

    source: str
    """The step's stable identity in central's event log (``lyon-nord/event/1234``): the same step sent
    again after a restart has the same source, hence the same event ids."""
    kind: StepKind
    """What happened: receiving, staging, loading, departing or breakdown."""
    at: datetime
    """When it happened: aware, a UTC offset of whole minutes."""
    ssccs: tuple[str, ...]
    """The pallets concerned (for departing: the pallets aboard; for breakdown: the one parent)."""
    location: str
    """The door or area where it happened: the SGLN extension of the event's readPoint."""
    trailer: str | None = None
    """The trailer, parent of a loading or departing aggregation; ``None`` for the other kinds."""
    children: tuple[str, ...] = ()
    """For breakdown: the SSCCs of the pallets made from ``ssccs[0]``; empty for the other kinds."""
    readings: tuple[Reading, ...] = ()
    """Temperature readings concerning these pallets."""
    truck: str | None = None
    """The inbound truck's id, if the step belongs to one."""
    shipment_id: str | None = None
    """The ASN (despatch advice) shipment id, if known."""

    def __post_init__(self) -> None:
        _check_text("source", self.source)
        if self.kind not in KINDS:
            raise EpcisError(f"kind: expected {', '.join(KINDS[:-1])} or {KINDS[-1]}, got {self.kind!r}")
        check_event_time("at", self.at)
        if not self.ssccs:
            raise EpcisError(f"ssccs: {self.kind} step needs at least one SSCC, got none")
        _check_ssccs("ssccs", self.ssccs)
        _check_text("location", self.location)
        try:
            sgln_extension(self.location)
        except EpcisError as exc:
            raise EpcisError(f"location: {exc}") from exc
        self._check_trailer()
        self._check_children()
        for index, reading in enumerate(self.readings):
            if not isinstance(reading, Reading):
                raise EpcisError(f"readings[{index}]: expected a Reading, got {type(reading).__name__}")
        for field in ("truck", "shipment_id"):
            value = getattr(self, field)
            if value is not None:
                _check_text(field, value)

    def _check_trailer(self) -> None:
        if self.kind in _PARENTED:
            if self.trailer is None:
                raise EpcisError(f"{self.kind} step needs a trailer")
            _check_text("trailer", self.trailer)
        elif self.trailer is not None:
            raise EpcisError(f"trailer: {self.kind} step takes no trailer, got {self.trailer!r}")

    def _check_children(self) -> None:
        if self.kind != "breakdown":
            if self.children:
                raise EpcisError(f"children: {self.kind} step takes no children, got {len(self.children)}")
            return
        if len(self.ssccs) != 1:
            raise EpcisError(f"ssccs: breakdown step takes one parent SSCC, got {len(self.ssccs)}")
        if not self.children:
            raise EpcisError("breakdown step needs children (the SSCCs made from ssccs[0])")
        _check_ssccs("children", self.children)
        if self.ssccs[0] in self.children:
            index = self.children.index(self.ssccs[0])
            raise EpcisError(f"children[{index}]: {self.ssccs[0]!r} is the parent ssccs[0] itself")

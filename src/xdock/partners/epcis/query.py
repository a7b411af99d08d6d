"""EPCIS 2.0 queries over events we built: the standard's parameters, parsed and checked, and paging.

:meth:`QueryParams.parse` takes the REST binding's parameter names (``eventType``, ``GE_eventTime``,
``LT_eventTime``, ``EQ_bizStep``, ``MATCH_epc``, ``perPage``, ``nextPageToken``), lists comma-separated;
:func:`select` gives one page and the token for the next. Results come in eventTime order (the instant,
whatever the offset), then eventID order; the token holds the last (eventTime, eventID) served, so events
added between two pages never make one served twice. MATCH_epc looks in epcList, childEPCs and parentID
(what the brief asks; the standard's MATCH_epc stops at the first two, its MATCH_anyEPC goes further).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Final

from xdock.partners.epcis._epc_match import EpcPattern
from xdock.partners.epcis._page_token import PageKey, decode_token, encode_token, fingerprint
from xdock.partners.epcis.errors import EpcisError, EpcisQueryError

__all__ = [
    "CBV_BIZ_STEPS", "DEFAULT_PER_PAGE", "EVENT_TYPES", "MAX_PER_PAGE", "QueryParams", "bare_biz_step", "select",
]

EVENT_TYPES: Final = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
CBV_BIZ_STEPS: Final = frozenset({
    "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning", "creating_class_instance",
    "cycle_counting", "decommissioning", "departing", "destroying", "disassembling", "dispensing", "encoding",
    "entering_exiting", "holding", "inspecting", "installing", "killing", "loading", "other", "packing", "picking",
    "receiving", "removing", "repackaging", "repairing", "replacing", "reserving", "retail_selling", "sampling",
    "sensor_reporting", "shipping", "staging_outbound", "stock_taking", "stocking", "storing", "transporting",
    "unloading", "unpacking", "void_shipping",
})
"""The CBV 2.0 business steps, as the standard context's bare words."""
DEFAULT_PER_PAGE: Final = 100
MAX_PER_PAGE: Final = 1000
_BIZ_STEP_URIS: Final = ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:")
"""A CBV business step's full forms: EPCIS 2.0's web URI and EPCIS 1.x's URN."""
_EPC_FIELDS: Final = ("epcList", "childEPCs")
_PARAMETERS: Final = (
    "eventType", "GE_eventTime", "LT_eventTime", "EQ_bizStep", "MATCH_epc", "perPage", "nextPageToken",
)


def bare_biz_step(value: str) -> str:
    """``receiving`` for ``receiving`` or its CBV URI; any other URI (a private vocabulary's) unchanged."""
    for prefix in _BIZ_STEP_URIS:
        if value.startswith(prefix):
            return value.removeprefix(prefix)
    return value


def _parse_time(name: str, value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        raise EpcisQueryError(
            f"{name}: expected a date-time with its UTC offset (2024-03-05T08:00:00+01:00), got {value!r}"
        )
    return at


def _parse_per_page(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise EpcisQueryError(f"perPage: expected a whole number from 1 to {MAX_PER_PAGE}, got {value!r}")
    return int(value)


def _listed(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(","))


@dataclass(frozen=True)
class QueryParams:
    """A checked EPCIS query; ``None`` means no condition on that field."""

    event_type: frozenset[str] | None = None
    """Event types to keep (:data:`EVENT_TYPES`)."""
    ge_event_time: datetime | None = None
    """Keep events at or after this instant (aware)."""
    lt_event_time: datetime | None = None
    """Keep events before this instant (aware)."""
    eq_biz_step: frozenset[str] | None = None
    """Business steps to keep: CBV bare words (``receiving``) or their URIs, or a private vocabulary's URIs."""
    match_epc: tuple[str, ...] | None = None
    """Keep events naming one of these EPCs or patterns in epcList, childEPCs or parentID."""
    per_page: int = DEFAULT_PER_PAGE
    """How many events a page holds: 1 to :data:`MAX_PER_PAGE`."""
    next_page_token: str | None = None
    """The token of the page wanted, as the previous page gave it; ``None`` for the first page."""

    def __post_init__(self) -> None:
        if self.event_type is not None:
            for event_type in sorted(self.event_type) or [""]:
                if event_type not in EVENT_TYPES:
                    raise EpcisQueryError(f"eventType: expected {', '.join(EVENT_TYPES)}, got {event_type!r}")
        for name, at in (("GE_eventTime", self.ge_event_time), ("LT_eventTime", self.lt_event_time)):
            if at is not None and at.utcoffset() is None:
                raise EpcisQueryError(f"{name}: expected an aware datetime, got naive {at.isoformat()}")
        if self.eq_biz_step is not None:
            for step in sorted(self.eq_biz_step) or [""]:
                if bare_biz_step(step) not in CBV_BIZ_STEPS and not step.startswith(("https://", "http://", "urn:")):
                    raise EpcisQueryError(
                        f"EQ_bizStep: expected a CBV business step (receiving, loading, ...) or a URI, got {step!r}"
                    )
        for value in self.match_epc if self.match_epc is not None else ():
            EpcPattern.parse(value)
        if self.match_epc == ():
            raise EpcisQueryError("MATCH_epc: expected at least one EPC or pattern, got none")
        per_page = self.per_page
        if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
            raise EpcisQueryError(f"perPage: expected a whole number from 1 to {MAX_PER_PAGE}, got {self.per_page!r}")

    @classmethod
    def parse(cls, parameters: Mapping[str, str]) -> QueryParams:
        """The query the REST parameters ``parameters`` state; :class:`EpcisQueryError` naming the first
        parameter refused and its value."""
        for name in parameters:
            if name not in _PARAMETERS:
                raise EpcisQueryError(
                    f"{name}: not a parameter this query takes: expected one of {', '.join(_PARAMETERS)}"
                )
        get = parameters.get
        ge, lt, per_page = get("GE_eventTime"), get("LT_eventTime"), get("perPage")
        event_type, biz_step, epcs = get("eventType"), get("EQ_bizStep"), get("MATCH_epc")
        return cls(
            event_type=None if event_type is None else _listed(event_type),
            ge_event_time=None if ge is None else _parse_time("GE_eventTime", ge),
            lt_event_time=None if lt is None else _parse_time("LT_eventTime", lt),
            eq_biz_step=None if biz_step is None else frozenset(bare_biz_step(step) for step in _listed(biz_step)),
            match_epc=None if epcs is None else tuple(part.strip() for part in epcs.split(",")),
            per_page=DEFAULT_PER_PAGE if per_page is None else _parse_per_page(per_page),
            next_page_token=get("nextPageToken"),
        )

    def fingerprint(self) -> str:
        """A digest of the filters (not of perPage, nor the token): a page token serves this query only."""
        return fingerprint([
            None if self.event_type is None else sorted(self.event_type),
            None if self.ge_event_time is None else self.ge_event_time.astimezone(UTC).isoformat(),
            None if self.lt_event_time is None else self.lt_event_time.astimezone(UTC).isoformat(),
            None if self._biz_steps is None else sorted(self._biz_steps),
            None if self.match_epc is None else list(self.match_epc),
        ])

    def keeps(self, event: Mapping[str, Any], at: datetime) -> bool:
        """Whether ``event`` (happening at ``at``) meets every condition."""
        if self.event_type is not None and event.get("type") not in self.event_type:
            return False
        if self.ge_event_time is not None and at < self.ge_event_time:
            return False
        if self.lt_event_time is not None and at >= self.lt_event_time:
            return False
        if self._biz_steps is not None and bare_biz_step(str(event.get("bizStep", ""))) not in self._biz_steps:
            return False
        if self._patterns is not None:
            epcs = [epc for field in _EPC_FIELDS for epc in event.get(field, ())]
            if "parentID" in event:
                epcs.append(event["parentID"])
            return any(pattern.matches(epc) for pattern in self._patterns for epc in epcs)
        return True

    @cached_property
    def _biz_steps(self) -> frozenset[str] | None:
        return None if self.eq_biz_step is None else frozenset(bare_biz_step(step) for step in self.eq_biz_step)

    @cached_property
    def _patterns(self) -> tuple[EpcPattern, ...] | None:
        return None if self.match_epc is None else tuple(EpcPattern.parse(value) for value in self.match_epc)


def _key(index: int, event: Mapping[str, Any]) -> PageKey:
    text = event.get("eventTime")
    try:
        at = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        raise EpcisError(f"events[{index}].eventTime: expected a date-time with its UTC offset, got {text!r}")
    return at, str(event.get("eventID", ""))


def select(
    events: Sequence[Mapping[str, Any]], params: QueryParams, page_token: str | None = None
) -> tuple[list[Mapping[str, Any]], str | None]:
    """The page of ``events`` that ``params`` keep, starting after ``page_token`` (else after
    ``params.next_page_token``, else at the first), and the token of the next page, ``None`` after the last."""
    query = params.fingerprint()
    token = page_token if page_token is not None else params.next_page_token
    after = None if token is None else decode_token(token, query)
    kept: list[tuple[PageKey, Mapping[str, Any]]] = []
    for index, event in enumerate(events):
        key = _key(index, event)
        if params.keeps(event, key[0]) and (after is None or key > after):
            kept.append((key, event))
    kept.sort(key=lambda pair: pair[0])
    page = kept[: params.per_page]
    next_token = encode_token(page[-1][0], query) if len(kept) > params.per_page else None
    return [event for _, event in page], next_token

"""What the site tells its partners, read from the event log: each log event as zero or more *partner events*.

A partner event has a type a webhook subscribes to, a stable id (the site, the log event's id and
the type: the same step gives the same id after a restart or a re-delivery), an ordering key (the
trailer or truck it concerns: deliveries of one key keep their order) and its data::

    type               from the log event                       key      data
    truck_arrived      inbound_truck_arrived                    truck    truck, door, carrier, pallets
    truck_unloaded     inbound_truck_unloaded                   truck    truck, door
    asn_applied        asn_applied                              truck    asn, shipment_id, supplier, pallets
    asn_discrepancy    asn_discrepancy                          truck    truck, sscc, discrepancy (short, over,
                                                                         mismatch), fields
    pallet_received    scan (not rejected, first of a pallet)   -        sscc, door, outcome, trailer, area
    pallet_loaded      loaded                                   trailer  sscc, trailer, door, via
    trailer_departed   override_trailer_departed                trailer  trailer, door, destination, pallets
                                                                         aboard, pallets left
    pallet_late        override_trailer_departed, per pallet    trailer  sscc, trailer
                       left behind
    dispatch_advice    override_trailer_departed (with pallets  trailer  trailer, desadv (JSON), edifact
                       aboard, GLNs known)
    pallet_split       pallet_split (the breakdown station)     -        parent, area, children (sscc, destination,
                                                                         where each goes)
    alert_raised       alert_raised                             -        alert, kind, subject, message

:class:`SiteEvents` keeps which pallets were received already (a pallet scanned again is not
received again), so it reads the log in order, once (it follows an
:class:`~xdock.central.store.event_tail.EventTail`, or is fed rows in order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xdock.central.store.database import EventRow

__all__ = ["EVENT_TYPES", "PartnerEvent", "SiteEvents"]

EVENT_TYPES = (
    "truck_arrived", "truck_unloaded", "asn_applied", "asn_discrepancy", "pallet_received", "pallet_loaded",
    "trailer_departed", "pallet_late", "dispatch_advice", "pallet_split", "alert_raised",
)
"""Every type a webhook may subscribe to, in the order one log event gives them (its deliveries keep that order)."""


@dataclass(frozen=True)
class PartnerEvent:
    """One event told to partners."""

    id: str
    """Stable: ``<site>.<log event id>.<type>`` (``.<n>`` after it when one log event gives several)."""
    type: str
    at: datetime
    log_id: int
    """The id of the log event it comes from."""
    key: str | None
    """Trailer or truck it concerns: deliveries of one key keep their order."""
    data: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """The JSON body a webhook receives."""
        return {"id": self.id, "type": self.type, "timestamp": self.at.isoformat(), "data": self.data}


class SiteEvents:
    """Partner events of site ``site``'s log, read in log order (see the module docstring)."""

    def __init__(self, site: str, advise: Callable[[EventRow], dict[str, Any] | None] | None = None) -> None:
        """``advise``: a departure's dispatch advice payload (:mod:`~xdock.central.partners.dispatch_advice`)."""
        self.site = site
        self.advise = advise
        self._received: set[str] = set()

    def read(self, event: EventRow) -> list[PartnerEvent]:
        """The partner events of ``event`` (the next in the log)."""
        return list(self._read(event))

    def _one(
        self, event: EventRow, type_: str, key: str | None, data: dict[str, Any], n: int | None = None,
    ) -> PartnerEvent:
        suffix = "" if n is None else f".{n}"
        return PartnerEvent(f"{self.site}.{event.id}.{type_}{suffix}", type_, event.at, event.id, key, data)

    def _read(self, event: EventRow) -> Iterator[PartnerEvent]:
        body, kind = event.body, event.kind
        if kind in ("inbound_truck_arrived", "inbound_truck_unloaded"):
            data = {"truck": body.get("truck"), "door": body.get("door")}
            if kind == "inbound_truck_arrived":
                data |= {"carrier": body.get("carrier"), "pallets": body.get("pallets")}
            yield self._one(event, kind.removeprefix("inbound_"), body.get("truck"), data)
        elif kind == "asn_applied":
            yield self._one(event, "asn_applied", body.get("truck"), {
                k: body.get(k) for k in ("asn", "shipment_id", "supplier", "truck", "pallets")})
        elif kind == "asn_discrepancy":
            yield self._one(event, "asn_discrepancy", body.get("truck"), {
                "truck": body.get("truck"), "sscc": event.sscc, "discrepancy": body.get("discrepancy"),
                "fields": body.get("fields")})
        elif kind == "scan":
            yield from self._scan(event)
        elif kind == "loaded" and event.sscc is not None:
            yield self._one(event, "pallet_loaded", body.get("trailer"), {
                "sscc": event.sscc, "trailer": body.get("trailer"), "door": body.get("door"),
                "via": body.get("via", "handheld")})
        elif kind == "override_trailer_departed":
            trailer = body.get("trailer")
            yield self._one(event, "trailer_departed", trailer, {
                k: body.get(k) for k in ("trailer", "door", "destination", "pallets_aboard", "pallets_left")})
            for n, sscc in enumerate(body.get("pallets_left") or ()):
                yield self._one(event, "pallet_late", trailer, {"sscc": sscc, "trailer": trailer}, n)
            advice = None if self.advise is None else self.advise(event)
            if advice is not None:
                yield self._one(event, "dispatch_advice", trailer, advice)
        elif kind == "pallet_split" and event.sscc is not None:
            yield self._one(event, "pallet_split", None, {
                "parent": event.sscc, "area": body.get("area"),
                "children": [{k: c.get(k) for k in ("sscc", "destination", "state", "target")}
                             for c in body.get("children") or ()]})
        elif kind == "alert_raised":
            yield self._one(event, "alert_raised", None, {
                k: body.get(k) for k in ("alert", "kind", "subject", "message")})

    def _scan(self, event: EventRow) -> Iterator[PartnerEvent]:
        answer = event.body.get("answer") or {}
        sscc = event.sscc
        if sscc is None or answer.get("outcome") in (None, "rejected") or sscc in self._received:
            return
        self._received.add(sscc)
        scan = event.body.get("scan") or {}
        yield self._one(event, "pallet_received", None, {
            "sscc": sscc, "door": scan.get("door"), "outcome": answer.get("outcome"),
            "trailer": answer.get("trailer"), "area": answer.get("area")})

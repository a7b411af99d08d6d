"""The site's physical steps as GS1 EPCIS 2.0 events, read from the event log.

Each log event that records a physical step becomes a :class:`~xdock.partners.epcis.Step` and then its
EPCIS events (:func:`xdock.partners.epcis.events_for`)::

    log event                                     step        where (read point)       what
    scan, a pallet's first answered one           receiving   the inbound door         the pallet; its
                                                                                       ASN's shipment
    scan answered ``staged``                      staging     the staging area         the pallet
    loaded (handheld or RFID portal)              loading     the trailer's door       the pallet into
                                                                                       the trailer
    override_trailer_departed                     departing   the trailer's door       the pallets aboard,
                                                                                       the trailer's
                                                                                       readings
    pallet_split (the breakdown station)          breakdown   the breakdown area       the parent unpacked,
                                                                                       its children made
                                                                                       of it

A step's source is the site and the log event's id (and the step kind), so its events' ids are the
same after a restart or when the log is read again: an EPCIS repository receiving one twice keeps one.
Their content is the same too: a receiving names the shipment of an advice applied before the scan in
the log (``asn_applied``), never one applied after it, however late the log is read.
The read points and the business location are SGLNs of the site's GLN (``gln`` and
``gs1_company_prefix_length`` in the site file); a site file without them tells no EPCIS.

What EPCIS cannot carry is told in the log (a warning) and left out, no more: a step whose door, area or
trailer id does not fit an SGLN or a GIAI (the log event's other steps are still told); a shipment id no
business transaction URI can carry (the receiving is told without it); a reading of a sensor whose id
does not fit a GIAI (the departure is told without it).

A staging step is told when the pallet is sent to the area (the instruction), not when it is seen
there: no scanner stands in the staging lanes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, tzinfo
from functools import partial
from typing import Any

from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import AnnouncedPalletRow, EventRow
from xdock.central.store.event_tail import EventTail
from xdock.partners.epcis import EpcisError, Reading, SiteIdentity, Step, events_for

__all__ = ["EpcisLog", "site_identity"]

log = logging.getLogger(__name__)


def site_identity(config: SiteConfig) -> SiteIdentity | None:
    """The site's GS1 identity from its site file (``None``: it gives none, and the site tells no EPCIS)."""
    if config.gln is None or config.gs1_company_prefix_length is None:
        return None
    return SiteIdentity(config.gln, config.gs1_company_prefix_length)


class EpcisLog:
    """The EPCIS events of site ``site``'s log, followed from ``tail`` (see the module docstring).

    ``announced``: what advance shipping notices say of a pallet (its shipment id goes into the receiving
    event's business transactions).
    """

    def __init__(self, tail: EventTail, site: str, identity: SiteIdentity,
                 announced: Callable[[str], AnnouncedPalletRow | None], *, zone: tzinfo | None = None) -> None:
        """``zone``: the site's time zone, the events' ``eventTimeZoneOffset`` (``None``: the log's UTC)."""
        self.zone = zone
        self.tail = tail
        self.site = site
        self.identity = identity
        self.announced = announced
        self.events: list[dict[str, Any]] = []
        """Every EPCIS event so far, in log order."""
        self.fresh: list[tuple[int, dict[str, Any]]] = []
        """(log id, event) of the events added since :meth:`take_fresh` was last called."""
        self._received: set[str] = set()
        self._applied: set[str] = set()
        """The advance shipping notices applied so far in the log (``supplier GLN/shipment id``)."""
        tail.follow(self._take)

    def all(self) -> list[dict[str, Any]]:
        """Every EPCIS event of the log, read up to now."""
        self.tail.refresh()
        return self.events

    def take_fresh(self) -> list[tuple[int, dict[str, Any]]]:
        """The events added since the last call (with the id of the log event each comes from)."""
        fresh, self.fresh = self.fresh, []
        return fresh

    def _take(self, event: EventRow) -> None:
        if self.zone is not None:
            event = replace(event, at=event.at.astimezone(self.zone))
        built: list[dict[str, Any]] = []
        for make in self._steps(event):
            try:
                step = make()
                built.extend(events_for(step, self.identity))
            except EpcisError as exc:  # an id EPCIS cannot carry: told in the log, the other steps go on
                log.warning("log event %d (%s) tells no EPCIS event: %s", event.id, event.kind, exc)
                continue
            if step.kind == "receiving":
                self._received.add(step.ssccs[0])
        self.events.extend(built)
        self.fresh.extend((event.id, e) for e in built)

    def _steps(self, event: EventRow) -> Iterator[Callable[[], Step]]:
        """The steps ``event`` records, each to be made (a step EPCIS cannot carry is refused on making)."""
        body, sscc, source = event.body, event.sscc, f"{self.site}/event/{event.id}"
        if event.kind == "asn_applied" and isinstance(body.get("asn"), str):
            self._applied.add(body["asn"])
        elif event.kind == "scan" and sscc is not None:
            answer, scan = body.get("answer") or {}, body.get("scan") or {}
            if answer.get("outcome") in (None, "rejected"):
                return
            if sscc not in self._received:
                yield partial(Step, source, "receiving", event.at, (sscc,), str(scan.get("door")),
                              shipment_id=self._shipment(event, sscc))
            if answer.get("outcome") == "staged" and answer.get("area"):
                yield partial(Step, f"{source}/staging", "staging", event.at, (sscc,), str(answer["area"]))
        elif event.kind == "loaded" and sscc is not None and body.get("trailer") and body.get("door"):
            yield partial(Step, source, "loading", event.at, (sscc,), str(body["door"]), trailer=str(body["trailer"]))
        elif event.kind == "pallet_split" and sscc is not None and body.get("children") and body.get("area"):
            children = tuple(str(c["sscc"]) for c in body["children"])
            yield partial(Step, source, "breakdown", event.at, (sscc,), str(body["area"]), children=children)
        elif event.kind == "override_trailer_departed" and body.get("pallets_aboard") and body.get("door"):
            yield partial(Step, source, "departing", event.at, tuple(body["pallets_aboard"]), str(body["door"]),
                          trailer=str(body["trailer"]), readings=self._readings(event))

    def _shipment(self, event: EventRow, sscc: str) -> str | None:
        """The shipment of the advice that announced pallet ``sscc`` before ``event`` (``None``: none, or an id
        no business transaction URI can carry, told in the log: the receiving is told without it)."""
        notice = self.announced(sscc)
        if notice is None or notice.asn not in self._applied:
            return None
        shipment = notice.asn.split("/", 1)[1]
        try:
            self.identity.transaction_uri(shipment)
        except EpcisError as exc:
            log.warning("log event %d: pallet %s's receiving names no shipment: %s", event.id, sscc, exc)
            return None
        return shipment

    def _readings(self, event: EventRow) -> tuple[Reading, ...]:
        """The departure's readings, but one EPCIS cannot carry (a sensor id too long for a GIAI: told in the log)."""
        readings = []
        for r in event.body.get("readings") or ():
            try:
                self.identity.sensor_epc(str(r["sensor"]))
                readings.append(Reading(str(r["sensor"]), datetime.fromisoformat(r["at"]), float(r["value_c"])))
            except EpcisError as exc:
                log.warning("log event %d: the departure's reading of sensor %s is left out: %s", event.id,
                            r["sensor"], exc)
        return tuple(readings)

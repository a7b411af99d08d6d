"""Advance shipping notices: a supplier's despatch advice makes a truck and its pallets known before they arrive.

:meth:`AdvanceNotices.apply` takes one advice (:class:`xdock.partners.desadv.DespatchAdvice`, read
from EANCOM DESADV or its JSON form) in one store transaction: the advice, what it says of each
pallet in the site's terms (:class:`~xdock.central.store.database.AnnouncedPalletRow`: destinations
from the GLNs its lines go to, temperature class by the site's rules, dangerous-goods class (of a
pallet of several, the first the site's ``segregate`` rules name) and UN numbers, best-before, weight),
and its truck — announced, or given these pallets too when another supplier's advice announced it
already (:meth:`~xdock.central.site.inbound.InboundTrucks.bring`). The truck is the advice's means of
transport made an id (``AB 123 CD`` → ``AB-123-CD``), or else ``ASN-<supplier GLN>-<shipment id>`` (two
suppliers' shipments of one number stay two trucks). So the re-plan counts the truck's pallets by
destination before it arrives, and a scan of an announced pallet is routed with what the advice says
(:mod:`xdock.central.site.announced`).

An advice is refused whole (nothing of it applied) when a pallet's final destination is none of the
site's, when one of its SSCCs was announced by another advice, or when its shipment was applied
before with other content (409). The same advice sent again is applied once: its key (supplier GLN
and shipment id) and digest (SHA-256 of its JSON form) match, and the answer says it was a copy.

Receiving against the advice (:meth:`AdvanceNotices.receiving`): for a truck, the announced pallets
scanned (``received``), not scanned (``pending`` while the truck is unloading, ``short`` once it is
unloaded), the pallets first scanned at its door while it was there that no advice announced on it
(``over``), and those whose label disagreed with their advice (``mismatched``). A truck no advice
announced pallets on is not checked (nothing is over), and the child pallets a split made of a mixed
pallet (:mod:`xdock.central.site.breakdown`) count neither as announced nor as over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xdock.central.alerts.book import AlertKind, Alerts
from xdock.central.optimiser.schema import temp_class
from xdock.central.site.inbound import InboundRefusedError, InboundTrucks
from xdock.central.site.state import SiteState
from xdock.central.store.database import AnnouncedLine, AnnouncedPalletRow, AsnRow, InboundTruckRow, Store, Transaction
from xdock.partners.desadv import DespatchAdvice, PalletAdvice, to_json

__all__ = ["AdvanceNotices", "AsnApplied", "Mismatched", "Receiving", "announced_count"]

log = logging.getLogger(__name__)

_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class AsnApplied:
    """What applying an advice did."""

    asn: AsnRow
    truck: InboundTruckRow
    copy: bool
    """The same advice had been applied before: nothing changed now."""
    pallets: int


@dataclass(frozen=True)
class Mismatched:
    sscc: str
    fields: dict[str, list[str | None]]
    """Field → ``[label, advice]``."""


@dataclass(frozen=True)
class Receiving:
    """One truck's pallets against its advance shipping notices."""

    truck: str
    state: str
    announced: int
    received: tuple[str, ...]
    pending: tuple[str, ...]
    """Announced, not scanned yet, the truck not unloaded."""
    short: tuple[str, ...]
    """Announced, never scanned, the truck unloaded."""
    over: tuple[str, ...]
    """Scanned at the truck's door while it was there, announced on no advice of it."""
    mismatched: tuple[Mismatched, ...]


def announced_count(row: AsnRow) -> int:
    """The pallets advice ``row`` announced (not the child pallets a split made of them since)."""
    return len(row.document["pallets"])


def _truck_id(advice: DespatchAdvice) -> str:
    """The advice's truck as an id: its means of transport (a licence plate, ``AB 123 CD`` → ``AB-123-CD``), or
    else one of its own, ``ASN-<supplier GLN>-<shipment id>`` (shipment ids are the supplier's: two suppliers
    may both send a ``0001``)."""
    if advice.truck_id is not None:
        return _NOT_ID.sub("-", advice.truck_id)
    return f"ASN-{advice.supplier_gln}-{_NOT_ID.sub('-', advice.shipment_id)}"


def _kept_class(classes: list[str], segregate: list[list[str]]) -> str | None:
    """The one dangerous-goods class a pallet of ``classes`` is routed with: the first the site's
    ``segregate`` pairs name (so a rule on any of its classes bites), else its first."""
    named = {c for pair in segregate for c in pair}
    return next((c for c in classes if c in named), classes[0] if classes else None)


class AdvanceNotices:
    """The site's advance shipping notices (see the module docstring)."""

    def __init__(self, store: Store, state: SiteState, trucks: InboundTrucks) -> None:
        self.store = store
        self.state = state
        self.trucks = trucks
        state.announced.update((p.sscc, p) for p in store.announced_pallets())
        self._listeners: list[Callable[[AsnApplied], None]] = []

    def on_applied(self, listener: Callable[[AsnApplied], None]) -> None:
        """Call ``listener`` after each advice newly applied (not for a copy)."""
        self._listeners.append(listener)

    def apply(self, advice: DespatchAdvice, *, source: str, by: str) -> AsnApplied:
        """Apply ``advice`` whole or refuse it (:class:`~xdock.central.site.inbound.InboundRefusedError`)."""
        document = to_json(advice)
        digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        asn_id = f"{advice.supplier_gln}/{advice.shipment_id}"
        earlier = self.store.asn(asn_id)
        if earlier is not None:
            if earlier.digest != digest:
                raise InboundRefusedError(
                    409, "shipment_id", f"shipment {advice.shipment_id} of supplier {advice.supplier_gln} was applied"
                    f" on {earlier.received_at.isoformat()} with other content; send a new shipment id")
            return AsnApplied(earlier, self.trucks.get(earlier.truck), copy=True, pallets=announced_count(earlier))
        truck_id = _truck_id(advice)
        pallets = [self._announced(i, p, asn_id, truck_id, advice.ultimate_consignee_gln)
                   for i, p in enumerate(advice.pallets)]
        now = self.trucks.clock.now()
        row = AsnRow(id=asn_id, supplier_gln=advice.supplier_gln, shipment_id=advice.shipment_id, digest=digest,
                     truck=truck_id, received_at=now, source=source, document=document)
        by_destination: dict[str, int] = {}
        for pallet in pallets:
            if not pallet.mixed and pallet.destinations:
                by_destination[pallet.destinations[0]] = by_destination.get(pallet.destinations[0], 0) + 1

        def write(tx: Transaction, at: datetime) -> None:
            tx.put_asn(row, pallets)
            tx.append_event(at, "asn_applied", {
                "asn": asn_id, "shipment_id": advice.shipment_id, "supplier": advice.supplier_gln, "truck": truck_id,
                "pallets": len(pallets), "mixed": sum(p.mixed for p in pallets), "source": source, "by": by,
            })

        truck = self.trucks.bring(
            truck_id, eta=advice.expected_arrival or now, pallets=len(pallets), destinations=by_destination,
            carrier=None if advice.carrier is None else advice.carrier.name or advice.carrier.gln, by=by, also=write,
        )
        self.state.announced.update((p.sscc, p) for p in pallets)
        log.info("ASN %s applied from %s: %d pallets on truck %s", asn_id, source, len(pallets), truck_id)
        applied = AsnApplied(row, truck, copy=False, pallets=len(pallets))
        for listener in self._listeners:
            listener(applied)
        return applied

    def _announced(
        self, index: int, pallet: PalletAdvice, asn_id: str, truck_id: str, default_gln: str | None,
    ) -> AnnouncedPalletRow:
        where = f"pallets[{index}] (SSCC {pallet.sscc})"
        if pallet.sscc in self.state.announced:
            other = self.state.announced[pallet.sscc]
            raise InboundRefusedError(409, "pallets", f"{where}: already announced by ASN {other.asn}")
        by_gln = {gln: d.id for d in self.state.destinations.values() for gln in d.glns}

        def destination(gln: str) -> str:
            if gln not in by_gln:
                known = ", ".join(sorted(by_gln)) or "none"
                raise InboundRefusedError(
                    422, "pallets", f"{where}: final destination GLN {gln} is no GLN of the site's destinations"
                    f" (theirs: {known})")
            return by_gln[gln]

        lines = tuple(
            AnnouncedLine(line.gtin, line.quantity, line.best_before,
                          None if line.final_destination_gln is None else destination(line.final_destination_gln))
            for line in pallet.lines
        )
        found = {x.destination for x in lines if x.destination is not None}
        if not found and default_gln is not None:
            found = {destination(default_gln)}
        destinations = tuple(sorted(found))
        rules = self.state.config.rules
        bests = [x.best_before for x in lines if x.best_before is not None]
        return AnnouncedPalletRow(
            sscc=pallet.sscc, asn=asn_id, truck=truck_id, destinations=destinations,
            temp=temp_class(pallet.max_temp_c, chilled_max=rules.chilled_max_c, frozen_max=rules.frozen_max_c),
            hazmat=_kept_class([d.adr_class for d in pallet.dangerous_goods], rules.segregate),
            un_numbers=tuple(d.un_number for d in pallet.dangerous_goods), best_before=min(bests) if bests else None,
            weight_kg=pallet.gross_weight_kg, lines=lines,
        )

    def report_unloaded(self, truck_id: str, alerts: Alerts) -> Receiving:
        """Truck ``truck_id`` is unloaded: one ``asn_discrepancy`` event per pallet short, over or mismatched
        (the integrators' webhooks), and an alert of each kind that has any (subject: the truck)."""
        report = self.receiving(truck_id)
        found: list[tuple[str, str, dict[str, Any]]] = [
            *(("short", s, {}) for s in report.short), *(("over", s, {}) for s in report.over),
            *(("mismatch", m.sscc, {"fields": m.fields}) for m in report.mismatched),
        ]
        if not found:
            return report
        now = self.trucks.clock.now()
        with self.store.transaction() as tx:
            for kind, sscc, more in found:
                tx.append_event(now, "asn_discrepancy", {"truck": truck_id, "discrepancy": kind, **more}, sscc=sscc)
        kinds: list[tuple[AlertKind, tuple[str, ...], str]] = [
            ("asn_short", report.short, "announced, not received"),
            ("asn_over", report.over, "received, not announced"),
            ("asn_mismatch", tuple(m.sscc for m in report.mismatched), "label and advance shipping notice disagree"),
        ]
        for kind, ssccs, label in kinds:
            if ssccs:
                shown = ", ".join(ssccs[:5]) + (f" +{len(ssccs) - 5}" if len(ssccs) > 5 else "")
                alerts.raise_alert(kind, truck_id, now, f"Truck {truck_id}: {len(ssccs)} pallet(s) {label}: {shown}")
        return report

    def receiving(self, truck_id: str) -> Receiving:
        """Truck ``truck_id``'s pallets against its advices (404 if no such truck). A truck no advice
        announced pallets on has nothing to be checked against: nothing is over. The child pallets a split
        made of its pallets (:mod:`xdock.central.site.breakdown`) are none of them, nor over."""
        truck = self.trucks.get(truck_id)
        ours = {s: p for s, p in self.state.announced.items() if p.truck == truck_id}
        announced = {s: p for s, p in ours.items() if p.parent is None}
        scanned = self.state.pallets
        received = tuple(sorted(s for s in announced if s in scanned))
        missing = tuple(sorted(s for s in announced if s not in scanned))
        over: tuple[str, ...] = ()
        if announced and truck.arrived_at is not None and truck.door is not None:
            until = truck.unloaded_at
            over = tuple(sorted(
                s for s, row in scanned.items()
                if row.inbound_door == truck.door and row.first_seen >= truck.arrived_at
                and (until is None or row.first_seen <= until) and s not in ours
            ))
        mismatched = tuple(Mismatched(s, p.mismatch) for s, p in sorted(announced.items()) if p.mismatch)
        unloaded = truck.state == "unloaded"
        return Receiving(
            truck=truck_id, state=truck.state, announced=len(announced), received=received,
            pending=() if unloaded else missing, short=missing if unloaded else (), over=over, mismatched=mismatched,
        )

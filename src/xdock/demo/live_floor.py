"""The floor the demo's live policy drives, on the event loop: central's site core, the scanners, the portals.

Each method is one step of :mod:`xdock.demo.live_policy`'s path (read it there, in the order it happens);
they run on the event loop, where central and the devices live, and keep central's books the engine's.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TextIO

from xdock.central.site.live_site import LiveSite
from xdock.central.site.outbound import TrailerRefusedError
from xdock.central.site.overrides import OverrideRefusedError
from xdock.central.store.database import PalletRow
from xdock.demo.advices import despatch_advice, interchange
from xdock.demo.rfid import Portals
from xdock.demo.screen import DemoLog, ScanRecord, render_line
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.simulation.layout import Layout
from xdock.simulation.model import Day, InboundTruck, OutboundTrailer, PalletPlan
from xdock.simulation.policy import Changes, Target
from xdock.simulators.pallet_labels import PalletLabels
from xdock.simulators.worker import scan_and_wait

__all__ = ["BY", "LOAD_DEVICE", "LiveFloor"]

BY = "yard"
"""Who central's audit events name for the demo yard's and supervisor's commands."""
LOAD_DEVICE = "forklift"
"""The device central's load confirmations name when the forklift confirms."""

log = logging.getLogger(__name__)


@dataclass
class LiveFloor:
    """What the policy drives, on the event loop: central's site core, the scanners, the portals, the log."""

    site: LiveSite
    scanners: Mapping[str, MockScanner]
    """Inbound door → the mock scanner its edge reads."""
    labels: PalletLabels
    log: DemoLog
    portals: Portals | None = None
    plain: TextIO | None = None
    """Where a line per scan goes (``None``: nowhere, the live screen shows them)."""
    _known: dict[str, Target | None] = field(default_factory=dict)
    """Pallets scanned and not aboard → the target the engine was last told."""
    _announced: set[str] = field(default_factory=set)
    """Trailers central knows (of the site file, or announced)."""
    _in_flight: dict[str, set[str]] = field(default_factory=dict)
    """Trailer → pallets put aboard at its portal door whose passage central may not have yet."""
    _phantoms: Counter[str] = field(default_factory=Counter)
    """Trailer → pallets aboard in the engine that central refused there (it counts them elsewhere)."""

    def __post_init__(self) -> None:
        self._announced.update(self.site.state.trailers)

    # -- inbound ------------------------------------------------------------------------------------------

    def announce(self, day: Day, trucks: Sequence[InboundTruck]) -> None:
        """Announce ``trucks`` to central, each by its supplier's despatch advice (an EDIFACT DESADV, its arrival
        as the expected one) when the site file gives the GLNs it needs, else by the yard (pallets by destination)."""
        config = self.site.config
        for truck in trucks:
            eta = day.start + timedelta(minutes=truck.arrival_min)
            if config.gln is not None and all(d.glns for d in config.destinations):
                _, advice = interchange(config, despatch_advice(config, truck, issued=self.site.clock.now(), eta=eta))
                self.site.apply_asn(advice, source="demo-supplier", by=BY)
                continue
            flows = Counter(p.destination for p in truck.pallets)
            self.site.announce_truck(truck.id, eta=eta, pallets=len(truck.pallets),
                                     destinations=dict(sorted(flows.items())), carrier=truck.supplier or None, by=BY)

    def truck_door(self, truck: InboundTruck, doors: Sequence[str]) -> str:
        """The door of ``truck`` among the free scanner ``doors``: central's suggestion, else the first."""
        suggested = self.site.inbound_truck(truck.id).suggested_door
        return suggested if suggested is not None and suggested in doors else doors[0]

    def arrived(self, truck: InboundTruck, door: str) -> None:
        """``truck`` is at ``door``."""
        self.site.truck_arrived(truck.id, door, by=BY)

    def unloaded(self, truck: InboundTruck) -> None:
        """``truck`` is empty and leaves its door."""
        self.site.truck_unloaded(truck.id, by=BY)

    async def scan(self, day: Day, pallet: PalletPlan, door: str) -> Target | None:
        """The worker at ``door`` scans ``pallet`` (a slip first, now and then); its target in central."""
        rules = day.site.rules
        max_temp = {"ambient": None, "chilled": rules.chilled_max_c, "frozen": rules.frozen_max_c}[pallet.temp]
        scanner = self.scanners[door]
        for label in self.labels.scans(pallet.sscc, pallet.postal_code, max_temp_c=max_temp,
                                       dangerous_goods=pallet.dangerous is not None):
            answer = await scan_and_wait(scanner, label.text, symbology=label.symbology)
            record = ScanRecord(self.site.clock.now(), door, label.kind, label.sscc, answer)
            self.log.add(record)
            if self.plain is not None:
                self.plain.write(render_line(record, record.at.astimezone(day.site.zone)) + "\n")
                self.plain.flush()
        row = self.site.state.pallets.get(pallet.sscc)
        target = None if row is None else self._target(row, day)
        self._known[pallet.sscc] = target
        return target

    # -- outbound -----------------------------------------------------------------------------------------

    def trailer_door(self, trailer: OutboundTrailer, free: Sequence[str], layout: Layout) -> str | None:
        """A trailer of the site file: its door when free. Any other: the free door nearest the scanner doors."""
        planned = self.site.state.trailers.get(trailer.id)
        if planned is not None:
            return planned.plan.door if planned.plan.door in free else None
        if not free:
            return None
        return min(free, key=lambda d: (sum(layout.metres(d, s) for s in self.scanners), free.index(d)))

    def dock(self, day: Day, trailer: OutboundTrailer, door: str) -> Changes:
        """``trailer`` is at ``door``: announced to central (unless of the site file, or already late)."""
        departure = day.start + timedelta(minutes=trailer.departure_min)
        if trailer.id not in self._announced and departure <= self.site.clock.now():
            log.info("trailer %s got door %s after its departure: it leaves unannounced", trailer.id, door)
        elif trailer.id not in self._announced:
            try:
                self.site.announce_trailer(trailer.id, destination=trailer.destination, door=door,
                                           departure=departure, capacity_pallets=trailer.capacity,
                                           reefer=trailer.reefer, accepts_hazmat=trailer.accepts_hazmat, by=BY)
            except TrailerRefusedError as exc:  # the engine's yard and central disagree: it leaves unannounced
                log.warning("trailer %s at %s not announced: %s: %s", trailer.id, door, exc.field, exc.detail)
            else:
                self._announced.add(trailer.id)
        return self.changed(day)

    def load(self, sscc: str, trailer: str) -> None:
        """The engine's forklift put ``sscc`` aboard ``trailer``: through the portal there, or confirmed (unless
        central sent it elsewhere meanwhile)."""
        self._known.pop(sscc, None)
        row = self.site.state.pallets.get(sscc)
        if row is None or row.state == "loaded":  # never answered, or loaded already (a late portal report)
            if row is None or row.trailer != trailer:
                log.warning("pallet %s aboard %s, central has it %s", sscc, trailer,
                            "nowhere" if row is None else f"loaded on {row.trailer}")
                self._phantoms[trailer] += 1
            return
        if row.trailer != trailer:
            try:  # central sent it elsewhere while the forklift had it: it is aboard this one
                self.site.assign_pallet(sscc, trailer, by=BY)
            except OverrideRefusedError as exc:
                log.warning("pallet %s aboard %s, central refuses it there: %s", sscc, trailer, exc.detail)
                self._phantoms[trailer] += 1
                return
        door = self.site.state.trailers[trailer].plan.door
        if self.portals is not None and door in self.portals.readers:
            self.portals.load(sscc, door)
            self._in_flight.setdefault(trailer, set()).add(sscc)
        else:
            self.site.confirm_load(sscc, door, device=LOAD_DEVICE)

    def depart(self, day: Day, trailer: OutboundTrailer) -> Changes:
        """``trailer`` leaves: its pallets whose portal passage central has not had yet are confirmed by the
        forklift first, then it is departed."""
        state = self.site.state.trailers.get(trailer.id)
        if state is not None and not state.departed:
            pallets = self.site.state.pallets
            for sscc in sorted(self._in_flight.pop(trailer.id, set())):
                row = pallets.get(sscc)
                if row is not None and row.state == "assigned" and row.trailer == trailer.id:
                    self.site.confirm_load(sscc, state.plan.door, device=LOAD_DEVICE)
            self.site.depart_trailer(trailer.id, by=BY)
        return self.changed(day)

    def close(self, doors: Sequence[str]) -> None:
        """Close ``doors`` in central for the day (inbound doors with no scanner)."""
        for door in doors:
            self.site.set_door(door, open_=False, by=BY)

    def set_door(self, day: Day, door: str, *, open_: bool) -> Changes:
        self.site.set_door(door, open_=open_, by=BY)
        return self.changed(day)

    def changed(self, day: Day) -> Changes:
        """Pallets not aboard whose row in central now says another target than the engine was told."""
        pallets = self.site.state.pallets
        changes: dict[str, Target | None] = {}
        for sscc, known in self._known.items():
            row = pallets.get(sscc)
            target = None if row is None else self._target(row, day)
            if target != known:
                changes[sscc] = target
        self._known.update(changes)
        return changes

    def _target(self, row: PalletRow, day: Day) -> Target | None:
        """Where the engine sends the pallet of ``row``: its trailer, its staging area, or nowhere yet (it stays
        where it stands; also when its trailer holds, in the engine, pallets central refused there and has no
        room left for this one)."""
        if row.state == "assigned" and row.trailer is not None:
            trailer = self.site.state.trailers[row.trailer]
            if len(trailer.pallets) + self._phantoms[row.trailer] > trailer.plan.capacity_pallets:
                return None
            return Target("trailer", row.trailer)
        return _area(row, day)


def _area(row: PalletRow, day: Day) -> Target | None:
    area = row.target
    if row.state in ("staged", "breakdown") and any(a.id == area and a.kind == "staging" for a in day.site.areas):
        assert area is not None
        return Target("staging", area)
    return None

"""The site core: the one owner of the live site.

:class:`LiveSite` owns what the floor is right now — the site's state (doors, trailers, pallets), its
store, the one dispatcher that decides where pallets go, its alerts and its clock — and is the only way
they change. It takes commands (a scan, a door passage, a sensor reading, an offline answer reported, a
supervisor's override, an inbound truck announced, arrived or unloaded, an outbound trailer announced, a
load confirmed, a rematch or a re-plan to adopt, :meth:`LiveSite.tick`) and tells listeners what happened
(:meth:`LiveSite.on_scan`, :meth:`LiveSite.on_plan_changed`, :meth:`LiveSite.on_trucks_changed`).

Opportunistic cross-docking: every command that frees room at a door — an outbound trailer announced,
a door opened again, a trailer moved to another (open) door, a trailer departed (its pallets not aboard
need the next one) — re-matches the staged pallets at once (:meth:`LiveSite.rematch`), without waiting for
the planning loop's next round. Every command that may change the plan then tells the plan's listeners
once (the edges' routing tables, the dashboard).

It does no network I/O and reads time only from the injected clock: the MQTT ingest, the HTTP API, the
planning loop, the live hub and the demo call it, and so can a simulator running a week of site time in
seconds. Its parts (:mod:`~xdock.central.site.scans`, :mod:`~xdock.central.site.passages`,
:mod:`~xdock.central.site.overrides`, :mod:`~xdock.central.site.loading`,
:mod:`~xdock.central.site.offline_answers`, :mod:`~xdock.central.site.inbound`,
:mod:`~xdock.central.site.outbound`, and the sensors'
rules in :mod:`xdock.central.sensors.service`) share one :class:`~xdock.central.site.parts.SiteParts`;
nothing outside the core holds it.

Reading: :attr:`LiveSite.state` is the live view (read it, never change it); the other views
(:meth:`plan`, :meth:`floor`, the counters, :attr:`loads`) are read-only too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from xdock.central.alerts.book import Alerts
from xdock.central.optimiser.dispatcher import Dispatcher
from xdock.central.optimiser.plan import Plan
from xdock.central.optimiser.schema import Floor
from xdock.central.sensors.service import SensorService, SensorStats
from xdock.central.site.asns import AdvanceNotices, AsnApplied, Receiving
from xdock.central.site.breakdown import Breakdown, Child, ChildPlan
from xdock.central.site.floor_view import floor_from
from xdock.central.site.held_positions import Connected, HeldPositions
from xdock.central.site.inbound import InboundTrucks
from xdock.central.site.loading import LoadBook, LoadResult
from xdock.central.site.offline_answers import OfflineAnswers, OfflineAnswersStats, Outcome
from xdock.central.site.outbound import OutboundTrailers, restore
from xdock.central.site.overrides import OverrideResult, Overrides, Standing
from xdock.central.site.parts import ScanStats, SiteParts
from xdock.central.site.passages import PassageResult, PassageService, PassageStats
from xdock.central.site.scans import Applied, ScanService
from xdock.central.site.state import SiteState, TrailerState
from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import AnnouncedPalletRow, AsnRow, InboundTruckRow, PalletRow, Store
from xdock.central.store.event_tail import EventTail
from xdock.central.telemetry.sink import TelemetrySink
from xdock.partners.desadv import DespatchAdvice
from xdock.protocol.clock import Clock
from xdock.protocol.messages import Assignment, OfflineAnswerShown, ScanEvent
from xdock.protocol.passages import DoorPassage
from xdock.protocol.sensors import SensorReading

__all__ = ["LiveSite"]

log = logging.getLogger(__name__)


class LiveSite:
    """One site's live floor: its commands, its views, its events (see the module docstring).

    ``telemetry``: where sensor readings are recorded as points (``None``: nowhere).
    """

    def __init__(self, config: SiteConfig, store: Store, clock: Clock, *,
                 telemetry: TelemetrySink | None = None) -> None:
        state = SiteState(config, clock.now().astimezone(config.zone).date())
        restore(state, store.outbound_trailers())  # before the pallets sent to them are decided again
        state.load(store.pallets())
        parts = SiteParts(config, state, store, Dispatcher(floor_from(state)), Alerts(store), clock)
        self._parts = parts
        self._scans = ScanService(parts)  # first: it re-decides the pallets found in the store
        self._overrides = Overrides(parts)
        self._outbound = OutboundTrailers(parts)
        self._passages = PassageService(parts)
        self._offline = OfflineAnswers(parts)
        self._trucks = InboundTrucks.for_site(store, clock, state)
        self._notices = AdvanceNotices(store, state, self._trucks)
        self._breakdown = Breakdown(parts)
        self._sensors = SensorService(config, store, parts.alerts, clock, pallets=lambda: state.pallets,
                                      telemetry=telemetry)
        self._loads = LoadBook(parts, EventTail(store))
        self._plan_listeners: list[Callable[[], None]] = []

    # -- views --------------------------------------------------------------------------------------

    @property
    def config(self) -> SiteConfig:
        """The validated site file."""
        return self._parts.config

    @property
    def clock(self) -> Clock:
        """The clock the site reads its time from."""
        return self._parts.clock

    @property
    def state(self) -> SiteState:
        """The live doors, trailers and pallets: read them, never change them."""
        return self._parts.state

    @property
    def alerts(self) -> Alerts:
        """The site's alerts: raised by the site's own rules, by edges' liveness; acknowledged by supervisors."""
        return self._parts.alerts

    @property
    def loads(self) -> LoadBook:
        """Loads confirmed and mis-loads stopped, read from the event log (:meth:`confirm_load` adds one)."""
        return self._loads

    @property
    def stats(self) -> ScanStats:
        """Scans applied since the process started, by outcome."""
        return self._parts.stats

    @property
    def passage_stats(self) -> PassageStats:
        return self._passages.stats

    @property
    def offline_answer_stats(self) -> OfflineAnswersStats:
        return self._offline.stats

    @property
    def sensor_stats(self) -> SensorStats:
        return self._sensors.stats

    def latest_readings(self) -> Mapping[str, SensorReading]:
        """The newest reading of each sensor heard from, by sensor id."""
        return self._sensors.latest()

    def plan(self) -> Plan:
        """The dispatcher's current plan: every pallet's move that is not frozen, trailers' and trucks' doors."""
        return self._parts.dispatcher.plan()

    def trailer_doors(self) -> dict[str, str]:
        """The door each trailer loads at in the current plan (cheaper than ``plan().trailer_doors``)."""
        return self._parts.dispatcher.trailer_doors()

    def floor(self) -> Floor:
        """The optimiser's view of the floor now (the re-plan's input, the routing tables' source)."""
        return self._parts.dispatcher.floor

    def room(self, trailer_id: str) -> int:
        """Positions of ``trailer_id`` neither loaded nor promised."""
        return self._parts.dispatcher.room(trailer_id)

    def closed_doors(self) -> frozenset[str]:
        """Doors a supervisor closed."""
        return frozenset(self._overrides.closed)

    def standing_overrides(self) -> Standing:
        """The supervisor's overrides that stand (doors closed, trailers moved or departed)."""
        return self._overrides.standing()

    def inbound_trucks(self) -> list[InboundTruckRow]:
        """Every inbound truck announced, by ETA then id."""
        return self._trucks.all()

    def inbound_truck(self, truck_id: str) -> InboundTruckRow:
        """One inbound truck (:class:`~xdock.central.site.inbound.InboundRefusedError` 404 if unknown)."""
        return self._trucks.get(truck_id)

    # -- events -------------------------------------------------------------------------------------

    def on_scan(self, listener: Callable[[ScanEvent, Assignment], None]) -> None:
        """Call ``listener(scan, answer)`` after each newly applied scan (not for a redelivery)."""
        self._scans.on_applied(listener)

    def on_plan_changed(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` when the plan may differ: a re-plan or rematch adopted, an override taken, an
        outbound trailer announced (once per command)."""
        self._plan_listeners.append(listener)

    def on_trucks_changed(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after an inbound truck was announced, moved or given a suggested door."""
        self._trucks.on_change(listener)

    def _plan_changed(self) -> None:
        for listener in self._plan_listeners:
            listener()

    # -- commands from the floor ----------------------------------------------------------------------

    def apply_scan(self, event: ScanEvent) -> Applied:
        """Apply one scan exactly once (see :mod:`xdock.central.site.scans`)."""
        return self._scans.apply(event)

    def apply_scans(self, events: Sequence[ScanEvent]) -> list[Applied]:
        """Apply ``events`` in order, in one transaction."""
        return self._scans.apply_batch(events)

    def record_clock_skew(self, skewed: Sequence[tuple[ScanEvent, float]]) -> None:
        """Keep a ``clock_skew`` event for each applied scan whose time was ``skew_s`` seconds off the site's."""
        if not skewed:
            return
        now = self.clock.now()
        with self._parts.store.transaction() as tx:
            for event, seconds in skewed:
                log.warning("scan %s/%d applied with clock skew %+.0f s", event.edge_id, event.seq, seconds,
                            extra={"edge": event.edge_id, "seq": event.seq, "sscc": event.sscc})
                body = {"scanned_at": event.scanned_at.isoformat(), "received_at": now.isoformat(), "skew_s": seconds}
                tx.append_event(now, "clock_skew", body, sscc=event.sscc, edge_id=event.edge_id, seq=event.seq)

    def apply_passage(self, passage: DoorPassage) -> PassageResult:
        """Apply one RFID door passage exactly once (see :mod:`xdock.central.site.passages`)."""
        return self._passages.apply(passage)

    def apply_offline_answer(self, report: OfflineAnswerShown) -> Outcome:
        """Record an offline answer an edge reports it showed after its scan had left, once."""
        return self._offline.apply(report)

    def apply_reading(self, reading: SensorReading) -> bool:
        """Take one sensor reading once (``False``: a redelivery); raises or clears its alerts."""
        return self._sensors.apply(reading)

    def confirm_load(self, sscc: str, at: str, *, device: str) -> LoadResult:
        """A worker confirms pallet ``sscc`` loaded at door or trailer ``at`` (a handheld scan)."""
        return self._loads.confirm(sscc, at, device=device, now=self.clock.now())

    def tick(self) -> None:
        """Let site time pass to the clock's now: sensor conditions that outlasted their grace raise alerts,
        those that ended clear."""
        self._sensors.evaluate()

    # -- a supervisor's overrides (see :mod:`xdock.central.site.overrides`) ---------------------------

    def set_door(self, door_id: str, *, open_: bool, by: str) -> OverrideResult:
        """Open or close a door; a door opened again re-matches staged pallets at once."""
        result = self._overrides.set_door(door_id, open_=open_, by=by)
        return replace(result, rematched=self._changed(freed=open_))

    def move_trailer(self, trailer_id: str, door_id: str, *, by: str) -> OverrideResult:
        """Load a trailer at another door from now on; staged pallets are re-matched at once."""
        result = self._overrides.move_trailer(trailer_id, door_id, by=by)
        return replace(result, rematched=self._changed(freed=True))

    def depart_trailer(self, trailer_id: str, *, by: str) -> OverrideResult:
        """A trailer has left (one of the site file's or one announced at run time); its pallets not aboard
        are re-matched at once (to the next trailer for their destination, where one has room)."""
        result = self._overrides.depart(trailer_id, by=by, readings=self._trailer_readings(trailer_id))
        return replace(result, rematched=self._changed(freed=True))

    def _trailer_readings(self, trailer_id: str) -> list[dict[str, Any]]:
        """The latest reading of each temperature sensor watching ``trailer_id``, if that reading is a
        temperature (an edge may send another kind under the sensor's id: no °C to record then)."""
        latest = self._sensors.latest()
        return [
            {"sensor": s.id, "at": r.at.isoformat(), "value_c": r.value}
            for s in self.config.sensors if s.kind == "temperature" and s.trailer == trailer_id
            and (r := latest.get(s.id)) is not None and r.kind == "temperature"
        ]

    def assign_pallet(self, sscc: str, trailer_id: str, *, by: str) -> OverrideResult:
        """Send a pallet to a trailer the dispatcher's rules allow."""
        result = self._overrides.assign(sscc, trailer_id, by=by)
        self._changed(freed=False)
        return result

    # -- outbound trailers (see :mod:`xdock.central.site.outbound`) -----------------------------------

    def announce_trailer(
        self, trailer_id: str, *, destination: str, door: str, departure: datetime, capacity_pallets: int,
        reefer: bool = False, accepts_hazmat: bool = True, capacity_kg: float = 24_000.0, by: str,
    ) -> TrailerState:
        """An outbound trailer is at ``door`` from now on and takes pallets for ``destination`` until
        ``departure``; staged pallets are re-matched at once. Returns the live trailer (read it, never
        change it); refused with :class:`~xdock.central.site.outbound.TrailerRefusedError`."""
        trailer = self._outbound.announce(
            trailer_id, destination=destination, door=door, departure=departure, capacity_pallets=capacity_pallets,
            reefer=reefer, accepts_hazmat=accepts_hazmat, capacity_kg=capacity_kg, by=by,
        )
        self._changed(freed=True)
        return trailer

    def _changed(self, *, freed: bool) -> dict[str, str | None]:
        """After a command that changed the floor: when it ``freed`` room, staged pallets that now fit a
        trailer get it (returned, SSCC → trailer); then the plan's listeners are told, once."""
        rematched = self._scans.rematch() if freed else {}
        self._plan_changed()
        return rematched

    # -- inbound trucks (see :mod:`xdock.central.site.inbound`) ---------------------------------------

    def announce_truck(
        self, truck_id: str, *, eta: datetime, pallets: int, carrier: str | None = None, door: str | None = None,
        destinations: Mapping[str, int] | None = None, by: str,
    ) -> InboundTruckRow:
        """An inbound truck is expected."""
        return self._trucks.announce(truck_id, eta=eta, pallets=pallets, carrier=carrier, door=door,
                                     destinations=destinations, by=by)

    def truck_arrived(self, truck_id: str, door: str, *, by: str) -> InboundTruckRow:
        """An inbound truck is at an inbound door."""
        return self._trucks.arrive(truck_id, door, by=by)

    def truck_unloaded(self, truck_id: str, *, by: str) -> InboundTruckRow:
        """An inbound truck is empty and leaves its door; receiving is checked against its advance shipping
        notices (pallets short, over, mismatched: events and alerts, see :mod:`xdock.central.site.asns`)."""
        row = self._trucks.unloaded(truck_id, by=by)
        self._notices.report_unloaded(truck_id, self._parts.alerts)
        return row

    # -- the breakdown station (see :mod:`xdock.central.site.breakdown`) ---------------------------------

    def split_pallet(self, sscc: str, *, children: Sequence[ChildPlan] | None = None, by: str) -> list[Child]:
        """A mixed pallet at a breakdown area is taken apart into child pallets (one per destination by default),
        each with a new SSCC and routed at once; the plan's listeners are told."""
        made = self._breakdown.split(sscc, children=children, by=by)
        self._plan_changed()
        return made

    def children_of(self, parent: str) -> list[Child]:
        """The child pallets ``parent`` was split into (none: not split)."""
        return self._breakdown.children_of(parent)

    def mixed_pallets(self) -> list[PalletRow]:
        """Pallets waiting at a breakdown area to be split, oldest first."""
        return sorted((p for p in self._parts.state.pallets.values() if p.state == "breakdown"),
                      key=lambda p: (p.first_seen, p.sscc))

    # -- advance shipping notices (see :mod:`xdock.central.site.asns`) ----------------------------------

    def apply_asn(self, advice: DespatchAdvice, *, source: str, by: str) -> AsnApplied:
        """A supplier's despatch advice: its truck and pallets known from now on (applied once, whole or not at all)."""
        return self._notices.apply(advice, source=source, by=by)

    def asns(self) -> list[AsnRow]:
        """Every despatch advice applied, oldest first."""
        return self._parts.store.asns()

    def receiving(self, truck_id: str) -> Receiving:
        """Truck ``truck_id``'s pallets received, pending, short, over and mismatched against its advices."""
        return self._notices.receiving(truck_id)

    def announced_pallet(self, sscc: str) -> AnnouncedPalletRow | None:
        """What an advance shipping notice says of pallet ``sscc`` (``None``: none announced it)."""
        return self._parts.state.announced.get(sscc)

    def suggest_truck_doors(self, doors: Mapping[str, str | None], *, version: int) -> list[InboundTruckRow]:
        """Take a plan's door for each waiting truck named; returns the trucks whose suggestion changed."""
        return self._trucks.suggest(doors, version=version)

    # -- the optimiser's decisions --------------------------------------------------------------------

    def rematch(self) -> int:
        """Give staged pallets a trailer where one now fits; returns how many pallets changed."""
        return len(self._changed(freed=True))

    def adopt_plan(self, plan: Plan, *, kind: str = "replanned") -> int:
        """Swap in a re-plan; returns how many pallets' moves changed."""
        changed = self._scans.adopt_plan(plan, kind=kind)
        self._changed(freed=False)
        return changed

    def respect_shares(self, book: HeldPositions, connected: Connected | None = None) -> None:
        """Central's own decisions leave alone the trailer positions ``book`` gives edges deciding alone
        (see :mod:`xdock.central.site.scans`)."""
        self._scans.respect_shares(book, connected)

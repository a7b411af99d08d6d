"""``xdock``: central's own decision code, the site core, deciding the simulated floor.

A :class:`~xdock.central.site.live_site.LiveSite` over a temporary SQLite store and a
:class:`~xdock.protocol.clock.ManualClock` set to ``Day.start`` plus the engine's minute before every
call. Every pallet enters as the :class:`~xdock.protocol.messages.ScanEvent` its inbound door's edge
would send (the label's ship-to postal code, its temperature limit by the site's rules, its dangerous
goods flag), and its target is the core's answer: ``assigned`` to a trailer, ``staged`` in an area.
Trucks are announced with their pallets by destination when they first ask for a door, marked at their
door and unloaded; a forklift confirms each load at the trailer's door (the core freezes the pallet
aboard); a trailer leaving is the supervisor's ``depart_trailer``. After a command that may change other
pallets' moves (a trailer docked or gone, a door closed or opened), the pallets not aboard whose row in
the core changed are the re-matches the forklifts carry out. The core re-matches staged pallets itself
whenever room frees (a trailer announced, a door opened again).

A closed door (a ``door_closed`` disturbance) is the supervisor's ``set_door``: the core sends the
pallets bound for its trailer elsewhere, and takes them back when it opens.

``central_unreachable``: while central is away, the edge at each inbound door answers from its last routing
snapshot with the edge's own code, and central hears the scans, with the answers the edges gave, when it is
back (:mod:`xdock.simulation.policies.edges_alone`). A pallet goes where its edge said (nowhere, waiting at
its door, when the edge had no instruction or named a trailer that left or whose door closed since), then
where central's answer says once central heard it. :attr:`XdockPolicy.offline_answers` keeps what the
edges answered, :attr:`XdockPolicy.answers` central's answers.

Doors: a truck takes the free inbound door nearest, in metres weighted by its pallets per destination,
to where its pallets go (the trailers for each destination at a door, else the nearest staging area);
a trailer of the site file loads at its door; any other at the free outbound door nearest (in metres) to
the pallets waiting for its destination, then to the inbound doors, and is announced to the core when it
docks (:meth:`XdockPolicy.register_trailer`). A trailer that gets a door only after its departure (it
waited for one) is never announced, as central refuses a trailer leaving in the past: it leaves empty.

Every call into the core is kept in :attr:`XdockPolicy.calls` (site time, command, arguments): applied
in order to another core, they give the same answers (the live path's).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import PalletRow, Store
from xdock.edge.offline_router import OfflineAnswer
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import Assignment, OfflineDecision, ScanEvent, ShipToModel
from xdock.simulation.layout import Layout
from xdock.simulation.model import Day, InboundTruck, OutboundTrailer, PalletPlan
from xdock.simulation.policies.edges_alone import EdgesAlone
from xdock.simulation.policy import Changes, Target

__all__ = ["BY", "CoreCall", "XdockPolicy", "edge_of", "scan_event"]

BY = "simulator"
"""Who the core's audit events name for the yard's and supervisor's commands of a simulated run."""
DEVICE = "scanner-1"
LOAD_DEVICE = "forklift"


@dataclass(frozen=True)
class CoreCall:
    """One command given to the site core: at site time ``at``, ``LiveSite.<name>(*args, **kwargs)``."""

    at: datetime
    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def edge_of(door: str) -> str:
    """The id of the edge at inbound ``door`` (the ``edge_id`` of its scans)."""
    return f"edge-{door}"


def scan_event(day: Day, pallet: PalletPlan, door: str, seq: int, at: datetime) -> ScanEvent:
    """The scan the edge at inbound ``door`` sends for ``pallet`` (``seq``: that edge's count)."""
    rules = day.site.rules
    max_temp = {"ambient": None, "chilled": rules.chilled_max_c, "frozen": rules.frozen_max_c}[pallet.temp]
    return ScanEvent(
        edge_id=edge_of(door), seq=seq, device_id=DEVICE, door=door, scanned_at=at, sscc=pallet.sscc,
        ship_to=ShipToModel(kind="postal", value=pallet.postal_code), max_temp_c=max_temp,
        dangerous_goods=pallet.dangerous is not None, raw=f"sim {pallet.sscc}",
    )


class XdockPolicy:
    """The site core decides (see the module doc). ``workdir``: where its store goes (a temporary folder)."""

    name = "xdock"
    tick_every_min: float | None = None

    def __init__(self, *, workdir: Path | None = None) -> None:
        self._workdir = workdir
        self._tmp: str | None = None
        self._store: Store | None = None
        self._site: LiveSite | None = None
        self._day: Day | None = None
        self._layout: Layout | None = None
        self._clock: ManualClock | None = None
        self._seq: Counter[str] = Counter()
        self._known: dict[str, Target | None] = {}
        """Pallets scanned and not aboard → the target the engine was last told."""
        self._announced: set[str] = set()
        self._scanned_at: dict[str, tuple[str, str]] = {}
        """SSCC → (its destination, the door it was scanned at)."""
        self.calls: list[CoreCall] = []
        self.unannounced: list[str] = []
        """Trailers that got a door only after their departure: never announced (central refuses a trailer
        leaving in the past), they leave empty at once."""
        self.answers: dict[str, Assignment] = {}
        """SSCC → the core's answer to its scan."""
        self.alone: EdgesAlone | None = None
        """The edges and their routers, on a day central is unreachable for a while."""
        self.offline_answers: dict[str, OfflineAnswer] = {}
        """SSCC → what its edge answered alone, for the pallets scanned while central was away."""
        self._told_offline: dict[str, Target | None] = {}
        """Pallets scanned while central is away and not aboard → the target the engine was told."""

    # -- the core ---------------------------------------------------------------------------------------

    @property
    def site(self) -> LiveSite:
        assert self._site is not None, "begin() first"
        return self._site

    @property
    def day(self) -> Day:
        assert self._day is not None, "begin() first"
        return self._day

    def _at(self, now: float) -> datetime:
        at = self.day.start + timedelta(minutes=now)
        assert self._clock is not None
        self._clock.current = at
        return at

    def _call(self, now: float, name: str, *args: Any, **kwargs: Any) -> Any:
        at = self._at(now)
        self.calls.append(CoreCall(at, name, args, kwargs))
        return getattr(self.site, name)(*args, **kwargs)

    def begin(self, day: Day) -> None:
        self._day = day
        self._layout = Layout(day.site)
        self._tmp = tempfile.mkdtemp(prefix="xdock-sim-", dir=self._workdir)
        self._store = Store(Path(self._tmp) / "central.db", synchronous="NORMAL")
        self._clock = ManualClock(day.start)
        self._site = LiveSite(day.site, self._store, self._clock)
        if any(d.kind == "central_unreachable" for d in day.disturbances):
            doors = {edge_of(d.id): d.id for d in day.site.doors if d.receives}
            self.alone = EdgesAlone(self._site, self._store, self._clock, doors)

    def end(self, now: float) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- doors --------------------------------------------------------------------------------------------

    def announce(self, truck: InboundTruck, now: float) -> None:
        """Announce ``truck`` to the core (its advance shipping notice: pallets by destination), once."""
        if truck.id in self._announced:
            return
        self._announced.add(truck.id)
        flows = Counter(p.destination for p in truck.pallets)
        self._call(now, "announce_truck", truck.id, eta=self.day.start + timedelta(minutes=truck.arrival_min),
                   pallets=len(truck.pallets), destinations=dict(sorted(flows.items())), by=BY)

    def inbound_door(self, truck: InboundTruck, free: Sequence[str], now: float) -> str | None:
        self.announce(truck, now)
        if not free:
            return None
        flows = Counter(p.destination for p in truck.pallets)
        goals = self._goals()
        assert self._layout is not None
        layout = self._layout

        def cost(door: str) -> float:
            total = 0.0
            for dest, n in flows.items():
                places = goals.get(dest) or list(layout.staging)
                total += n * min(layout.metres(door, place) for place in places)
            return total

        return min(free, key=lambda d: (cost(d), free.index(d)))

    def _goals(self) -> dict[str, list[str]]:
        """Destination → the doors of its trailers that take pallets now."""
        goals: dict[str, list[str]] = {}
        for trailer in self.site.state.trailers.values():
            if not trailer.departed:
                goals.setdefault(trailer.plan.destination, []).append(trailer.plan.door)
        return goals

    def outbound_door(self, trailer: OutboundTrailer, free: Sequence[str], now: float) -> str | None:
        planned = self.site.state.trailers.get(trailer.id)
        if planned is not None:  # a trailer of the site file loads at its door
            return planned.plan.door if planned.plan.door in free else None
        if not free:
            return None
        assert self._layout is not None
        layout = self._layout
        waiting = [target.place if target is not None else self._scanned_at[sscc][1]
                   for sscc, target in self._known.items()
                   if self._scanned_at[sscc][0] == trailer.destination and (target is None or target.kind == "staging")]

        def cost(door: str) -> tuple[float, float, int]:
            to_waiting = sum(layout.metres(place, door) for place in waiting if place in layout.xy)
            to_inbound = sum(layout.metres(place, door) for place in layout.inbound)
            return to_waiting, to_inbound, free.index(door)

        return min(free, key=cost)

    def register_trailer(self, trailer: OutboundTrailer, door: str, now: float) -> None:
        """``trailer`` is at ``door`` from now on, for the core: the one place a trailer enters it.

        A trailer of the site file is in the core from the start, at its door: the Day's must be at the same
        door and leave at the same time. Any other is announced (``LiveSite.announce_trailer``).
        """
        departure = self.day.start + timedelta(minutes=trailer.departure_min)
        planned = self.site.state.trailers.get(trailer.id)
        if planned is None and trailer.departure_min <= now:
            self.unannounced.append(trailer.id)  # it waited for a door past its departure: it leaves empty
            return
        if planned is None:
            self._call(now, "announce_trailer", trailer.id, destination=trailer.destination, door=door,
                       departure=departure, capacity_pallets=trailer.capacity, reefer=trailer.reefer,
                       accepts_hazmat=trailer.accepts_hazmat, by=BY)
            return
        if planned.plan.door != door:
            raise ValueError(f"trailers: trailer {trailer.id} loads at door {planned.plan.door} in the site file, "
                             f"not {door}")
        if abs((planned.departure - departure).total_seconds()) >= 1.0:
            raise ValueError(f"trailers: trailer {trailer.id} leaves at {planned.departure.isoformat()} in the "
                             f"site file, not {departure.isoformat()}")

    # -- events ---------------------------------------------------------------------------------------------

    def truck_docked(self, truck: InboundTruck, door: str, now: float) -> None:
        self._call(now, "truck_arrived", truck.id, door, by=BY)

    def truck_unloaded(self, truck: InboundTruck, now: float) -> Changes:
        self._call(now, "truck_unloaded", truck.id, by=BY)
        return {}

    def scanned(self, pallet: PalletPlan, door: str, now: float) -> Changes:
        edge = edge_of(door)
        self._seq[edge] += 1
        event = scan_event(self.day, pallet, door, self._seq[edge], self._at(now))
        if self.alone is not None and self.alone.away:
            return self._scanned_alone(pallet, event)
        reply: Assignment = self._call(now, "apply_scan", event).reply
        self.answers[pallet.sscc] = reply
        self._scanned_at[pallet.sscc] = (pallet.destination, door)
        row = self.site.state.pallets.get(pallet.sscc)
        target = None if row is None else self._target(row)
        self._known[pallet.sscc] = target
        return {pallet.sscc: target}

    def trailer_docked(self, trailer: OutboundTrailer, door: str, now: float) -> Changes:
        self.register_trailer(trailer, door, now)
        return self._changed()

    def loaded(self, sscc: str, trailer: str, now: float) -> Changes:
        if self.alone is not None and self.alone.waiting(sscc):
            self.alone.hold_load(sscc, trailer)
            self._told_offline.pop(sscc, None)
            return {}
        door = self.site.state.trailers[trailer].plan.door
        self._call(now, "confirm_load", sscc, door, device=LOAD_DEVICE)
        self._known.pop(sscc, None)
        return {}

    def door_closed(self, door: str, now: float) -> Changes:
        self._call(now, "set_door", door, open_=False, by=BY)
        return {**self._changed(), **self._stranded()}

    def door_opened(self, door: str, now: float) -> Changes:
        self._call(now, "set_door", door, open_=True, by=BY)
        return self._changed()

    def tick(self, now: float) -> Changes:
        return {}

    def trailer_departed(self, trailer: OutboundTrailer, now: float) -> Changes:
        if trailer.id in self.unannounced:
            return {}
        self._call(now, "depart_trailer", trailer.id, by=BY)
        return {**self._changed(), **self._stranded()}

    # -- central unreachable (see :mod:`xdock.simulation.policies.edges_alone`) --------------------------------

    def central_lost(self, now: float) -> None:
        """The edges lose central: each adopts the routing snapshot central made for it last."""
        assert self.alone is not None, "begin() with a day whose disturbances name central_unreachable"
        self.alone.lose(self._at(now))

    def _scanned_alone(self, pallet: PalletPlan, event: ScanEvent) -> Changes:
        assert self.alone is not None
        _, answer = self.alone.decide(event)
        self.offline_answers[pallet.sscc] = answer
        self._scanned_at[pallet.sscc] = (pallet.destination, event.door)
        target = self._told(answer.decision)
        self._told_offline[pallet.sscc] = target
        return {pallet.sscc: target}

    def _told(self, decision: OfflineDecision | None) -> Target | None:
        """Where an edge's offline decision sends a pallet now (``None``: it waits where it stands)."""
        if decision is None:
            return None
        if decision.outcome == "assigned" and decision.trailer is not None:
            return Target("trailer", decision.trailer) if self._taking(decision.trailer) else None
        assert self._layout is not None
        return Target("staging", decision.area) if decision.area in self._layout.staging else None

    def _taking(self, trailer_id: str) -> bool:
        """Whether ``trailer_id`` is at an open door and has not left."""
        trailer = self.site.state.trailers.get(trailer_id)
        return trailer is not None and not trailer.departed and trailer.plan.door not in self.site.closed_doors()

    def _stranded(self) -> Changes:
        """Pallets an edge sent alone to a trailer that no longer takes pallets (it left, its door closed):
        they wait where they stand for central's answer."""
        changes: dict[str, Target | None] = {}
        for sscc, target in self._told_offline.items():
            if target is not None and target.kind == "trailer" and not self._taking(target.place):
                changes[sscc] = None
        self._told_offline.update(changes)
        return changes

    def central_back(self, now: float) -> Changes:
        """The edges reach central again: their backlogs in the order scanned (central keeps each edge's
        decision where its rules allow, else corrects it), then the loads that waited for those scans; the
        pallets whose target central's answers change."""
        alone = self.alone
        assert alone is not None, "begin() with a day whose disturbances name central_unreachable"
        events, loads = alone.back()
        for event in events:
            reply: Assignment = self._call(now, "apply_scan", event).reply
            self.answers[event.sscc] = reply
            if event.offline is not None:
                if reply.correction:
                    alone.stats.corrected += 1
                else:
                    alone.stats.kept += 1
        self._known.update(self._told_offline)
        self._told_offline = {}
        state = self.site.state
        for sscc, trailer in loads:
            row = state.pallets.get(sscc)
            if row is not None and row.state == "assigned" and row.trailer == trailer:
                self._call(now, "confirm_load", sscc, state.trailers[trailer].plan.door, device=LOAD_DEVICE)
            else:
                alone.stats.corrected_aboard += 1
        return self._changed()

    # -- reading the core ---------------------------------------------------------------------------------

    def _changed(self) -> Changes:
        """Pallets not aboard whose row in the core now says another target than the engine was told."""
        pallets = self.site.state.pallets
        changes: dict[str, Target | None] = {}
        for sscc, known in self._known.items():
            row = pallets.get(sscc)
            target = None if row is None else self._target(row)
            if target != known:
                changes[sscc] = target
        self._known.update(changes)
        return changes

    def _target(self, row: PalletRow) -> Target | None:
        if row.state == "assigned" and row.trailer is not None:
            return Target("trailer", row.trailer)
        assert self._layout is not None
        if row.state in ("staged", "breakdown") and row.target in self._layout.staging:
            return Target("staging", row.target)
        return None

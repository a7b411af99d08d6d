"""The site-day engine: one :class:`~xdock.simulation.model.Day` under one policy, in SimPy virtual time.

Time unit: the minute, from ``Day.start``. What moves:

- An inbound truck reaches the yard at ``arrival_min`` and waits for a door; waiting trucks are offered
  the free inbound doors in arrival order and the policy picks one (or lets it wait). At its door it is
  unloaded one pallet every ``fleet.unload_s`` seconds (default ``handle_s``); each pallet is scanned as it
  comes off and the policy answers its target. With ``fleet.dock_apron``, the dock at the door holds that
  many pallets not yet taken by a forklift, and unloading pauses while it is full: forklifts that drive
  less clear doors sooner. The truck leaves its door with its last pallet.
- A fleet of ``fleet.forklifts`` forklifts (a :class:`simpy.Resource`, first come first served) carries
  pallets: a trip is a pick-up (``handle_s``), the rectilinear metres from where the pallet stands to
  its target's door or area at ``speed_m_per_s``, and a put-down (``handle_s``). The target is read when
  a forklift takes the pallet, so a policy may change it while the pallet waits. Only loaded travel is
  counted: a forklift is back for the next pallet at once (empty runs are not modelled).
- An outbound trailer reaches the yard at ``arrival_min``, waits for an outbound door the policy gives,
  takes pallets from then on and leaves at ``departure_min``, unless a pallet sent to it and due by its
  departure (``due_min <= departure_min``) is not aboard yet: then it waits for those, at most
  :data:`MAX_WAIT_MIN` minutes, and leaves (late, a :class:`~xdock.simulation.model.DepartureRecord`
  whose ``departed_min`` is past ``scheduled_min``). Pallets sent to it and not aboard are given another
  target by the policy (the next trailer to their destination, or staging).
- A pallet that arrives at a trailer's door after the trailer left is put down there and sent again
  (a re-handle).

At the horizon a pallet aboard a trailer that left by its due minute is ``loaded``; one that left after
it, or one still on site past its due minute, is ``late``; any other is ``on_site``. Every pallet of a
truck that arrived before the horizon is one of the three (:func:`conservation` says so, and
:func:`run_day` asserts it).

Cold chain: a chilled or frozen pallet is out of range from its unloading until it is put down in a
staging area keeping its class or aboard a reefer, and again while it waits elsewhere.

Disturbances: ``door_closed`` takes the door from the doors offered to trucks and trailers from its start
to its end (a vehicle already there finishes) and tells the policy, which stops sending pallets to the
trailer there; ``reefer_failure`` counts the minutes the chilled and frozen pallets aboard that trailer
spend in the failure's window as out of range; ``volume_peak`` is already in the Day's trucks (nothing
to play); ``central_unreachable`` tells the policy when the edges lose central and when they reach it
again (:meth:`~xdock.simulation.policy.Policy.central_lost`, :meth:`~xdock.simulation.policy.Policy.central_back`;
overlapping outages make one), and what it answers meanwhile is its own (a policy with no central ignores it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import simpy

from xdock.simulation.layout import Layout
from xdock.simulation.model import (
    Day,
    DepartureRecord,
    DoorSpan,
    InboundTruck,
    OutboundTrailer,
    PalletPlan,
    PalletRecord,
    PolicyRun,
)
from xdock.simulation.policy import Changes, Policy, Target

__all__ = ["MAX_WAIT_MIN", "EngineError", "conservation", "run_day"]

MAX_WAIT_MIN = 30.0
"""Longest a trailer waits past its departure for pallets due on it that are not aboard."""

_COLD = {"ambient": 0, "chilled": 1, "frozen": 2}


class EngineError(ValueError):
    """The Day cannot be run as given; the message names the field."""


@dataclass
class _Pallet:
    plan: PalletPlan
    rec: PalletRecord
    location: str = ""
    """Door or area where it stands (the inbound door once unloaded)."""
    target: Target | None = None
    queued: bool = False
    """A forklift trip for it is asked for or under way."""
    in_staging: bool = False
    aboard: str | None = None
    cold_since: float | None = None
    apron: str | None = None
    """The inbound door whose dock it stands on, not yet taken by a forklift."""


@dataclass
class _Trailer:
    plan: OutboundTrailer
    door: str | None = None
    docked_min: float | None = None
    departed: bool = False
    aboard: list[str] = field(default_factory=list)
    signal: simpy.Event | None = None


class _Run:
    def __init__(
        self, day: Day, policy: Policy, progress: Callable[[float], None] | None, env: simpy.Environment | None,
    ) -> None:
        _check(day)
        if env is not None and env.now != 0:
            raise EngineError(f"env: the run starts at minute 0, the environment is at {env.now}")
        self.day = day
        self.policy = policy
        self.layout = Layout(day.site)
        self.env = simpy.Environment() if env is None else env
        self.forklifts = simpy.Resource(self.env, capacity=day.fleet.forklifts)
        self.handle_min = day.fleet.handle_s / 60.0
        self.unload_min = (day.fleet.handle_s if day.fleet.unload_s is None else day.fleet.unload_s) / 60.0
        self.apron: Counter[str] = Counter()
        """Inbound door → pallets on its dock not yet taken by a forklift."""
        self.apron_room: dict[str, simpy.Event] = {}
        self.m_per_min = day.fleet.speed_m_per_s * 60.0
        self.out = PolicyRun(policy.name)
        self.pallets: dict[str, _Pallet] = {}
        self.trailers = {t.id: _Trailer(t) for t in day.trailers}
        self.door_holder: dict[str, str | None] = {d.id: None for d in day.site.doors}
        self.sent: dict[str, set[str]] = {t.id: set() for t in day.trailers}
        """Trailer id → pallets sent to it and not aboard yet."""
        self.door_since: dict[str, float] = {}
        self.closed: set[str] = set()
        self.closing: Counter[str] = Counter()
        self.outages = 0
        """Outages of central under way (overlapping ones make one)."""
        self.reefer_failures: dict[str, list[tuple[float, float]]] = {}
        for d in day.disturbances:
            if d.kind == "reefer_failure":
                self.reefer_failures.setdefault(d.target, []).append((d.start_min, d.end_min))
        self.trucks_waiting: list[InboundTruck] = []
        self.trailers_waiting: list[OutboundTrailer] = []
        self.staged = 0
        self.progress = progress

    # -- the run ----------------------------------------------------------------------------------------

    def run(self) -> PolicyRun:
        day = self.day
        self.policy.begin(day)
        for truck in day.trucks:
            if truck.arrival_min < day.horizon_min:
                self.env.process(self._truck_arrives(truck))
        for trailer in day.trailers:
            if trailer.arrival_min < day.horizon_min:
                self.env.process(self._trailer_arrives(trailer))
        for disturbance in day.disturbances:
            if disturbance.kind == "door_closed":
                self.env.process(self._door_closed(disturbance.target, disturbance.start_min, disturbance.end_min))
            elif disturbance.kind == "central_unreachable":
                self.env.process(self._central_away(disturbance.start_min, disturbance.end_min))
        if self.policy.tick_every_min is not None:
            self.env.process(self._ticks(self.policy.tick_every_min))
        if self.progress is not None:
            self.env.process(self._hours())
        try:
            self.env.run(until=day.horizon_min)
        finally:
            self.policy.end(self.now)
        self._close()
        return self.out

    def _hours(self) -> simpy.events.ProcessGenerator:
        while True:
            yield self.env.timeout(60.0)
            assert self.progress is not None
            self.progress(min(self.env.now, self.day.horizon_min))

    def _ticks(self, every: float) -> simpy.events.ProcessGenerator:
        if every <= 0:
            raise EngineError(f"policy {self.policy.name}: tick_every_min must be positive, got {every}")
        while True:
            self._apply(self.policy.tick(self.now))
            yield self.env.timeout(every)

    @property
    def now(self) -> float:
        return float(self.env.now)

    # -- doors ------------------------------------------------------------------------------------------

    def _free(self, doors: tuple[str, ...]) -> list[str]:
        return [d for d in doors if self.door_holder[d] is None and d not in self.closed]

    def _door_closed(self, door: str, start: float, end: float) -> simpy.events.ProcessGenerator:
        yield self.env.timeout(start)
        self.closing[door] += 1
        if self.closing[door] == 1:  # overlapping closures of one door close it once
            self.closed.add(door)
            self._apply(self.policy.door_closed(door, self.now))
        yield self.env.timeout(max(0.0, end - start))
        self.closing[door] -= 1
        if self.closing[door] == 0:
            self.closed.discard(door)
            self._apply(self.policy.door_opened(door, self.now))
            self._give_doors()

    def _central_away(self, start: float, end: float) -> simpy.events.ProcessGenerator:
        yield self.env.timeout(start)
        self.outages += 1
        if self.outages == 1:
            self.policy.central_lost(self.now)
        yield self.env.timeout(max(0.0, end - start))
        self.outages -= 1
        if self.outages == 0:
            self._apply(self.policy.central_back(self.now))

    def _take_door(self, door: str, vehicle: str) -> None:
        if door not in self.door_holder or self.door_holder[door] is not None:
            raise EngineError(f"policy {self.policy.name} gave {vehicle} door {door!r}, which is not free")
        self.door_holder[door] = vehicle
        self.door_since[door] = self.now

    def _free_door(self, door: str, kind: Literal["inbound", "outbound"]) -> None:
        vehicle = self.door_holder[door]
        assert vehicle is not None
        self.out.door_spans.append(DoorSpan(door, kind, vehicle,
                                            self.door_since.pop(door), self.now))
        self.door_holder[door] = None
        self._give_doors()

    def _give_doors(self) -> None:
        for truck in list(self.trucks_waiting):
            free = self._free(self.layout.inbound)
            if not free:
                break
            door = self.policy.inbound_door(truck, free, self.now)
            if door is not None:
                self.trucks_waiting.remove(truck)
                self._take_door(door, truck.id)
                self.env.process(self._unload(truck, door))
        for trailer in list(self.trailers_waiting):
            free = self._free(self.layout.outbound)
            if not free:
                break
            door = self.policy.outbound_door(trailer, free, self.now)
            if door is not None:
                self.trailers_waiting.remove(trailer)
                self._take_door(door, trailer.id)
                self._dock(trailer, door)

    # -- inbound --------------------------------------------------------------------------------------

    def _truck_arrives(self, truck: InboundTruck) -> simpy.events.ProcessGenerator:
        yield self.env.timeout(truck.arrival_min)
        for plan in truck.pallets:
            rec = PalletRecord(plan.sscc, truck.id, plan.destination, plan.due_min, self.now)
            self.pallets[plan.sscc] = _Pallet(plan, rec)
            self.out.pallets.append(rec)
        self.trucks_waiting.append(truck)
        self._give_doors()

    def _unload(self, truck: InboundTruck, door: str) -> simpy.events.ProcessGenerator:
        self.out.truck_waits_min.append(self.now - truck.arrival_min)
        self.policy.truck_docked(truck, door, self.now)
        limit = self.day.fleet.dock_apron
        for plan in truck.pallets:
            while limit is not None and self.apron[door] >= limit:
                self.apron_room[door] = room = self.env.event()
                yield room
            yield self.env.timeout(self.unload_min)
            pallet = self.pallets[plan.sscc]
            pallet.location = door
            pallet.apron = door
            self.apron[door] += 1
            pallet.rec.inbound_door = door
            pallet.rec.unloaded_min = self.now
            if plan.temp != "ambient":
                pallet.cold_since = self.now
            changes = self.policy.scanned(plan, door, self.now)
            if plan.sscc not in changes:
                raise EngineError(f"policy {self.policy.name} gave no target to scanned pallet {plan.sscc}")
            target = changes[plan.sscc]
            pallet.rec.decision = None if target is None else target.place
            self._apply(changes)
        self._apply(self.policy.truck_unloaded(truck, self.now))
        self._free_door(door, "inbound")

    # -- outbound -------------------------------------------------------------------------------------

    def _trailer_arrives(self, trailer: OutboundTrailer) -> simpy.events.ProcessGenerator:
        yield self.env.timeout(trailer.arrival_min)
        self.trailers_waiting.append(trailer)
        self._give_doors()

    def _dock(self, plan: OutboundTrailer, door: str) -> None:
        trailer = self.trailers[plan.id]
        trailer.door, trailer.docked_min = door, self.now
        self._apply(self.policy.trailer_docked(plan, door, self.now))
        for sscc in sorted(self.sent[plan.id]):  # pallets sent to it before it docked
            self._ask_move(self.pallets[sscc])
        self.env.process(self._departure(trailer))

    def _departure(self, trailer: _Trailer) -> simpy.events.ProcessGenerator:
        plan = trailer.plan
        if plan.departure_min > self.now:
            yield self.env.timeout(plan.departure_min - self.now)
        deadline = plan.departure_min + MAX_WAIT_MIN
        while self._holding(trailer) and self.now < deadline:
            trailer.signal = self.env.event()
            yield self.env.any_of([trailer.signal, self.env.timeout(deadline - self.now)])
            trailer.signal = None
        self._depart(trailer)

    def _holding(self, trailer: _Trailer) -> bool:
        """A pallet sent to ``trailer`` and due by its departure is not aboard yet."""
        due = trailer.plan.departure_min
        return any(self.pallets[s].plan.due_min <= due for s in self.sent[trailer.plan.id])

    def _depart(self, trailer: _Trailer) -> None:
        plan = trailer.plan
        trailer.departed = True
        assert trailer.door is not None
        now = self.now
        for sscc in trailer.aboard:
            pallet = self.pallets[sscc]
            pallet.rec.departed_min = now
            self._cold_stop(pallet, now)
            self._reefer_failed(pallet, plan.id, now)
        self.out.departures.append(DepartureRecord(plan.id, plan.destination, trailer.door, plan.departure_min, now,
                                                   len(trailer.aboard), plan.capacity))
        self._apply(self.policy.trailer_departed(plan, now))
        left = sorted(self.sent[plan.id])
        if left:
            raise EngineError(f"policy {self.policy.name} left pallets {', '.join(left)} sent to departed "
                              f"trailer {plan.id}")
        self._free_door(trailer.door, "outbound")

    # -- pallets --------------------------------------------------------------------------------------

    def _apply(self, changes: Changes) -> None:
        for sscc, target in changes.items():
            pallet = self.pallets[sscc]
            if pallet.aboard is not None:
                continue  # aboard: it leaves with its trailer
            old = pallet.target
            if old is not None and old.kind == "trailer":
                self.sent[old.place].discard(sscc)
            pallet.target = target
            if target is not None and target.kind == "trailer":
                if target.place not in self.sent:
                    raise EngineError(f"policy {self.policy.name} sent pallet {sscc} to unknown trailer {target.place}")
                self.sent[target.place].add(sscc)
            self._ask_move(pallet)

    def _ask_move(self, pallet: _Pallet) -> None:
        if pallet.queued or pallet.rec.unloaded_min is None or self._there(pallet):
            return
        pallet.queued = True
        self.env.process(self._carry(pallet))

    def _place_of(self, pallet: _Pallet) -> str | None:
        """Door or area the pallet's target is at now (``None``: no target, or its trailer is not at a door)."""
        target = pallet.target
        if target is None:
            return None
        if target.kind == "staging":
            return target.place
        trailer = self.trailers[target.place]
        return trailer.door if trailer.docked_min is not None and not trailer.departed else None

    def _there(self, pallet: _Pallet) -> bool:
        target = pallet.target
        return target is None or (target.kind == "staging" and pallet.in_staging and pallet.location == target.place)

    def _carry(self, pallet: _Pallet) -> simpy.events.ProcessGenerator:
        with self.forklifts.request() as turn:
            yield turn
            place = self._place_of(pallet)
            if place is None or self._there(pallet):
                pallet.queued = False
                return
            start = self.now
            self._off_apron(pallet)
            if pallet.in_staging:
                pallet.in_staging = False
                self._staging(-1)
                if pallet.plan.temp != "ambient" and pallet.cold_since is None:
                    pallet.cold_since = start
            metres = self.layout.metres(pallet.location, place)
            yield self.env.timeout(2 * self.handle_min + metres / self.m_per_min)
            self.out.forklift_busy_min += self.now - start
            self.out.forklift_m += metres
            pallet.rec.handles += 1
            pallet.rec.travel_m += metres
            pallet.location = place
        pallet.queued = False
        self._put_down(pallet, place)

    def _off_apron(self, pallet: _Pallet) -> None:
        """A forklift takes ``pallet`` from its inbound door's dock: room for the next one off the truck."""
        door = pallet.apron
        if door is None:
            return
        pallet.apron = None
        self.apron[door] -= 1
        room = self.apron_room.pop(door, None)
        if room is not None:
            room.succeed()

    def _put_down(self, pallet: _Pallet, place: str) -> None:
        target = pallet.target
        now = self.now
        if target is not None and target.kind == "staging" and target.place == place:
            pallet.in_staging = True
            self._staging(+1)
            if pallet.rec.staged_min is None:
                pallet.rec.staged_min = now
            area = self.layout.staging[place]
            if _COLD[area.temp] >= _COLD[pallet.plan.temp]:
                self._cold_stop(pallet, now)
            return
        if target is not None and target.kind == "trailer":
            trailer = self.trailers[target.place]
            if trailer.door == place and trailer.docked_min is not None and not trailer.departed:
                self._board(pallet, trailer)
                return
        self._ask_move(pallet)  # its target moved while it travelled: carry it again

    def _board(self, pallet: _Pallet, trailer: _Trailer) -> None:
        plan = trailer.plan
        if len(trailer.aboard) >= plan.capacity:
            raise EngineError(f"policy {self.policy.name} sent pallet {pallet.plan.sscc} to full trailer {plan.id}")
        trailer.aboard.append(pallet.plan.sscc)
        self.sent[plan.id].discard(pallet.plan.sscc)
        pallet.aboard = plan.id
        pallet.rec.trailer = plan.id
        pallet.rec.loaded_min = self.now
        if plan.reefer:
            self._cold_stop(pallet, self.now)
        self._apply(self.policy.loaded(pallet.plan.sscc, plan.id, self.now))
        if trailer.signal is not None and not trailer.signal.triggered:
            trailer.signal.succeed()

    def _staging(self, delta: int) -> None:
        self.staged += delta
        self.out.staging.append((self.now, self.staged))

    def _cold_stop(self, pallet: _Pallet, now: float) -> None:
        if pallet.cold_since is not None:
            self.out.cold_chain_min_out += now - pallet.cold_since
            pallet.cold_since = None

    def _reefer_failed(self, pallet: _Pallet, trailer: str, until: float) -> None:
        """Minutes a cold pallet aboard ``trailer`` spent in a failure of its reefer, up to ``until``."""
        loaded = pallet.rec.loaded_min
        if pallet.plan.temp == "ambient" or loaded is None or not self.trailers[trailer].plan.reefer:
            return
        for start, end in self.reefer_failures.get(trailer, ()):
            self.out.cold_chain_min_out += max(0.0, min(end, until) - max(start, loaded))

    # -- the end ------------------------------------------------------------------------------------------

    def _close(self) -> None:
        end = self.day.horizon_min
        for door, since in sorted(self.door_since.items()):
            vehicle = self.door_holder[door]
            assert vehicle is not None
            kind: Literal["inbound", "outbound"] = "outbound" if vehicle in self.trailers else "inbound"
            self.out.door_spans.append(DoorSpan(door, kind, vehicle, since, end))
        for pallet in self.pallets.values():
            rec = pallet.rec
            if pallet.aboard is None or rec.departed_min is None:
                self._cold_stop(pallet, end)
            if pallet.aboard is not None and rec.departed_min is None:
                self._reefer_failed(pallet, pallet.aboard, end)
            if rec.departed_min is not None:
                rec.outcome = "loaded" if rec.departed_min <= rec.due_min else "late"
            else:
                rec.outcome = "late" if rec.due_min < end else "on_site"


def conservation(day: Day, run: PolicyRun) -> int:
    """Pallets of trucks that arrived before the horizon that are neither loaded, late nor on site (0)."""
    expected = sum(len(t.pallets) for t in day.trucks if t.arrival_min < day.horizon_min)
    counted = sum(1 for p in run.pallets if p.outcome in ("loaded", "late", "on_site"))
    return expected - counted


def run_day(
    day: Day, policy: Policy, *, progress: Callable[[float], None] | None = None, env: simpy.Environment | None = None,
) -> PolicyRun:
    """Run ``day`` under ``policy``; ``progress(minutes)`` is told each site hour done.

    ``env``: the SimPy environment to run in, at minute 0 (default: a new one, virtual time). The demo gives a
    :class:`simpy.rt.RealtimeEnvironment` (a minute every ``60 / speed`` wall seconds) with processes of its
    own in it; an exception one of them raises ends the run (``policy.end`` is called, nothing is returned).
    """
    out = _Run(day, policy, progress, env).run()
    unaccounted = conservation(day, out)
    assert unaccounted == 0, f"{unaccounted} pallets unaccounted for under {policy.name}"
    return out


def _check(day: Day) -> None:
    site = day.site
    _check_disturbances(day)
    if day.fleet.forklifts < 1:
        raise EngineError(f"fleet.forklifts: need at least one forklift, got {day.fleet.forklifts}")
    if day.fleet.speed_m_per_s <= 0:
        raise EngineError(f"fleet.speed_m_per_s: must be positive, got {day.fleet.speed_m_per_s}")
    if not any(a.kind == "staging" for a in site.areas):
        raise EngineError(f"site.areas: site {site.site} has no staging area")
    if not any(d.receives for d in site.doors):
        raise EngineError(f"site.doors: site {site.site} has no inbound door")
    if not any(d.ships for d in site.doors):
        raise EngineError(f"site.doors: site {site.site} has no outbound door")
    _check_vehicles(day)


def _check_disturbances(day: Day) -> None:
    doors = {d.id for d in day.site.doors}
    trailers = {t.id for t in day.trailers}
    for i, d in enumerate(day.disturbances):
        if d.kind == "door_closed" and d.target not in doors:
            raise EngineError(f"disturbances[{i}].target: unknown door {d.target!r}")
        if d.kind == "reefer_failure" and d.target not in trailers:
            raise EngineError(f"disturbances[{i}].target: unknown trailer {d.target!r}")


def _check_vehicles(day: Day) -> None:
    dests = {d.id for d in day.site.destinations}
    seen: set[str] = set()
    for i, truck in enumerate(day.trucks):
        for j, pallet in enumerate(truck.pallets):
            if pallet.destination not in dests:
                raise EngineError(f"trucks[{i}].pallets[{j}].destination: unknown destination {pallet.destination!r}")
            if pallet.sscc in seen:
                raise EngineError(f"trucks[{i}].pallets[{j}].sscc: duplicate pallet {pallet.sscc}")
            seen.add(pallet.sscc)
    for i, trailer in enumerate(day.trailers):
        if trailer.destination not in dests:
            raise EngineError(f"trailers[{i}].destination: unknown destination {trailer.destination!r}")
        if trailer.capacity < 1:
            raise EngineError(f"trailers[{i}].capacity: must be at least 1, got {trailer.capacity}")

"""The instant decision: where a pallet goes the moment it is scanned at an inbound door.

Pure: data in, moves out; the caller passes ``now``. :class:`Dispatcher` keeps the live state over a
:class:`~xdock.central.optimiser.schema.Floor` (moves, and per-trailer loads kept incrementally), so one
decision looks only at the trailers for the pallet's destination, never at all pallets in the building.

Rules, in order (each move carries a short reason the handheld shows):

1. a frozen pallet (moving, loaded) keeps its trailer; nothing changes;
2. a pallet whose direct move still fits keeps it: a re-scan gets the same answer;
3. a mixed pallet goes ``indirect`` to the nearest breakdown area keeping its temperature (else staging);
4. a pallet with no known destination goes to staging;
5. otherwise the candidates are the trailers for its destination that are not departed, leave no earlier
   than ``now + rules.handling``, stand at an open outbound door, keep its cold chain, may carry its
   dangerous goods (none of a segregated class aboard or promised), and have room in positions and kg;
   urgent pallets (priority above zero, or expiring within ``rules.urgent_days``) take the earliest
   departure; the others the least travel plus ``rules.balance_weight_m`` times the fill after loading
   plus ``rules.departure_weight_m`` per minute until the trailer leaves (first out, first filled);
6. with no candidate, the pallet waits at the nearest staging area keeping its temperature; when there
   is none, :class:`NoPlaceError`.

Positions held elsewhere: :meth:`Dispatcher.decide`, :meth:`Dispatcher.rematch` and
:meth:`Dispatcher.adopt` take an optional ``held`` (trailer id → positions this decision may not take,
e.g. those edges hold as their shares to fill alone). A trailer whose room is all held is full for that
pallet (``room for LYON held by edges``); an adopted plan's pallets new to such a trailer give way to
staging, least deserving first (``T-LYON-1 held by edges``). Pallets already counted on a trailer, and
instructions kept (:meth:`Dispatcher.keep`), take no new position and are not checked against it.

Errors::

    ValueError
    └── NoPlaceError    no trailer, and no staging area keeps the pallet's temperature
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from xdock.central.optimiser import _dispatch_reasons as reasons
from xdock.central.optimiser._dispatch_rules import NO_LOAD, REJECTS, fill_after, keeps, rank_key, reject, urgent
from xdock.central.optimiser._dispatch_state import DispatchState
from xdock.central.optimiser.plan import Move, Plan
from xdock.central.optimiser.schema import Area, Door, Floor, Pallet, TempClass, Trailer, metres, place_xy

__all__ = ["Dispatcher", "Held", "NoPlaceError"]

Held = Callable[[str], int]
"""Trailer id → how many of its positions a decision may not take (held elsewhere)."""


class NoPlaceError(ValueError):
    """A pallet has no trailer and no staging area keeps its temperature class.

    ``why`` is the short reason for a scanner display (``no reefer for LYON (chilled)``).
    """

    def __init__(self, message: str, *, why: str) -> None:
        super().__init__(message)
        self.why = why


class Dispatcher:
    """Live dispatch state over a Floor: current moves and trailer loads; decides one pallet at a time.

    ``plan``: the current moves and doors (e.g. the re-plan's); ``None`` is an empty plan, version 0.
    The plan's version is that of the last adopted plan: instant decisions do not change it.
    """

    def __init__(self, floor: Floor, plan: Plan | None = None) -> None:
        self._doors = floor.doors
        self._areas = floor.areas
        self._trucks = floor.trucks
        self._rules = floor.rules
        self._nearest: dict[tuple[str, str, TempClass], tuple[Area, float] | None] = {}
        self._by_travel: dict[tuple[str, str], list[tuple[float, str]]] = {}
        self._by_travel_of: DispatchState | None = None
        self._now: datetime | None = None
        self._state = self._settled(DispatchState.build(floor, plan or Plan(0)))

    @property
    def floor(self) -> Floor:
        """The current floor: pallets and trailers as updated, pallets naming the trailer they were sent to."""
        s = self._state
        return Floor(self._doors, self._areas, dict(s.trailers), dict(s.pallets), self._trucks, self._rules)

    def put_pallet(self, pallet: Pallet) -> None:
        """A new or updated pallet (a scan). A move that no longer fits it falls back to staging."""
        s = self._state
        before = s.on.get(pallet.sscc)
        s.put_pallet(pallet)
        after = s.on.get(pallet.sscc)
        if after is not None:
            self._settle(s, after)
        if before is not None and before != after:
            self._settle(s, before)

    def put_doors(self, doors: Mapping[str, Door]) -> None:
        """The doors changed (a supervisor closed or opened one): decide again over the same floor and plan."""
        plan = self.plan()
        floor = replace(self.floor, doors=dict(doors))
        self._doors = floor.doors
        self._nearest.clear()
        self._by_travel.clear()
        self._now = None
        self._state = self._settled(DispatchState.build(floor, plan))

    def put_trailer(self, trailer: Trailer) -> None:
        """A trailer appeared or changed; pallets sent to it that no longer fit fall back to staging."""
        self._state.put_trailer(trailer)
        self._by_travel.clear()
        self._settle(self._state, trailer.id)

    def remove_pallet(self, sscc: str) -> None:
        """The pallet left the building (or was never there): forget it and its share of a load."""
        self._state.remove_pallet(sscc)

    def room(self, trailer_id: str) -> int:
        """Positions of ``trailer_id`` neither loaded nor promised (its capacity less its load's count)."""
        trailer = self._state.trailers.get(trailer_id)
        return 0 if trailer is None else trailer.capacity_pallets - self._state.load(trailer_id).count

    def decide(self, sscc: str, now: datetime, *, held: Held | None = None) -> Move:
        """Where pallet ``sscc`` goes now; the move is recorded. Raises :class:`NoPlaceError`, ``KeyError``.

        ``held``: positions a new direct move may not take, per trailer (see the module doc)."""
        self._now = now
        s = self._state
        pallet = s.pallets.get(sscc)
        if pallet is None:
            raise KeyError(f"Unknown pallet {sscc!r}: put it before deciding")
        if pallet.frozen:
            return self._frozen(pallet)
        current = s.moves.get(sscc)
        if current is not None and current.kind == "direct" and self._fits(s, pallet, current.target, now):
            return current
        if current is None and pallet.instructed and pallet.trailer is not None:
            kept = self._direct_to(s, pallet, pallet.trailer, now)
            if kept is not None:
                s.set_move(sscc, kept)
                return kept
        move = self._choose(s, pallet, now, held)
        if move != current:
            s.set_move(sscc, move)
        return move

    def keep(
        self, sscc: str, now: datetime, *, trailer: str | None = None, area: str | None = None,
        decided_at: datetime | None = None,
    ) -> Move | None:
        """Keep an instruction the worker got elsewhere (an edge deciding offline) if the rules allow it.

        ``trailer``: a direct move there when it fits by the same checks as :meth:`decide` (destination,
        departure, open door, cold chain, dangerous goods, room); ``area``: a staging area keeping the
        pallet's temperature. The kept move is recorded; ``None`` (nothing recorded) when it does not
        fit, or the pallet is frozen: then ask :meth:`decide`. Raises ``KeyError`` for an unknown pallet.
        ``decided_at``: when the worker got the instruction (an edge's offline decision reaching central later);
        the trailer's departure is checked against the handling time from then, not from ``now``.
        """
        self._now = now
        s = self._state
        pallet = s.pallets.get(sscc)
        if pallet is None:
            raise KeyError(f"Unknown pallet {sscc!r}: put it before keeping a move for it")
        if pallet.frozen:
            return None
        move: Move | None = None
        if trailer is not None:
            move = self._direct_to(s, pallet, trailer, now if decided_at is None else min(now, decided_at))
        elif area is not None:
            found = self._areas.get(area)
            if found is not None and found.kind == "staging" and keeps(found.temp, pallet.temp):
                at = place_xy(self._doors, self._areas, pallet.location)
                travel = metres(at, (found.x, found.y))
                move = Move(sscc, "staging", area, None, travel, reasons.staging("as told offline", area, travel))
        if move is not None and move != s.moves.get(sscc):
            s.set_move(sscc, move)
        return move

    def rematch(self, now: datetime, *, held: Held | None = None) -> list[Move]:
        """Staged pallets that now fit a trailer get a direct move, urgent first, then the oldest staged;
        ``held`` as for :meth:`decide`."""
        self._now = now
        s = self._state
        today = now.date()

        def order(sscc: str) -> tuple[bool, int, int]:
            p = s.pallets[sscc]
            return not urgent(p, self._rules, today), -p.priority, s.since.get(sscc, 0)

        changed: list[Move] = []
        full: set[str] = set()  # destinations no trailer has a position left for: rooms only shrink here
        for sscc in sorted(s.staged, key=order):
            pallet = s.pallets[sscc]
            if pallet.frozen or pallet.mixed or not pallet.destinations:
                continue
            destination = pallet.destinations[0]
            if destination in full:
                continue
            if not any(not s.trailers[t].departed and s.load(t).count < s.trailers[t].capacity_pallets
                       for t in s.by_dest.get(destination, ())):
                full.add(destination)
                continue
            found = self._best_direct(s, pallet, now, held)
            if isinstance(found, Move):
                s.set_move(sscc, found)
                changed.append(found)
        return changed

    def adopt(self, plan: Plan, *, held: Held | None = None) -> None:
        """Take a re-plan's moves and doors; pallets it did not know keep their move if it still fits.

        ``held``: per trailer, positions the plan may not fill; where its pallets new to a trailer take
        them, the least deserving of those go to staging instead (the others already counted there stay).
        """
        old = self._state
        floor = self.floor
        carried = {k: m for k, m in old.moves.items() if k not in plan.moves}
        new = self._settled(DispatchState.build(floor, plan, carried))
        if held is not None:
            for trailer_id in list(new.members):
                self._leave_held(new, trailer_id, held(trailer_id), old.members.get(trailer_id, set()))
        self._state = new

    def trailer_doors(self) -> dict[str, str]:
        """The door each trailer loads at in the current plan (what :meth:`plan` gives, without its moves)."""
        return dict(self._state.trailer_doors)

    def plan(self) -> Plan:
        """The current plan: moves of every pallet that is not frozen and has one, doors, version."""
        s = self._state
        moves = {k: m for k, m in s.moves.items() if not s.pallets[k].frozen}
        return Plan(
            s.version, moves, dict(s.trailer_doors), dict(s.truck_doors), sum(m.metres for m in moves.values())
        )

    # -- deciding -----------------------------------------------------------------------------------

    def _frozen(self, pallet: Pallet) -> Move:
        s = self._state
        move = s.moves.get(pallet.sscc)
        if move is not None and move.kind == "direct" and move.target == pallet.trailer:
            return move
        if pallet.trailer is None:
            raise NoPlaceError(
                f"No place for pallet {pallet.sscc}: it is {pallet.state} but names no trailer",
                why=f"{pallet.state}, no trailer known",
            )
        door = s.door_of(pallet.trailer)
        return Move(pallet.sscc, "direct", pallet.trailer, door, 0.0, reasons.frozen(pallet, door))

    def _fits(self, s: DispatchState, pallet: Pallet, trailer_id: str, now: datetime | None) -> bool:
        """The pallet fits ``trailer_id`` (counted aboard it if its load already holds it)."""
        trailer = s.trailers.get(trailer_id)
        if trailer is None or pallet.mixed or trailer.destination not in pallet.destinations:
            return False
        door_id = s.door_of(trailer_id)
        door = self._doors.get(door_id) if door_id is not None else None
        aboard = s.on.get(pallet.sscc) == trailer_id
        return reject(self._rules, pallet, trailer, door, s.load(trailer_id), now, aboard=aboard) is None

    def _direct_to(self, s: DispatchState, pallet: Pallet, trailer_id: str, now: datetime | None) -> Move | None:
        """A direct move of ``pallet`` to ``trailer_id`` if it fits there, with its reason."""
        if not self._fits(s, pallet, trailer_id, now):
            return None
        trailer = s.trailers[trailer_id]
        door_id = s.door_of(trailer_id)
        assert door_id is not None  # a fitting trailer stands at a door
        door = self._doors[door_id]
        travel = metres(place_xy(self._doors, self._areas, pallet.location), (door.x, door.y))
        load = s.load(trailer_id)
        aboard = s.on.get(pallet.sscc) == trailer_id
        count, kg = (load.count, load.kg) if aboard else (load.count + 1, load.kg + pallet.weight_kg)
        is_urgent = urgent(pallet, self._rules, now.date() if now is not None else None)
        reason = reasons.direct(trailer.destination, trailer, count, kg, travel, is_urgent=is_urgent)
        return Move(pallet.sscc, "direct", trailer_id, door_id, travel, reason)

    def _best_direct(self, s: DispatchState, pallet: Pallet, now: datetime, held: Held | None) -> Move | str:
        """The best trailer's direct move, or why no trailer fits (closest trailer's failed check).

        This runs on every scan. The trailers of the destination are weighed nearest first, and the walk
        stops at the first whose travel alone ranks it behind the best so far: a normal pallet's rank is
        its travel plus terms that are never negative (see :func:`rank_key`). An urgent pallet, ranked by
        departure, weighs them all. The loop reads the state's maps directly (what
        :meth:`DispatchState.door_of` and :meth:`DispatchState.load` would give).
        """
        destination = pallet.destinations[0]
        is_urgent = urgent(pallet, self._rules, now.date())
        rules, doors, trailer_doors, loads = self._rules, self._doors, s.trailer_doors, s.loads
        stop_early = not is_urgent and rules.balance_weight_m >= 0 and rules.departure_weight_m >= 0
        on = s.on.get(pallet.sscc)
        best: tuple[tuple[float, float, str], str] | None = None
        closest = 0 if destination in s.gone else -1  # a departed trailer's check failed first: "gone"
        for travel, trailer_id in self._nearest_trailers(s, pallet.location, destination):
            if stop_early and best is not None and travel > best[0][0]:
                break  # this one and every one after rank behind the best: nothing further can win
            trailer = s.trailers[trailer_id]
            door_id = trailer_doors.get(trailer_id, trailer.door)
            door = doors.get(door_id) if door_id is not None else None
            load = loads.get(trailer_id) or NO_LOAD
            aboard = on == trailer_id
            why = reject(rules, pallet, trailer, door, load, now, aboard=aboard,
                         held=held(trailer_id) if held is not None and not aboard else 0)
            if why is not None or door is None:
                closest = max(closest, REJECTS.index(why) if why is not None else 0)
                continue
            key = rank_key(rules, trailer, travel, fill_after(trailer, load, pallet, aboard=aboard), now,
                           is_urgent=is_urgent)
            if best is None or key < best[0]:
                best = (key, trailer_id)
        if best is not None:
            move = self._direct_to(s, pallet, best[1], now)
            assert move is not None  # it fitted a moment ago
            return move
        return reasons.why_not(REJECTS[closest] if closest >= 0 else None, destination, pallet)

    def _nearest_trailers(self, s: DispatchState, place: str, destination: str) -> list[tuple[float, str]]:
        """The trailers of ``destination`` with their travel from ``place``, nearest first (a trailer at no
        door last). Kept until the trailers, their doors or the doors change (a new state, put_trailer,
        put_doors)."""
        if s is not self._by_travel_of:
            self._by_travel.clear()
            self._by_travel_of = s
        key = (place, destination)
        found = self._by_travel.get(key)
        if found is None:
            at = place_xy(self._doors, self._areas, place)
            found = []
            for trailer_id in s.by_dest.get(destination, ()):
                door_id = s.door_of(trailer_id)
                door = self._doors.get(door_id) if door_id is not None else None
                found.append((math.inf if door is None else metres(at, (door.x, door.y)), trailer_id))
            found.sort()
            self._by_travel[key] = found
        return found

    def _choose(self, s: DispatchState, pallet: Pallet, now: datetime, held: Held | None) -> Move:
        if pallet.mixed:
            found = self._nearest_area(pallet, "breakdown")
            if found is not None:
                area, travel = found
                return Move(pallet.sscc, "indirect", area.id, None, travel,
                            reasons.indirect(pallet.destinations, area.id, travel))
            return self._staging(pallet, f"{reasons.mixed_label(pallet.destinations)}, no breakdown")
        if not pallet.destinations:
            return self._staging(pallet, "destination unknown")
        found_direct = self._best_direct(s, pallet, now, held)
        if isinstance(found_direct, Move):
            return found_direct
        return self._staging(pallet, found_direct)

    def _staging(self, pallet: Pallet, why: str) -> Move:
        found = self._nearest_area(pallet, "staging")
        if found is None:
            raise NoPlaceError(
                f"No place for pallet {pallet.sscc}: {why}, and no staging area keeps {pallet.temp} goods", why=why
            )
        area, travel = found
        return Move(pallet.sscc, "staging", area.id, None, travel, reasons.staging(why, area.id, travel))

    def _nearest_area(self, pallet: Pallet, kind: str) -> tuple[Area, float] | None:
        """Nearest area of ``kind`` keeping the pallet's temperature, by rectilinear metres."""
        key = (pallet.location, kind, pallet.temp)
        if key not in self._nearest:
            at = place_xy(self._doors, self._areas, pallet.location)
            fitting = [
                (metres(at, (a.x, a.y)), a.id, a)
                for a in self._areas.values() if a.kind == kind and keeps(a.temp, pallet.temp)
            ]
            best = min(fitting, default=None)
            self._nearest[key] = None if best is None else (best[2], best[0])
        return self._nearest[key]

    # -- keeping loads valid --------------------------------------------------------------------------

    def _settled(self, s: DispatchState) -> DispatchState:
        for trailer_id in list(s.members):
            self._settle(s, trailer_id)
        return s

    def _settle(self, s: DispatchState, trailer_id: str) -> None:
        """Pallets sent to ``trailer_id`` that no longer fit it, or overfill it, fall back to staging."""
        trailer = s.trailers.get(trailer_id)
        members = [s.pallets[k] for k in s.members.get(trailer_id, ()) if not s.pallets[k].frozen]
        today = self._now.date() if self._now is not None else None
        members.sort(key=lambda p: (urgent(p, self._rules, today), p.priority, -s.since.get(p.sscc, 0)))
        load = s.load(trailer_id)
        for pallet in members:  # least deserving first: they give way when the trailer overflows
            over = trailer is None or load.over(trailer) or (
                pallet.hazmat is not None and pallet.hazmat in load.conflicts(self._rules)
            )
            # now=None: a pallet already sent keeps a trailer that leaves within the handling time (the worker is on
            # the way); only a trailer gone, closed, changed or overfilled sends it elsewhere.
            if over or not self._fits(s, pallet, trailer_id, None):
                self._bump(s, pallet, f"{trailer_id} changed")
            elif s.moves[pallet.sscc].door != s.door_of(trailer_id):
                s.set_move(pallet.sscc, self._direct_to(s, pallet, trailer_id, None))

    def _leave_held(self, s: DispatchState, trailer_id: str, held: int, before: set[str]) -> None:
        """Pallets new to ``trailer_id`` (not in ``before``) give way, least deserving first, until its load
        leaves ``held`` positions free (or none of them is left)."""
        trailer = s.trailers.get(trailer_id)
        if trailer is None or held <= 0:
            return
        excess = s.load(trailer_id).count + held - trailer.capacity_pallets
        if excess <= 0:
            return
        today = self._now.date() if self._now is not None else None
        newcomers = [s.pallets[k] for k in s.members.get(trailer_id, ()) if k not in before and not s.pallets[k].frozen]
        newcomers.sort(key=lambda p: (urgent(p, self._rules, today), p.priority, -s.since.get(p.sscc, 0), p.sscc))
        for pallet in newcomers[:excess]:
            self._bump(s, pallet, f"{trailer_id} held by edges")

    def _bump(self, s: DispatchState, pallet: Pallet, why: str) -> None:
        try:
            move: Move | None = self._staging(pallet, why)
        except NoPlaceError:
            move = None  # undecided: the next decision for it says why
        s.set_move(pallet.sscc, move)

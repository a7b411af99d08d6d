"""The dispatcher's live state: pallets, trailers, moves, and the loads kept in step with them.

Invariant: ``loads``/``members``/``on`` count exactly the frozen pallets naming a trailer and the other
pallets whose move is direct to it. Every change goes through :meth:`DispatchState.uncount` before and
:meth:`DispatchState.count` after, so a decision never sums over the pallets in the building.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from xdock.central.optimiser._dispatch_rules import Load
from xdock.central.optimiser.plan import Move, Plan
from xdock.central.optimiser.schema import Floor, Pallet, Trailer

__all__ = ["DispatchState"]


@dataclass
class DispatchState:
    """One consistent picture; the dispatcher swaps a whole new one in when it adopts a re-plan."""

    pallets: dict[str, Pallet]
    trailers: dict[str, Trailer]
    trailer_doors: dict[str, str]
    truck_doors: dict[str, str]
    version: int
    moves: dict[str, Move] = field(default_factory=dict)
    loads: dict[str, Load] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    """Per trailer: the pallets counted in its load."""
    on: dict[str, str] = field(default_factory=dict)
    """Per pallet: the trailer its load counts toward."""
    staged: set[str] = field(default_factory=set)
    """Pallets that are not frozen and whose move is a staging move."""
    since: dict[str, int] = field(default_factory=dict)
    """Per pallet: the order its current move was recorded in (smaller is older)."""
    by_dest: dict[str, set[str]] = field(default_factory=dict)
    """Ids of the trailers not departed, per destination (a decision looks at no departed trailer, however
    many a week of them there were)."""
    gone: set[str] = field(default_factory=set)
    """Destinations with a departed trailer (a pallet for one with no trailer left: ``last trailer gone``)."""
    seq: int = 0

    @classmethod
    def build(cls, floor: Floor, plan: Plan, carried: dict[str, Move] | None = None) -> DispatchState:
        """State for ``floor`` with ``plan``'s moves; pallets ``plan`` has no move for keep ``carried``'s."""
        state = cls(
            pallets=dict(floor.pallets), trailers=dict(floor.trailers), trailer_doors=dict(plan.trailer_doors),
            truck_doors=dict(plan.truck_doors), version=plan.version,
        )
        for trailer in state.trailers.values():
            state._index(trailer)
        for sscc, pallet in state.pallets.items():
            if pallet.frozen:
                state.count(sscc)
        carried = carried or {}
        for sscc, pallet in state.pallets.items():
            move = plan.moves.get(sscc) or carried.get(sscc)
            if move is not None and not pallet.frozen:
                state.set_move(sscc, move)
        return state

    def door_of(self, trailer_id: str) -> str | None:
        """The door a trailer loads at: the plan's choice, else the trailer's own."""
        trailer = self.trailers.get(trailer_id)
        return self.trailer_doors.get(trailer_id, trailer.door if trailer is not None else None)

    def load(self, trailer_id: str) -> Load:
        return self.loads.get(trailer_id) or Load()

    def _target(self, pallet: Pallet) -> str | None:
        if pallet.frozen:
            return pallet.trailer
        move = self.moves.get(pallet.sscc)
        return move.target if move is not None and move.kind == "direct" else None

    def count(self, sscc: str) -> None:
        pallet = self.pallets[sscc]
        target = self._target(pallet)
        if target is None:
            return
        self.on[sscc] = target
        self.loads.setdefault(target, Load()).add(pallet)
        self.members.setdefault(target, set()).add(sscc)

    def uncount(self, sscc: str) -> None:
        target = self.on.pop(sscc, None)
        if target is None:
            return
        self.loads[target].remove(self.pallets[sscc])
        self.members[target].discard(sscc)

    def set_move(self, sscc: str, move: Move | None) -> None:
        """Record ``move`` (``None``: forget the pallet's move) and keep loads and the pallet's trailer in step."""
        self.uncount(sscc)
        pallet = self.pallets[sscc]
        if move is None:
            self.moves.pop(sscc, None)
            self.since.pop(sscc, None)
        else:
            self.moves[sscc] = move
            self.seq += 1
            self.since[sscc] = self.seq
        if move is not None and move.kind == "staging" and not pallet.frozen:
            self.staged.add(sscc)
        else:
            self.staged.discard(sscc)
        self._mark(sscc)
        self.count(sscc)

    def _mark(self, sscc: str) -> None:
        """A pallet that is not frozen names the trailer of its direct move, as instructed (none otherwise)."""
        pallet = self.pallets[sscc]
        move = self.moves.get(sscc)
        if pallet.frozen:
            return
        direct = move is not None and move.kind == "direct"
        trailer = move.target if move is not None and direct else None
        if pallet.trailer != trailer or pallet.instructed != direct:
            self.pallets[sscc] = replace(pallet, trailer=trailer, instructed=direct)

    def put_pallet(self, pallet: Pallet) -> None:
        """Replace the pallet's facts; its move stays (the caller settles the trailer it counts toward)."""
        self.uncount(pallet.sscc)
        self.pallets[pallet.sscc] = pallet
        move = self.moves.get(pallet.sscc)
        if pallet.frozen:
            self.staged.discard(pallet.sscc)
        elif move is not None:
            if move.kind == "staging":
                self.staged.add(pallet.sscc)
            self._mark(pallet.sscc)
        self.count(pallet.sscc)

    def remove_pallet(self, sscc: str) -> None:
        if sscc not in self.pallets:
            return
        self.uncount(sscc)
        del self.pallets[sscc]
        self.moves.pop(sscc, None)
        self.since.pop(sscc, None)
        self.staged.discard(sscc)

    def put_trailer(self, trailer: Trailer) -> None:
        """Replace the trailer's facts; a docked or re-doored trailer's plan door gives way to its own."""
        old = self.trailers.get(trailer.id)
        if old is not None:
            self.by_dest.get(old.destination, set()).discard(trailer.id)
        self._index(trailer)
        if trailer.docked or (old is not None and old.door != trailer.door):
            self.trailer_doors.pop(trailer.id, None)
        self.trailers[trailer.id] = trailer

    def _index(self, trailer: Trailer) -> None:
        if trailer.departed:
            self.gone.add(trailer.destination)
        else:
            self.by_dest.setdefault(trailer.destination, set()).add(trailer.id)

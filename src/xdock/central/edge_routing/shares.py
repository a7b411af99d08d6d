"""How many of an open trailer's free positions each edge listing it may fill alone, kept stable between scans.

An edge deciding offline sends at most its share of pallets to a trailer, so the guarantee is one sum:
after every look, **the shares of all edges holding one of a trailer add up to at most its free positions**.
Splitting all free positions afresh at every look keeps that, but then every pallet central sends to the
trailer (and every change of the ranking) moves somebody's share, and so a snapshot. The book instead:

- hands out at most ``free - free // reserve_div`` positions; the rest is central's reserve, which its own
  decisions use up first without touching any edge's share;
- gives an edge that lists the trailer and holds no share a grant from what is left: the even split of
  the handed-out amount among the edges listing or holding it (rounded down), at least ``block``,
  edges the trailer ranks best for first;
- keeps a share while the trailer is open and the sum still fits its free positions, even when the
  edge's ranking no longer picks the trailer; when the sum no longer fits (central used up its
  reserve), it cuts shares just enough to restore the reserve, largest first, so one look changes
  the fewest snapshots;
- takes one position off an edge's share when central applies a pallet that edge sent to the trailer
  alone and keeps it there (:meth:`ShareBook.consume`): the edge used it, so the trailer's free
  positions and that share drop together and no other edge's share is cut for it;
- forgets a trailer that is no longer open (departed, full, closed), and the share of an edge that
  stops listing it because its door is unknown.

Central's own decisions keep the sum too (the dispatcher's ``held``), but hold only the shares of edges
that may be deciding alone. An edge central hears (``connected``: its status online, heartbeats fresh,
no backlog, central's session up) gets a new snapshot within about a second, so central may take room
from its share: :meth:`ShareBook.fit` cuts it on demand, and the publisher sends the smaller share.
The shares of the other edges are untouchable (:meth:`ShareBook.held`) until they come back and receive
a snapshot. After a pallet central placed (for an edge's scan, a rematch or an adopted re-plan), what the
shares hold beyond the trailer's free positions comes off the scanning edge's own share first, then off
the connected edges' shares, largest first (of equal ones, the one given last), exactly by the positions
taken, never off a disconnected edge's. Without ``connected`` no edge is taken as connected: every other
edge's share is held, as for an edge cut off.

Pure and in memory: after central restarts a new book hands everything out afresh, and the first look
republishes every table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xdock.central.site.held_positions import Connected

__all__ = ["Connected", "ShareBook"]



@dataclass(frozen=True)
class _Held:
    edge: str
    positions: int


class ShareBook:
    """Each open trailer's free positions held by the edges that list it (trailer → edges in grant order)."""

    def __init__(self, *, block: int = 1, reserve_div: int = 4) -> None:
        """``block``: the fewest positions one grant gives (fewer only when fewer are left); ``reserve_div``:
        central keeps ``free // reserve_div`` of a trailer's free positions for itself (0: none)."""
        if block < 1 or reserve_div < 0:
            raise ValueError(f"block must be at least 1 and reserve_div not negative, got {block} and {reserve_div}")
        self.block = block
        self.reserve_div = reserve_div
        self._held: dict[str, list[_Held]] = {}

    def shares(self, trailer: str, free: int, listing: Sequence[str]) -> dict[str, int]:
        """Each share of ``trailer`` with ``free`` positions now; ``listing``: the edges that list it or hold a
        share of it, best ranked first. Edges missing from ``listing`` lose their share."""
        if free < 0:
            raise ValueError(f"free positions of {trailer!r} must not be negative, got {free}")
        listed = set(listing)
        held = [h for h in self._held.get(trailer, []) if h.edge in listed]
        budget = free - (free // self.reserve_div if self.reserve_div else 0)
        if sum(h.positions for h in held) > free:
            held = _cut(held, budget)
        left = budget - sum(h.positions for h in held)
        if left > 0 and listing:
            grant = max(self.block, budget // len(listing))
            have = {h.edge for h in held}
            for edge in listing:
                if left <= 0:
                    break
                if edge not in have:
                    given = min(grant, left)
                    held.append(_Held(edge, given))
                    left -= given
        self._held[trailer] = held
        return {h.edge: h.positions for h in held}

    def consume(self, trailer: str, edge: str) -> None:
        """Central applied a pallet ``edge`` sent to ``trailer`` alone and kept it there: one position of the
        edge's share is used (the trailer's free positions dropped by one too)."""
        held = self._held.get(trailer, [])
        for i, h in enumerate(held):
            if h.edge == edge:
                if h.positions > 1:
                    held[i] = _Held(edge, h.positions - 1)
                else:
                    del held[i]
                return

    def held(self, trailer: str, edge: str | None = None, connected: Connected | None = None) -> int:
        """Positions of ``trailer`` held by edges other than ``edge`` (by all edges when ``None``) that are not
        ``connected`` (every one of them when ``connected`` is ``None``)."""
        held = self._held.get(trailer)
        if not held:
            return 0
        return sum(h.positions for h in held if h.edge != edge and (connected is None or not connected(h.edge)))

    def fit(self, trailer: str, edge: str | None, free: int, connected: Connected | None = None) -> list[str]:
        """Central placed a pallet (``edge``'s, or for no edge when ``None``) and ``trailer`` has ``free``
        positions left: what the shares hold beyond them comes off ``edge``'s share, then off the
        ``connected`` edges' shares, largest first; a disconnected edge's share never moves. Returns the
        edges whose share was cut."""
        held = self._held.get(trailer, [])
        excess = sum(h.positions for h in held) - max(free, 0)
        if excess <= 0:
            return []
        own = [i for i, h in enumerate(held) if h.edge == edge]
        others = _largest_first(held, (i for i, h in enumerate(held) if h.edge != edge and connected is not None
                                       and connected(h.edge)))
        self._held[trailer], cut = _take(held, [*own, *others], excess)
        return cut

    def trailers(self) -> list[str]:
        """The trailers some edge holds a share of."""
        return [t for t, held in self._held.items() if held]

    def holders(self, trailer: str) -> set[str]:
        """The edges holding a share of ``trailer``."""
        return {h.edge for h in self._held.get(trailer, [])}

    def keep_only(self, trailers: Iterable[str]) -> None:
        """Forget the shares of every trailer not in ``trailers`` (departed, full, closed)."""
        kept = set(trailers)
        for trailer in [t for t in self._held if t not in kept]:
            del self._held[trailer]


def _cut(held: list[_Held], budget: int) -> list[_Held]:
    """``held`` reduced to at most ``budget`` positions, touching the fewest edges: from the largest share
    first (of equal ones, the one given last)."""
    return _take(held, _largest_first(held, range(len(held))), sum(h.positions for h in held) - budget)[0]


def _largest_first(held: list[_Held], indices: Iterable[int]) -> list[int]:
    """``indices`` of ``held``, the largest share first (of equal ones, the one given last)."""
    return sorted(indices, key=lambda i: (-held[i].positions, -i))


def _take(held: list[_Held], order: Iterable[int], excess: int) -> tuple[list[_Held], list[str]]:
    """``held`` less ``excess`` positions, taken from the shares at ``order`` in turn (no empty share
    kept), and the edges whose share was cut."""
    out = list(held)
    cut: list[str] = []
    for i in order:
        if excess <= 0:
            break
        taken = min(out[i].positions, excess)
        out[i] = _Held(out[i].edge, out[i].positions - taken)
        excess -= taken
        cut.append(out[i].edge)
    return [h for h in out if h.positions > 0], cut

"""How many of an open trailer's free positions each edge listing it may fill alone, kept stable between scans.

An edge deciding offline sends at most its share of pallets to a trailer, so the guarantee is one sum:
after every look, **the shares of all edges in a trailer's column add up to at most its free positions**.
Splitting all free positions at every look keeps that, but every pallet central sends to the trailer
then changes somebody's share, and so a snapshot. Instead the book hands out shares in blocks and keeps
them while the sum still fits:

- at most ``free - free // reserve_div`` positions are handed out; the rest is central's reserve,
  which its own decisions use first without touching any edge's share;
- an edge listing the trailer with no share gets a block from what is left: the even split of the
  handed-out amount among the listing edges, at least ``block`` positions, edges the trailer ranks best
  for first (so a quiet trailer goes to few edges in useful blocks rather than one position to each);
- a share is kept as long as the edge lists the trailer and the sum fits the free positions; when it
  no longer fits (central used up its reserve), the shares given last are cut, no more than needed to
  restore the reserve, so one look changes the fewest snapshots;
- an edge that stops listing the trailer gives its share back; a trailer that is not open loses them all.

Pure and in memory: central restarting starts a new book, and its first look republishes every table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["ShareBook"]


@dataclass(frozen=True)
class _Held:
    edge: str
    positions: int


class ShareBook:
    """Each open trailer's free positions held by the edges that list it (trailer → edges in grant order)."""

    def __init__(self, *, block: int = 4, reserve_div: int = 4) -> None:
        """``block``: the fewest positions one grant gives (less only when less is left); ``reserve_div``: central
        keeps ``free // reserve_div`` of a trailer's free positions for itself (0 hands out everything)."""
        if block < 1 or reserve_div < 0:
            raise ValueError(f"block must be at least 1 and reserve_div not negative, got {block} and {reserve_div}")
        self.block = block
        self.reserve_div = reserve_div
        self._held: dict[str, list[_Held]] = {}

    def shares(self, trailer: str, free: int, listing: Sequence[str]) -> dict[str, int]:
        """The share of each edge in ``listing`` (best ranked first) for ``trailer`` with ``free`` positions now."""
        if free < 0:
            raise ValueError(f"free positions of {trailer!r} must not be negative, got {free}")
        listed = set(listing)
        held = [h for h in self._held.get(trailer, []) if h.edge in listed]
        budget = free - (free // self.reserve_div if self.reserve_div else 0)
        if sum(h.positions for h in held) > free:
            held = _cut(held, budget)
        left = budget - sum(h.positions for h in held)
        if left > 0 and listing:
            grant = max(self.block, -(-budget // len(listing)))
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

    def keep_only(self, trailers: Iterable[str]) -> None:
        """Forget the shares of every trailer not in ``trailers`` (departed, full, closed)."""
        kept = set(trailers)
        for trailer in [t for t in self._held if t not in kept]:
            del self._held[trailer]


def _cut(held: list[_Held], budget: int) -> list[_Held]:
    """``held`` reduced to at most ``budget`` positions, taking from the shares given last."""
    excess = sum(h.positions for h in held) - budget
    out = list(held)
    for i in range(len(out) - 1, -1, -1):
        if excess <= 0:
            break
        taken = min(out[i].positions, excess)
        out[i] = _Held(out[i].edge, out[i].positions - taken)
        excess -= taken
    return [h for h in out if h.positions > 0]

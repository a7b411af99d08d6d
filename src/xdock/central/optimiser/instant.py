"""The instant decision taken the moment a pallet is scanned: which outbound trailer, at which door.

Pure: data in, decision out; the caller passes the time. The rule here is deliberately plain:

1. candidate trailers go to the pallet's destination, have a free pallet position, and leave
   no earlier than ``now + handling`` (the time it takes to move and load the pallet);
2. among them, the shortest travel from the inbound door to the trailer's door wins
   (rectilinear metres across the floor plan), then the earlier departure, then the id.

When no trailer qualifies the decision says why, in words a dock worker understands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Assigned", "Decision", "DoorPoint", "NoTrailer", "PalletRequest", "TrailerView", "decide", "metres"]


@dataclass(frozen=True)
class DoorPoint:
    """A door's id and position on the floor plan (metres)."""

    id: str
    x: float
    y: float


@dataclass(frozen=True)
class TrailerView:
    """What the decision needs to know of an outbound trailer."""

    id: str
    door: DoorPoint
    destination: str
    capacity_pallets: int
    loaded_pallets: int
    departure: datetime
    departed: bool = False

    @property
    def free_positions(self) -> int:
        return max(0, self.capacity_pallets - self.loaded_pallets)


@dataclass(frozen=True)
class PalletRequest:
    """A pallet asking for a place: where it is and where it goes."""

    sscc: str
    destination: str
    ship_to: str
    inbound_door: DoorPoint


@dataclass(frozen=True)
class Assigned:
    trailer: TrailerView
    metres: float
    reason: str


@dataclass(frozen=True)
class NoTrailer:
    reason: str
    short: str


Decision = Assigned | NoTrailer


def metres(a: DoorPoint, b: DoorPoint) -> float:
    """Rectilinear travel between two doors on the floor plan."""
    return abs(a.x - b.x) + abs(a.y - b.y)


def decide(
    pallet: PalletRequest, trailers: Sequence[TrailerView], now: datetime, handling: timedelta
) -> Decision:
    """Choose the trailer for ``pallet`` among ``trailers``, or say why there is none."""
    for_dest = [t for t in trailers if t.destination == pallet.destination]
    if not for_dest:
        return NoTrailer(
            reason=f"No trailer for {pallet.destination} ({pallet.ship_to}) in today's plan",
            short=f"no trailer for {pallet.ship_to} today",
        )
    ready_by = now + handling
    open_ = [t for t in for_dest if not t.departed and t.departure >= ready_by]
    if not open_:
        last = max(for_dest, key=lambda t: t.departure)
        return NoTrailer(
            reason=f"Every trailer for {pallet.destination} has left or leaves before the pallet can be loaded "
            f"(last: {last.id}, departure {last.departure:%H:%M} UTC)",
            short=f"last trailer for {pallet.ship_to} gone",
        )
    with_room = [t for t in open_ if t.free_positions > 0]
    if not with_room:
        return NoTrailer(
            reason=f"Every open trailer for {pallet.destination} is full "
            f"({', '.join(f'{t.id} {t.loaded_pallets}/{t.capacity_pallets}' for t in open_)})",
            short=f"trailers for {pallet.ship_to} full",
        )
    best = min(with_room, key=lambda t: (metres(pallet.inbound_door, t.door), t.departure, t.id))
    dist = metres(pallet.inbound_door, best.door)
    reason = (
        f"{pallet.destination}: trailer {best.id} at {best.door.id}, "
        f"{best.loaded_pallets + 1}/{best.capacity_pallets} pallets with this one, "
        f"{dist:.0f} m from {pallet.inbound_door.id}"
    )
    return Assigned(trailer=best, metres=dist, reason=reason)

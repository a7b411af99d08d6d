"""What an edge needs to answer workers alone: its routing table, from central's current plan.

Pure: the floor and plan in, one :class:`~xdock.protocol.messages.RouteSnapshot` per edge out. An edge
deciding offline takes the first route for the pallet's destination that keeps its cold chain, may
carry its dangerous goods and still has a free position; else the staging area. So the table holds,
per destination, the trailers that take an ordinary pallet right now (not departed, leaving after the
handling time, at an open outbound door, with room), ranked for the edge's door as the dispatcher
ranks them for a pallet that is not urgent (travel plus the balance term, then departure):

- the best ``per_destination`` trailers, plus the best reefer and the best trailer taking dangerous
  goods when those are not among them already, so the snapshot stays a few KB for a large site;
- ``staging`` and ``chilled_staging``: the nearest staging areas keeping ambient and chilled goods.

The snapshot's content (everything but ``plan_version`` and ``made_at``) is what the publisher
compares to decide whether an edge needs a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from xdock.central.optimiser.schema import Area, Door, Floor, TempClass, Trailer, metres
from xdock.central.site_config import Destination
from xdock.protocol.messages import DestinationMatch, Route, RouteSnapshot

__all__ = ["OpenTrailer", "RouteTable", "open_trailers", "route_table"]

_KG_SLACK = 1e-6
_COLD = {"ambient": 0, "chilled": 1, "frozen": 2}


@dataclass(frozen=True)
class OpenTrailer:
    """A trailer an edge may send an ordinary pallet to now, with its door and the room it has left."""

    trailer: Trailer
    door: Door
    free_positions: int
    fill_next: float
    """Fill fraction of the binding dimension once one more (empty-weight) pallet is aboard."""


@dataclass(frozen=True)
class RouteTable:
    """The content of one edge's snapshot; equal tables need no new publish."""

    destinations: tuple[DestinationMatch, ...]
    routes: tuple[Route, ...]
    staging: str | None
    chilled_staging: str | None

    def snapshot(self, edge_id: str, plan_version: int, made_at: datetime) -> RouteSnapshot:
        return RouteSnapshot(
            edge_id=edge_id, plan_version=plan_version, made_at=made_at, destinations=list(self.destinations),
            routes=list(self.routes), staging=self.staging, chilled_staging=self.chilled_staging,
        )


def open_trailers(floor: Floor, trailer_doors: Mapping[str, str], now: datetime) -> list[OpenTrailer]:
    """Trailers taking pallets now: not departed, leaving after the handling time, at an open door, with room.

    A trailer's load is what the floor's pallets name it for (loaded, moving, or sent there by a move).
    """
    count: dict[str, int] = {}
    kg: dict[str, float] = {}
    for pallet in floor.pallets.values():
        if pallet.trailer is not None:
            count[pallet.trailer] = count.get(pallet.trailer, 0) + 1
            kg[pallet.trailer] = kg.get(pallet.trailer, 0.0) + pallet.weight_kg
    found = []
    for trailer in floor.trailers.values():
        door_id = trailer_doors.get(trailer.id, trailer.door)
        door = floor.doors.get(door_id) if door_id is not None else None
        if trailer.departed or trailer.departure < now + floor.rules.handling:
            continue
        if door is None or not door.open or not door.outbound:
            continue
        aboard, weight = count.get(trailer.id, 0), kg.get(trailer.id, 0.0)
        free = trailer.capacity_pallets - aboard
        if free <= 0 or weight >= trailer.capacity_kg - _KG_SLACK:
            continue
        fill = max((aboard + 1) / trailer.capacity_pallets, weight / trailer.capacity_kg)
        found.append(OpenTrailer(trailer, door, free, fill))
    return found


def _nearest_staging(areas: Iterable[Area], at: tuple[float, float], temp: TempClass) -> str | None:
    fitting = [
        (metres(at, (a.x, a.y)), a.id) for a in areas if a.kind == "staging" and _COLD[a.temp] >= _COLD[temp]
    ]
    return min(fitting)[1] if fitting else None


def _pick(ranked: list[OpenTrailer], per_destination: int) -> list[OpenTrailer]:
    """The best ``per_destination`` of one destination's trailers, plus its best reefer and best for hazmat."""
    kept = ranked[:per_destination]
    for wanted in ("reefer", "accepts_hazmat"):
        if not any(getattr(o.trailer, wanted) for o in kept):
            extra = next((o for o in ranked if getattr(o.trailer, wanted)), None)
            if extra is not None:
                kept.append(extra)
    return kept


def route_table(
    floor: Floor, open_now: Iterable[OpenTrailer], destinations: Iterable[Destination], door_id: str, *,
    per_destination: int = 2,
) -> RouteTable:
    """The routing table of an edge at inbound door ``door_id``; an unknown door gets no routes nor staging."""
    matches = tuple(DestinationMatch(id=d.id, postal_codes=list(d.postal_codes), glns=list(d.glns))
                    for d in destinations)
    door = floor.doors.get(door_id)
    if door is None:
        return RouteTable(matches, (), None, None)
    at = (door.x, door.y)
    balance = floor.rules.balance_weight_m

    def key(o: OpenTrailer) -> tuple[float, float, str]:
        travel = metres(at, (o.door.x, o.door.y))
        return travel + balance * o.fill_next, o.trailer.departure.timestamp(), o.trailer.id

    by_dest: dict[str, list[OpenTrailer]] = {}
    for o in sorted(open_now, key=key):
        by_dest.setdefault(o.trailer.destination, []).append(o)
    chosen = sorted((o for group in by_dest.values() for o in _pick(group, per_destination)), key=key)
    routes = tuple(
        Route(
            destination=o.trailer.destination, trailer=o.trailer.id, door=o.door.id, departure=o.trailer.departure,
            reefer=o.trailer.reefer, accepts_hazmat=o.trailer.accepts_hazmat, free_positions=o.free_positions,
        )
        for o in chosen
    )
    areas = floor.areas.values()
    return RouteTable(matches, routes, _nearest_staging(areas, at, "ambient"), _nearest_staging(areas, at, "chilled"))

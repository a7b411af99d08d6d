"""What an edge needs to answer workers alone: its routing table, from central's current plan.

Pure: the floor and plan in, one :class:`~xdock.protocol.messages.RouteSnapshot` per edge out. An edge
deciding offline takes the first route for the pallet's destination that keeps its cold chain, may
carry its dangerous goods and still has a free position; else the staging area. So the table holds,
per destination, the trailers that take an ordinary pallet right now (not departed, leaving after the
handling time, at an open outbound door, with room), ranked for the edge's door as the dispatcher
ranks them for a pallet that is not urgent (travel plus the balance term, then departure):

- the best ``per_destination`` trailers (default one), plus the best reefer and the best trailer
  taking dangerous goods when those are not among them already: a pallet the table has no trailer
  for waits in staging, and central routes it when it hears of it;
- ``staging`` and ``chilled_staging``: the nearest staging areas keeping ambient and chilled goods.

A route is the same for every edge (made once per look); only the order differs. The table's
``signature`` (routes, free positions and staging as plain values) is what the publisher compares to
decide whether an edge needs a new snapshot. ``bench/routes.py`` measures size and cost on a large site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from xdock.central.optimiser.schema import Area, Door, Floor, TempClass, Trailer, metres
from xdock.central.site_config import Destination
from xdock.protocol.messages import DestinationMatch, Route, RouteSnapshot

__all__ = ["OpenTrailer", "RouteTable", "by_destination", "destination_matches", "open_trailers", "route_table"]

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
    route: Route
    """The same for every edge: made once per look."""
    signature: tuple[object, ...]
    """What an edge sees of this trailer, as plain values (cheap to compare)."""
    extra_m: float
    """The balance term of the ranking: ``rules.balance_weight_m`` times ``fill_next``."""
    departs: float
    """Departure as a POSIX timestamp: the ranking's tie-break."""


@dataclass(frozen=True)
class RouteTable:
    """The content of one edge's snapshot; equal tables (by ``signature``) need no new publish."""

    signature: tuple[object, ...]
    destinations: tuple[DestinationMatch, ...] = field(compare=False)
    routes: tuple[Route, ...] = field(compare=False)
    staging: str | None = field(compare=False)
    chilled_staging: str | None = field(compare=False)

    def snapshot(self, edge_id: str, plan_version: int, made_at: datetime) -> RouteSnapshot:
        return RouteSnapshot(
            edge_id=edge_id, plan_version=plan_version, made_at=made_at, destinations=list(self.destinations),
            routes=list(self.routes), staging=self.staging, chilled_staging=self.chilled_staging,
        )


def destination_matches(destinations: Iterable[Destination]) -> tuple[DestinationMatch, ...]:
    """The site file's destinations as an edge matches ship-to values against them."""
    return tuple(DestinationMatch(id=d.id, postal_codes=list(d.postal_codes), glns=list(d.glns)) for d in destinations)


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
        route = Route(
            destination=trailer.destination, trailer=trailer.id, door=door.id, departure=trailer.departure,
            reefer=trailer.reefer, accepts_hazmat=trailer.accepts_hazmat, free_positions=free,
        )
        signature = (trailer.id, door.id, free, trailer.departure, trailer.reefer, trailer.accepts_hazmat)
        extra = floor.rules.balance_weight_m * fill
        found.append(OpenTrailer(trailer, door, free, fill, route, signature, extra, trailer.departure.timestamp()))
    return found


def by_destination(open_now: Iterable[OpenTrailer]) -> dict[str, list[OpenTrailer]]:
    """Open trailers grouped by destination (once per look, for every edge's table)."""
    groups: dict[str, list[OpenTrailer]] = {}
    for o in open_now:
        groups.setdefault(o.trailer.destination, []).append(o)
    return groups


def _nearest_staging(areas: Iterable[Area], at: tuple[float, float], temp: TempClass) -> str | None:
    fitting = [
        (metres(at, (a.x, a.y)), a.id) for a in areas if a.kind == "staging" and _COLD[a.temp] >= _COLD[temp]
    ]
    return min(fitting)[1] if fitting else None


_Ranked = tuple[float, float, str, OpenTrailer]


def _pick(ranked: list[_Ranked], per_destination: int) -> list[_Ranked]:
    """The best ``per_destination`` of one destination's ranked trailers, plus its best reefer and best for hazmat."""
    kept = ranked[:per_destination]
    for wanted in ("reefer", "accepts_hazmat"):
        if not any(getattr(k[3].trailer, wanted) for k in kept):
            extra = next((k for k in ranked if getattr(k[3].trailer, wanted)), None)
            if extra is not None:
                kept.append(extra)
    return kept


def route_table(
    floor: Floor, groups: Mapping[str, list[OpenTrailer]], destinations: tuple[DestinationMatch, ...], door_id: str,
    *, per_destination: int = 1,
) -> RouteTable:
    """The routing table of an edge at inbound door ``door_id`` from the open trailers ``groups`` (see
    :func:`by_destination`); an unknown door gets no routes nor staging.

    Ranked as the dispatcher ranks trailers for a pallet that is not urgent: rectilinear travel from
    the door plus the balance term, then the earlier departure, then the trailer id.
    """
    door = floor.doors.get(door_id)
    if door is None:
        return RouteTable((), destinations, (), None, None)
    x, y = door.x, door.y
    chosen: list[_Ranked] = []
    for group in groups.values():
        ranked = sorted(
            (abs(o.door.x - x) + abs(o.door.y - y) + o.extra_m, o.departs, o.trailer.id, o) for o in group
        )
        chosen.extend(_pick(ranked, per_destination))
    chosen.sort()
    areas = floor.areas.values()
    staging, chilled = _nearest_staging(areas, (x, y), "ambient"), _nearest_staging(areas, (x, y), "chilled")
    signature = (tuple(k[3].signature for k in chosen), staging, chilled)
    return RouteTable(signature, destinations, tuple(k[3].route for k in chosen), staging, chilled)

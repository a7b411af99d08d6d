"""What an edge needs to answer workers alone: its routing table, from central's current plan.

Pure: the floor and plan in, one :class:`~xdock.protocol.messages.RouteSnapshot` per edge out. An edge
deciding offline takes the first route for the pallet's destination that keeps its cold chain, may
carry its dangerous goods and still has a free position; else the staging area. Among the trailers
that take an ordinary pallet right now (not departed, leaving after the handling time, at an open
outbound door, with room), each edge picks, ranked for its door as the dispatcher ranks them for a
pallet that is not urgent (travel plus the balance term, then departure):

- the best ``per_destination`` trailers (default one), plus the best reefer and the best trailer
  taking dangerous goods when those are not among them already: a pallet the table has no trailer
  for waits in staging, and central routes it when it hears of it;
- ``staging`` and ``chilled_staging``: the nearest staging areas keeping ambient and chilled goods.

A trailer's free positions are shared out among the edges that pick it (:mod:`xdock.central.edge_routing.shares`:
kept between scans, central keeping a reserve), so edges deciding alone at the same time never overfill
it between them: a pallet beyond an edge's share waits in staging rather than be sent to a full trailer
and corrected later. An edge keeps its share while the trailer is open even when its ranking no longer
picks it. The table lists the trailers the edge holds a share of, and only those (a route with no free
position is one the edge could never take), by destination in the site's order, nearest first within
one, so another trailer's fill moving the ranking changes no table.

A route is the same for every edge (made once per look). The table's ``signature`` (routes, this edge's
shares and staging as plain values) is what the publisher compares to decide whether an edge needs a new
snapshot: a pallet central sends to a trailer changes no edge's table until the trailer's reserve is used
up, and then only the tables of the edges whose shares central's decision cut (the scanning edge's own, or
an edge central hears; never one that may be deciding alone, :mod:`xdock.central.site.scans`).
``bench/routes.py`` measures size, cost and the traffic of a scan stream on a large site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from xdock.central.edge_routing.shares import ShareBook
from xdock.central.optimiser.schema import Area, Door, Floor, TempClass, Trailer, metres
from xdock.central.site_file.config import Destination
from xdock.protocol.messages import DestinationMatch, Route, RouteSnapshot

__all__ = ["OpenTrailer", "RouteTable", "destination_matches", "open_trailers", "route_tables"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
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
    """What an edge sees of this trailer but its share, as plain values (cheap to compare)."""
    extra_m: float
    """The trailer's term of the ranking: ``rules.balance_weight_m`` times ``fill_next`` plus the departure
    term (``Rules.departure_m``) at the snapshot's time."""
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

    def snapshot(
        self, edge_id: str, plan_version: int, made_at: datetime, *, chilled_max_c: float,
        applied_offline: list[int] | None = None,
    ) -> RouteSnapshot:
        """``chilled_max_c``: the site's rule (its file's ``rules.chilled_max_c``) the edge applies offline;
        ``applied_offline``: the edge's offline decisions central has applied (see :class:`RouteSnapshot`)."""
        return RouteSnapshot(
            edge_id=edge_id, plan_version=plan_version, made_at=made_at, chilled_max_c=chilled_max_c,
            destinations=list(self.destinations),
            routes=list(self.routes), staging=self.staging, chilled_staging=self.chilled_staging,
            applied_offline=applied_offline,
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
        signature = (trailer.id, door.id, trailer.departure, trailer.reefer, trailer.accepts_hazmat)
        extra = floor.rules.balance_weight_m * fill + floor.rules.departure_m(trailer.departure, now)
        found.append(OpenTrailer(trailer, door, free, fill, route, signature, extra, trailer.departure.timestamp()))
    return found


def _nearest_staging(areas: Iterable[Area], at: tuple[float, float], temp: TempClass) -> str | None:
    fitting = [
        (metres(at, (a.x, a.y)), a.id) for a in areas if a.kind == "staging" and _COLD[a.temp] >= _COLD[temp]
    ]
    return min(fitting)[1] if fitting else None


def _picks(rank: IntArray, trailers: list[OpenTrailer], per_destination: int) -> BoolArray:
    """Per edge (row), the trailers (columns) its table lists: per destination the ``per_destination`` best,
    then the best reefer if none of those is one, then the best taking dangerous goods if none kept does."""
    picked = np.zeros(rank.shape, dtype=bool)
    rows = np.arange(rank.shape[0])
    reefer = np.array([o.trailer.reefer for o in trailers])
    hazmat = np.array([o.trailer.accepts_hazmat for o in trailers])
    groups: dict[str, list[int]] = {}
    for i, o in enumerate(trailers):
        groups.setdefault(o.trailer.destination, []).append(i)
    for columns in groups.values():
        cols = np.array(columns)
        top = cols[np.argsort(rank[:, cols], axis=1)[:, :per_destination]]
        picked[rows[:, None], top] = True
        has_reefer, has_hazmat = reefer[top].any(axis=1), hazmat[top].any(axis=1)
        reefers = cols[reefer[cols]]
        if reefers.size:
            best = reefers[np.argmin(rank[:, reefers], axis=1)]
            add = ~has_reefer
            picked[rows[add], best[add]] = True
            has_hazmat |= add & hazmat[best]
        takers = cols[hazmat[cols]]
        if takers.size:
            best = takers[np.argmin(rank[:, takers], axis=1)]
            add = ~has_hazmat
            picked[rows[add], best[add]] = True
    return picked


def route_tables(
    floor: Floor, open_now: Iterable[OpenTrailer], destinations: tuple[DestinationMatch, ...],
    doors: Mapping[str, str], *, per_destination: int = 1, shares: ShareBook | None = None,
) -> dict[str, RouteTable]:
    """The routing table of each edge (edge id → its inbound door); an unknown door gets no routes nor staging.

    ``shares`` keeps the edges' shares from one look to the next (a new book when ``None``: every share
    handed out afresh).

    Ranked for each door as the dispatcher ranks trailers for a pallet that is not urgent: rectilinear
    travel from the door plus the balance term, then the earlier departure, then the trailer id. All
    edges at once, as arrays (edges × open trailers), so a look over a large site stays a few ms.
    """
    tables = {edge: RouteTable((), destinations, (), None, None) for edge, door in doors.items()
              if door not in floor.doors}
    placed = [(edge, floor.doors[door]) for edge, door in doors.items() if door in floor.doors]
    book = shares if shares is not None else ShareBook()
    open_list = list(open_now)
    book.keep_only(o.trailer.id for o in open_list)
    if not placed:
        return tables
    # Ties on travel keep this order (a stable sort): earlier departure, then trailer id.
    trailers = sorted(open_list, key=lambda o: (o.departs, o.trailer.id))
    at = np.array([(door.x, door.y) for _, door in placed], dtype=float).reshape(-1, 2)
    where = np.array([(o.door.x, o.door.y) for o in trailers], dtype=float).reshape(-1, 2)
    extra = np.array([o.extra_m for o in trailers], dtype=float)
    travel = np.abs(at[:, None, 0] - where[None, :, 0]) + np.abs(at[:, None, 1] - where[None, :, 1])
    keys = travel + extra[None, :]
    order = np.argsort(keys, axis=1, kind="stable")
    rank = np.empty_like(order)
    rank[np.arange(len(placed))[:, None], order] = np.arange(len(trailers))[None, :]
    picked = _picks(rank, trailers, per_destination)
    held = _shares(book, picked, rank, trailers, [edge for edge, _ in placed])
    position = {d.id: i for i, d in enumerate(destinations)}
    group = np.array([position.get(o.trailer.destination, len(position)) for o in trailers], dtype=np.intp)
    areas = list(floor.areas.values())
    staging: dict[str, tuple[str | None, str | None]] = {}
    for row, (edge, door) in enumerate(placed):
        if door.id not in staging:
            xy = (door.x, door.y)
            staging[door.id] = (_nearest_staging(areas, xy, "ambient"), _nearest_staging(areas, xy, "chilled"))
        ambient, chilled = staging[door.id]
        # By destination (as ``destinations``), nearest first: fixed while the trailers stand.
        cols = np.flatnonzero(held[row] > 0)
        cols = cols[np.lexsort((travel[row, cols], group[cols]))]
        listed = [(trailers[i], int(held[row, i])) for i in cols]
        signature = (tuple((o.signature, share) for o, share in listed), ambient, chilled)
        routes = tuple(
            o.route if share == o.free_positions else o.route.model_copy(update={"free_positions": share})
            for o, share in listed
        )
        tables[edge] = RouteTable(signature, destinations, routes, ambient, chilled)
    return tables


def _shares(
    book: ShareBook, picked: BoolArray, rank: IntArray, trailers: list[OpenTrailer], edges: list[str]
) -> IntArray:
    """Per edge and trailer, the free positions that edge may fill alone (0 where it does not list it):
    per trailer, the book's shares for the edges listing it, best ranked first; they never sum above its room."""
    held = np.zeros(picked.shape, dtype=np.intp)
    row_of = {edge: row for row, edge in enumerate(edges)}
    for col, open_trailer in enumerate(trailers):
        holding = [row_of[e] for e in book.holders(open_trailer.trailer.id) if e in row_of]
        listing = np.union1d(np.flatnonzero(picked[:, col]), np.array(holding, dtype=np.intp))
        best_first = listing[np.argsort(rank[listing, col], kind="stable")]
        given = book.shares(open_trailer.trailer.id, open_trailer.free_positions, [edges[r] for r in best_first])
        for row in best_first:
            held[row, col] = given.get(edges[row], 0)
    return held

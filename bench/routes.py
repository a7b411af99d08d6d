"""Size and cost of the routing snapshots central pushes to its edges, on a synthetic site.

Usage: python bench/routes.py [--doors 300] [--pallets 5000] [--per-destination 1] [--rounds 5] [--seed 1]
                               [--scans-per-s 5] [--minutes 10] [--block 1] [--reserve-div 4] [--unheard 0]

Builds the site (``xdock.testing.synthetic_site``), lets the dispatcher decide every pallet on the
floor, then makes one snapshot per inbound door (one edge each) as central's publisher does: the
floor and plan are read once, the open trailers found once, a table ranked per door. Prints the
encoded snapshot sizes (bytes: min, median, max), routes per snapshot, and the time of one full look
over every edge (median of ``--rounds``).

Then replays a scan stream in site time (``--scans-per-s`` new pallets a second at random inbound doors, for
``--minutes``; no broker): each pallet is decided as central decides it, and each second the publisher's look
runs; each pallet is decided as central decides a scan from the edge at its door (after the reserve, its own
share, then the shares of the edges central hears, which are cut; the shares of the others held); an edge
whose table changed counts one snapshot of its encoded size. ``--unheard`` is the fraction of edges central
does not hear (chosen at random; 0: every edge online, 1: every other edge's share held, as for edges cut
off; their scans are still decided by central). Gives bytes and snapshots per
second of site time and the mean and largest snapshot sent, and what the edges could do alone at the start
and the end (free positions of the open trailers, the sum of the edges' shares, destinations an edge has a
route for, on average). ``--block`` and ``--reserve-div`` set the share book's (see
``xdock.central.edge_routing.shares``). The last line printed is one JSON object; figures only.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from xdock.central.edge_routing.shares import ShareBook  # noqa: E402
from xdock.central.edge_routing.snapshots import (  # noqa: E402
    OpenTrailer,
    RouteTable,
    destination_matches,
    open_trailers,
    route_tables,
)
from xdock.central.optimiser.dispatcher import Dispatcher, NoPlaceError  # noqa: E402
from xdock.central.site_file.config import DEFAULT_CHILLED_MAX_C, Destination  # noqa: E402
from xdock.protocol.clock import ManualClock  # noqa: E402
from xdock.protocol.messages import DestinationMatch, encode  # noqa: E402
from xdock.testing.synthetic_site import synthetic_floor, synthetic_pallets  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doors", type=int, default=300)
    parser.add_argument("--pallets", type=int, default=5000)
    parser.add_argument("--per-destination", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scans-per-s", type=int, default=5)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--block", type=int, default=1)
    parser.add_argument("--reserve-div", type=int, default=4)
    parser.add_argument("--unheard", type=float, default=0.0)
    args = parser.parse_args()

    floor = synthetic_floor(args.doors, args.pallets, args.seed, NOW)
    dispatcher = Dispatcher(floor)
    for sscc in floor.pallets:
        try:
            dispatcher.decide(sscc, NOW)
        except NoPlaceError:
            dispatcher.remove_pallet(sscc)
    served = sorted({t.destination for t in floor.trailers.values()})
    # Two postal prefixes per destination, as a site file would list them.
    destinations = destination_matches(
        Destination(id=d, name=d.title()[:24], postal_codes=[f"{10 + 2 * i:02d}*", f"{11 + 2 * i:02d}*"])
        for i, d in enumerate(served)
    )
    inbound = sorted(d.id for d in floor.doors.values() if d.inbound)

    durations = []
    sizes: list[int] = []
    routes: list[int] = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        current = dispatcher.floor
        open_now = open_trailers(current, dispatcher.plan().trailer_doors, NOW)
        by_edge = route_tables(current, open_now, destinations, {f"edge-{door}": door for door in inbound},
                               per_destination=args.per_destination,
                               shares=ShareBook(block=args.block, reserve_div=args.reserve_div))
        tables = [by_edge[f"edge-{door}"] for door in inbound]
        durations.append(time.perf_counter() - started)
        sizes = [len(encode(t.snapshot(f"edge-{door}", 1, NOW, chilled_max_c=DEFAULT_CHILLED_MAX_C)))
                 for t, door in zip(tables, inbound, strict=True)]
        routes = [len(t.routes) for t in tables]

    result = {
        "doors": args.doors, "pallets": args.pallets, "edges": len(inbound), "trailers": len(floor.trailers),
        "open_trailers": len(open_now), "destinations": len(destinations), "per_destination": args.per_destination,
        "snapshot_bytes": {"min": min(sizes), "median": int(statistics.median(sizes)), "max": max(sizes)},
        "routes_per_snapshot": {"min": min(routes), "max": max(routes)},
        "look_all_edges_ms": round(statistics.median(durations) * 1000, 1),
        "stream": replay(dispatcher, destinations, inbound, args),
    }
    print(json.dumps(result))


def replay(
    dispatcher: Dispatcher, destinations: tuple[DestinationMatch, ...], inbound: list[str], args: argparse.Namespace,
) -> dict[str, object]:
    """Snapshots the publisher would send while ``args.scans_per_s`` pallets a second are scanned and decided."""
    clock = ManualClock(NOW)
    rng = random.Random(args.seed)
    seconds = int(args.minutes * 60)
    arriving = synthetic_pallets(dispatcher.floor, seconds * args.scans_per_s, args.seed + 7, NOW, prefix="2")
    edges = {f"edge-{door}": door for door in inbound}
    unheard = set(random.Random(args.seed + 11).sample(sorted(edges), round(args.unheard * len(edges))))
    heard = lambda edge_id: edge_id not in unheard  # noqa: E731
    tables: dict[str, RouteTable] = {}
    book = ShareBook(block=args.block, reserve_div=args.reserve_div)
    alone: dict[str, dict[str, float]] = {}
    sizes: list[int] = []
    decided = staged = held = 0
    for second in range(seconds + 1):
        now = clock.now()
        current = dispatcher.floor
        open_now = open_trailers(current, dispatcher.plan().trailer_doors, now)
        look = route_tables(current, open_now, destinations, edges, per_destination=args.per_destination,
                            shares=book)
        if second in (0, seconds):
            alone["offline_start" if second == 0 else "offline_end"] = offline_reach(open_now, look.values())
        for edge_id, table in look.items():
            if tables.get(edge_id) != table:
                tables[edge_id] = table
                if second > 0:  # the first look is the start-up publish of every table
                    snapshot = table.snapshot(edge_id, second + 1, now, chilled_max_c=DEFAULT_CHILLED_MAX_C)
                    sizes.append(len(encode(snapshot)))
        for pallet in arriving[second * args.scans_per_s:(second + 1) * args.scans_per_s]:
            door = rng.choice(inbound)
            edge_id = f"edge-{door}"
            dispatcher.put_pallet(replace(pallet, location=door))
            try:
                move = dispatcher.decide(pallet.sscc, now, held=partial(book.held, edge=edge_id, connected=heard))
            except NoPlaceError:
                dispatcher.remove_pallet(pallet.sscc)
                continue
            if move.kind == "direct":
                book.fit(move.target, edge_id, dispatcher.room(move.target), heard)
            decided += move.kind == "direct"
            staged += move.kind != "direct"
            held += "held by edges" in move.reason
        clock.advance(1.0)
    return {
        "scans_per_s": args.scans_per_s, "site_seconds": seconds, "unheard_edges": len(unheard),
        "direct": decided, "staged": staged, "staged_room_held": held,
        "snapshots": len(sizes), "snapshots_per_s": round(len(sizes) / seconds, 2),
        "bytes_per_s": round(sum(sizes) / seconds),
        "mean_snapshot_bytes": round(statistics.fmean(sizes)) if sizes else 0,
        "max_snapshot_bytes": max(sizes, default=0), **alone,
    }


def offline_reach(open_now: list[OpenTrailer], tables: Iterable[RouteTable]) -> dict[str, float]:
    """What edges deciding alone could do with ``tables``: positions shared out of those free, and destinations
    an edge has a route with a free position for (mean over edges)."""
    listed = list(tables)
    reach = [len({r.destination for r in t.routes if r.free_positions > 0}) for t in listed]
    return {
        "free_positions": sum(o.free_positions for o in open_now),
        "shared_positions": sum(r.free_positions for t in listed for r in t.routes),
        "destinations_per_edge": round(statistics.fmean(reach), 1) if reach else 0.0,
    }


if __name__ == "__main__":
    main()

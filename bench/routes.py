"""Size and cost of the routing snapshots central pushes to its edges, on a synthetic site.

Usage: python bench/routes.py [--doors 300] [--pallets 5000] [--per-destination 1] [--rounds 5] [--seed 1]

Builds the site (``xdock.testing.synthetic_site``), lets the dispatcher decide every pallet on the
floor, then makes one snapshot per inbound door (one edge each) as central's publisher does: the
floor and plan are read once, the open trailers found once, a table ranked per door. Prints the
encoded snapshot sizes (bytes: min, median, max), routes per snapshot, and the time of one full look
over every edge (median of ``--rounds``). The last line printed is one JSON object; figures only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from xdock.central.optimiser.dispatcher import Dispatcher, NoPlaceError  # noqa: E402
from xdock.central.routes import destination_matches, open_trailers, route_tables  # noqa: E402
from xdock.central.site_config import Destination  # noqa: E402
from xdock.protocol.messages import encode  # noqa: E402
from xdock.testing.synthetic_site import synthetic_floor  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doors", type=int, default=300)
    parser.add_argument("--pallets", type=int, default=5000)
    parser.add_argument("--per-destination", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
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
                               per_destination=args.per_destination)
        tables = [by_edge[f"edge-{door}"] for door in inbound]
        durations.append(time.perf_counter() - started)
        sizes = [len(encode(t.snapshot(f"edge-{door}", 1, NOW))) for t, door in zip(tables, inbound, strict=True)]
        routes = [len(t.routes) for t in tables]

    result = {
        "doors": args.doors, "pallets": args.pallets, "edges": len(inbound), "trailers": len(floor.trailers),
        "open_trailers": len(open_now), "destinations": len(destinations), "per_destination": args.per_destination,
        "snapshot_bytes": {"min": min(sizes), "median": int(statistics.median(sizes)), "max": max(sizes)},
        "routes_per_snapshot": {"min": min(routes), "max": max(routes)},
        "look_all_edges_ms": round(statistics.median(durations) * 1000, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""A site hour on the production topology: every scan, passage and reading accounted for, the metrics against the store.

    python bench/site_hour.py [--minutes 60] [--speed 30] [--scans-per-door 600] [--passages-per-door 120]
                              [--broker-down 3] [--keep DIR]

Starts what a site runs, as processes on loopback (:mod:`xdock.testing.site_hour`): Mosquitto with TLS
and the generated ACL, central-a leading and central-b standing by on a fresh PostgreSQL database
(the server at ``$XDOCK_TEST_POSTGRES``, default ``postgresql://postgres@127.0.0.1:5432/postgres``), two
edges each with a mock scanner and an LLRP portal, two MQTT sensor nodes, and VictoriaMetrics taking
central's telemetry and scraping every ``/metrics``. It plays ``--minutes`` of site time at ``--speed``
times the wall clock: steady scans, pallets in through each portal, readings all along; central-a is
SIGKILLed at a third, the broker stopped for ``--broker-down`` wall seconds at two thirds.

Figures: for ``scans``, ``passages`` and ``readings``: ``sent``, ``applied``, ``lost``, ``duplicates``
(plus ``unexpected`` and, for readings, ``unconfirmed``: applied though the node never had the broker's
acknowledgement, in flight at the outage); ``failover_s`` (SIGKILL until central-b says it leads),
``recovery_s`` (broker start until central and both edges are connected with empty outboxes),
``drain_s`` (hour's end until the store held everything), and ``metrics``: each central's last scraped
``xdock_scans_applied_total`` next to the scans the store holds under its epoch, the edges'
``xdock_edge_scans_total`` next to the scans they were given, the readings in telemetry next to the store's.

Progress goes to stderr; the last line of stdout is one JSON object. Every process is stopped on every exit path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from xdock.testing.postgres import fresh_database  # noqa: E402
from xdock.testing.site_hour import SiteHour  # noqa: E402
from xdock.testing.site_hour_plan import HourPlan  # noqa: E402

log = logging.getLogger("bench.site_hour")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Run a site hour on the production topology; print its figures as JSON.")
    p.add_argument("--minutes", type=float, default=60.0, help="site minutes to play (default: %(default)s)")
    p.add_argument("--speed", type=float, default=30.0, help="site seconds per wall second (default: %(default)s)")
    p.add_argument("--scans-per-door", type=int, default=600, help="labels each scanner reads (default: %(default)s)")
    p.add_argument("--passages-per-door", type=int, default=120,
                   help="pallets in through each portal (default: %(default)s)")
    p.add_argument("--broker-down", type=float, default=3.0,
                   help="wall seconds the broker stays down (default: %(default)s)")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the run's folder (logs, outboxes) in DIR")
    args = p.parse_args(argv)
    try:
        args.plan = HourPlan(site_minutes=args.minutes, speed=args.speed, scans_per_door=args.scans_per_door,
                             passages_per_door=args.passages_per_door, broker_down_s=args.broker_down)
    except ValueError as exc:
        p.error(str(exc))
    return args


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


async def play(args: argparse.Namespace) -> dict[str, Any]:
    plan: HourPlan = args.plan
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xdock-site-hour-")))
        db = stack.enter_context(fresh_database())
        log.info("site hour: %.0f site minutes at %gx (%.0f s wall) in %s", plan.site_minutes, plan.speed,
                 plan.wall_s, folder)
        async with SiteHour(folder, plan, db) as hour:
            run = await hour.run()
            ledger = await asyncio.to_thread(hour.ledger)
    metrics = asdict(ledger.metrics)
    metrics["telemetry_lost"] = ledger.metrics.stored_readings - ledger.metrics.telemetry_readings
    metrics["central_a_unscraped"] = (ledger.metrics.scans_applied_stored.get("central-a", 0)
                                      - ledger.metrics.scans_applied_scraped.get("central-a", 0))
    return _rounded({
        "site_minutes": plan.site_minutes, "speed": plan.speed,
        "scans": asdict(ledger.scans), "warm_up_scans": ledger.warm_up_scans,
        "passages": asdict(ledger.passages) | {"scripted": ledger.passages_scripted},
        "readings": asdict(ledger.readings),
        **asdict(run), "metrics": metrics,
    })


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("xdock.firmware_mocks").setLevel(logging.WARNING)
    figures = asyncio.run(play(args))
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fault scenarios at scale: every scan applied exactly once, every worker answered, and how fast service recovers.

    python bench/faults.py --scans 10000 [--only broker_restart ...] [--edges 2] [--rate 100]
                           [--outage 10] [--link-delay 0.05] [--keep DIR]

Each scenario (``broker_restart``, ``central_kill``, ``edge_kill``, ``scanner_reopen``,
``slow_link``; see :mod:`xdock.testing.fault_scenarios` for what each does and how every figure is
defined) runs on a fresh rig of real processes in a temporary folder: Mosquitto with persistence on
a free loopback port, running the config ``xdock broker-config`` writes for the site (ACL on, every
client logged in as itself), ``xdock central`` with its SQLite database, ``--edges`` ``xdock edge``
processes each reading one mock scanner on a pty, and a steady open-loop stream of ``--scans``
labels at ``--rate`` scans per second over all scanners. ``--outage`` is how long the broker
stays down (``broker_restart``), central stays dead before its restart (``central_kill``; capped
at 2 s) and the scanner stays unplugged (``scanner_reopen``; capped at 2 s).

Figures per scenario: ``sent``, ``confirmed_to_worker``, ``applied``, ``duplicates_applied``,
``lost``, ``max_answer_ms``, ``recovery_s`` (from the fault's end until central applies scans
again), plus ``drain_s`` (until the backlog drained at central and at the scanners, at the edges'
bounded drain rate), ``lost_confirmed``, ``rescanned``, ``extra_answers``,
``corrections``, ``fault_s``, ``wall_s`` and, for ``central_kill``, ``answering_s`` (from the restarted
central's exec to its first answer of a scan). With ``--keep DIR`` each scenario's folder (process logs,
the edges' outboxes, central's database, Mosquitto's store) stays in ``DIR/NAME`` for a look afterwards;
without it the folders are deleted. Target at 10,000 scans: ``lost`` and
``duplicates_applied`` 0 in every scenario, ``recovery_s`` <= 2 after the broker returns.

Progress goes to stderr; the last line of stdout is one JSON object ``{"scenarios": {NAME: {...}}}``.
A scenario that fails to run reports ``{"error": "..."}``. Every process is stopped on every exit path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from xdock.testing.fault_rig import RigConfig
from xdock.testing.fault_scenarios import SCENARIOS, run_scenario

log = logging.getLogger("bench.faults")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Run the fault scenarios and print their figures as JSON.")
    p.add_argument("--scans", type=int, default=2000, help="scans per scenario (default: %(default)s)")
    p.add_argument("--only", nargs="+", choices=SCENARIOS, metavar="NAME", help=f"run only these: {SCENARIOS}")
    p.add_argument("--edges", type=int, default=2, help="edge agents, one scanner each (default: %(default)s)")
    p.add_argument("--rate", type=float, default=100.0, help="scans per second, all scanners (default: %(default)s)")
    p.add_argument("--outage", type=float, default=10.0, help="seconds the broker stays down (default: %(default)s)")
    p.add_argument("--link-delay", type=float, default=0.05,
                   help="one-way delay of the slow link, seconds (default: %(default)s)")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="keep each scenario's folder (logs, outboxes, central db) in DIR/NAME (default: deleted)")
    args = p.parse_args(argv)
    if args.scans < 1 or args.edges < 1 or args.rate <= 0 or args.outage < 0 or args.link_delay < 0:
        p.error("--scans, --edges and --rate must be positive; --outage and --link-delay not negative")
    return args


async def run_all(args: argparse.Namespace) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="xdock-faults-"))
        for series, name in enumerate(args.only or SCENARIOS, start=1):
            outage = args.outage if name == "broker_restart" else min(args.outage, 2.0)
            config = RigConfig(scans=args.scans, edges=args.edges, rate=args.rate, series=series)
            log.info("%s: %d scans over %d edges at %.0f/s", name, args.scans, args.edges, args.rate)
            started = time.monotonic()
            try:
                report = await run_scenario(
                    name, Path(tmp) / name, config, outage_s=outage, link_delay_s=args.link_delay
                )
            except Exception as exc:  # one broken scenario must not hide the figures of the others
                log.exception("%s failed", name)
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
                continue
            results[name] = {**report.as_dict(), "wall_s": round(time.monotonic() - started, 1)}
            log.info("%s: %s", name, json.dumps(results[name]))
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("xdock.firmware_mocks").setLevel(logging.WARNING)
    logging.getLogger("xdock.testing.tcp_proxy").setLevel(logging.WARNING)
    results = asyncio.run(run_all(args))
    print(json.dumps({"scenarios": results}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

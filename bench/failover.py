"""A standby central takes over mid-stream: every scan applied exactly once, and how long the site went unanswered.

    python bench/failover.py --scans 600 --rate 50 [--cut] [--edges 2] [--keep DIR]

Runs the ``leader_kill`` scenario (``--cut``: ``leader_cut``) of :mod:`xdock.testing.fault_scenarios`
on a fresh rig of real processes in a temporary folder: Mosquitto with persistence on a free loopback
port, running the config ``xdock broker-config`` writes for the site (ACL on, every client logged in
as itself), ``xdock central --central-id central-a`` leading and ``central-b`` standing by on one
fresh PostgreSQL database (the machine's server, see :mod:`xdock.testing.postgres`; dropped
afterwards), ``--edges`` ``xdock edge`` processes each reading one mock scanner on a pty, and a steady
open-loop stream of ``--scans`` labels at ``--rate`` scans per second over all scanners. Once a third of
the stream is written, central-a is SIGKILLed (``--cut``: its database connections are cut, and it
must stop by itself with exit status 75); central-b takes the lead and the MQTT session.

Figures: ``failover_s`` (from the fault's start to the first answer on an edge's command topic after
central-b took the lead), ``sent``, ``applied``, ``lost``, ``duplicates_applied``, ``answered_by`` (applied
scan events per central), ``old_leader_exit``, ``fault_s`` (until central-b's API said it leads),
``recovery_s``, ``drain_s``, ``max_answer_ms``, ``confirmed_to_worker`` and the rest of
:class:`~xdock.testing.fault_scenarios.ScenarioReport`, and ``wall_s``. Target: ``lost`` and
``duplicates_applied`` 0, both centrals in ``answered_by``, ``failover_s`` <= 2.

Progress goes to stderr; stdout is one JSON line (``{"error": "..."}`` if the run failed). The run is
bounded in time (every wait has a deadline), every process is stopped and the database dropped on
every exit path, and all traffic stays on the loopback interface.
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
from xdock.testing.fault_scenarios import run_scenario
from xdock.testing.postgres import fresh_database

log = logging.getLogger("bench.failover")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Fail the leading central over to its standby; print the figures as JSON.")
    p.add_argument("--scans", type=int, default=600, help="scans in the stream (default: %(default)s)")
    p.add_argument("--rate", type=float, default=50.0, help="scans per second, all scanners (default: %(default)s)")
    p.add_argument("--edges", type=int, default=2, help="edge agents, one scanner each (default: %(default)s)")
    p.add_argument("--cut", action="store_true",
                   help="cut the leader's database connections instead of killing it (default: SIGKILL)")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="keep the rig's folder (logs, outboxes, Mosquitto's store) in DIR (default: deleted)")
    args = p.parse_args(argv)
    if args.scans < 3 or args.edges < 1 or args.rate <= 0:
        p.error("--scans must be 3 or more, --edges and --rate positive")
    return args


async def run(args: argparse.Namespace) -> dict[str, object]:
    name = "leader_cut" if args.cut else "leader_kill"
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xdock-failover-")))
        db = stack.enter_context(fresh_database())
        config = RigConfig(scans=args.scans, edges=args.edges, rate=args.rate, db=db, standby=True)
        log.info("%s: %d scans over %d edges at %.0f/s", name, args.scans, args.edges, args.rate)
        started = time.monotonic()
        report = await run_scenario(name, folder / name, config)
        return {"scenario": name, **report.as_dict(), "wall_s": round(time.monotonic() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("xdock.firmware_mocks").setLevel(logging.WARNING)
    try:
        result = asyncio.run(run(args))
    except Exception as exc:  # the figures' line says what broke, as bench/faults.py does
        log.exception("failover run failed")
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

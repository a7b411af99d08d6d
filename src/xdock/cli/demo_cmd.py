"""``xdock demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xdock.central.api.listen_socket import ApiAddressError
from xdock.cli._common import broker_arg, fail, run_until_stopped


def register(commands: Any) -> None:
    p: argparse.ArgumentParser = commands.add_parser(
        "demo", help="a simulated cross-dock on this machine",
        description="Run a simulated cross-dock: an in-process MQTT broker, central with its API, two edge agents "
        "with mock serial scanners, and a stream of trucks whose pallets get scanned; RFID portals at the outbound "
        "doors D12 and D13 (an LLRP reader and an edge agent each) through which forklifts take the pallets, now and "
        "then through the wrong door first; MQTT sensor nodes (reefer and staging temperature, door contact, "
        "trailer presence) and a Modbus probe. Shows assignments, RFID loads, mis-loads and sensor alerts live.",
    )
    p.add_argument("--duration", type=float, help="stop after this many seconds (default: run until Ctrl-C)")
    p.add_argument("--broker", type=broker_arg, help="use this MQTT broker instead of the in-process one")
    p.add_argument("--speed", type=float, default=30.0, help="site time runs this much faster (default: %(default)s)")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between scans per door (default: %(default)s)")
    p.add_argument("--seed", type=int, default=7, help="seed of the truck stream (default: %(default)s)")
    p.add_argument("--api-port", type=int, default=8080, help="central's API port, 0 for any (default: %(default)s)")
    p.add_argument("--plain", action="store_true", help="print a line per scan instead of a live screen")
    p.add_argument("--no-devices", action="store_true",
                   help="run the scanners only: no RFID portals, sensor nodes or Modbus probe")
    p.add_argument("--misload-chance", type=float, default=0.15, metavar="P",
                   help="chance a forklift takes a pallet through the neighbouring portal first (default: "
                        "%(default)s)")
    p.add_argument("--workdir", type=Path, metavar="DIR",
                   help="keep the store, the edges' state and demo.log in this new or empty folder "
                        "(default: a temporary folder, removed at the end)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.duration is not None and args.duration <= 0:
        return fail(f"--duration must be positive, got {args.duration}")
    if args.speed <= 0:
        return fail(f"--speed must be positive, got {args.speed}")
    if not 0 <= args.misload_chance <= 1:
        return fail(f"--misload-chance must be 0 to 1, got {args.misload_chance}")
    if args.workdir is not None:
        problem = _workdir_problem(args.workdir)
        if problem:
            return fail(f"--workdir {args.workdir}: {problem}")
    from xdock.demo.runner import DemoOptions, run_demo  # noqa: PLC0415  (heavy import only when used)

    options = DemoOptions(
        duration=args.duration, broker=args.broker, speed=args.speed, scan_interval=max(0.0, args.interval),
        seed=args.seed, api_port=args.api_port, live=sys.stdout.isatty() and not args.plain,
        devices=not args.no_devices, misload_chance=args.misload_chance, workdir=args.workdir,
    )

    async def main() -> None:
        await run_demo(options, sys.stdout)

    try:
        return run_until_stopped(main())
    except ApiAddressError as exc:
        return fail(f"{exc}; choose another with --api-port (0 for any free port)")


def _workdir_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot hold a new demo's files (created when missing), or None."""
    if folder.exists() and not folder.is_dir():
        return "not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if any(folder.iterdir()):
            return "not empty; give a new or empty folder (a demo starts from a fresh store)"
    except OSError as exc:
        return f"cannot use it: {exc.strerror or exc}"
    return None

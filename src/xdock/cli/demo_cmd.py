"""``xdock demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xdock.central.api.listen_socket import ApiAddressError
from xdock.central.config import CentralConfig
from xdock.cli._common import broker_arg, fail, run_until_stopped
from xdock.demo.options import DemoOptions


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
    p.add_argument("--speed", type=float, default=DemoOptions.speed,
                   help="site time runs this much faster (default: %(default)s)")
    p.add_argument("--interval", type=float, default=DemoOptions.scan_interval,
                   help="seconds between scans per door (default: %(default)s)")
    p.add_argument("--seed", type=int, default=DemoOptions.seed, help="seed of the truck stream (default: %(default)s)")
    # Central's own default port, as ``xdock central`` (the demo's options default to any free port).
    p.add_argument("--api-port", type=int, default=CentralConfig.api_port,
                   help="central's API port, 0 for any (default: %(default)s)")
    p.add_argument("--plain", action="store_true", help="print a line per scan instead of a live screen")
    p.add_argument("--no-devices", action="store_true",
                   help="run the scanners only: no RFID portals, sensor nodes or Modbus probe")
    p.add_argument("--misload-chance", type=float, default=DemoOptions.misload_chance, metavar="P",
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
    from xdock.demo.runner import run_demo  # noqa: PLC0415  (heavy import only when used)

    options = options_from(args, live=sys.stdout.isatty())

    async def main() -> None:
        await run_demo(options, sys.stdout)

    try:
        return run_until_stopped(main())
    except ApiAddressError as exc:
        return fail(f"{exc}; choose another with --api-port (0 for any free port)")


def options_from(args: argparse.Namespace, *, live: bool) -> DemoOptions:
    """The demo's options from its parsed options; ``live``: the output is a terminal (``--plain`` aside)."""
    return DemoOptions(
        duration=args.duration, broker=args.broker, speed=args.speed, scan_interval=max(0.0, args.interval),
        seed=args.seed, api_port=args.api_port, live=live and not args.plain,
        devices=not args.no_devices, misload_chance=args.misload_chance, workdir=args.workdir,
    )


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

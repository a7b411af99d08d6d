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
        "with mock serial scanners at D1 and D2, and a day of the site played by the simulator's engine in scaled "
        "time: trucks are announced and unload at the scanner doors, each pallet's label is scanned, trailers dock "
        "and depart at their time and the next ones come; RFID portals at the outbound doors D12 and D13 (an LLRP "
        "reader and an edge agent each) through which forklifts load the pallets, now and then through the wrong "
        "door first; MQTT sensor nodes (reefer and staging temperature, door contact, trailer presence) and a Modbus "
        "probe. Shows assignments, departures (on time, late), late pallets, truck waits, RFID loads, mis-loads and "
        "sensor alerts live. Scenarios: 'demo' (the default: about 200 pallets an hour on the demo site) and "
        "'black-friday' (three times the volume over the day, peaking 12:00-20:00: the two scanner doors cannot "
        "keep up and trucks queue), or a scenario file of a site whose inbound doors include D1 and D2 "
        "(docs/simulation.md, 'The demo'). The demo ends with its day.",
    )
    p.add_argument("--scenario", default=DemoOptions.scenario, metavar="NAME|FILE",
                   help="the day to play: demo, black-friday, or a scenario file (default: %(default)s)")
    p.add_argument("--duration", type=float,
                   help="stop after this many seconds (default: at the end of the day, or Ctrl-C)")
    p.add_argument("--broker", type=broker_arg, help="use this MQTT broker instead of the in-process one")
    p.add_argument("--speed", type=float, default=DemoOptions.speed,
                   help="site time runs this much faster (default: %(default)s)")
    p.add_argument("--seed", type=int, default=DemoOptions.seed,
                   help="seed of the day: its trucks, pallets and trailers (default: %(default)s)")
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
    problem = _problem(args)
    if problem:
        return fail(problem)
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
        duration=args.duration, broker=args.broker, speed=args.speed, scenario=args.scenario, seed=args.seed,
        api_port=args.api_port, live=live and not args.plain,
        devices=not args.no_devices, misload_chance=args.misload_chance, workdir=args.workdir,
    )


def _problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the options, in one line, or None."""
    if args.duration is not None and args.duration <= 0:
        return f"--duration must be positive, got {args.duration}"
    if args.speed <= 0:
        return f"--speed must be positive, got {args.speed}"
    if not 0 <= args.misload_chance <= 1:
        return f"--misload-chance must be 0 to 1, got {args.misload_chance}"
    if args.workdir is not None:
        problem = _workdir_problem(args.workdir)
        if problem:
            return f"--workdir {args.workdir}: {problem}"
    problem = _scenario_problem(args.scenario)
    return f"--scenario: {problem}" if problem else None


def _scenario_problem(name_or_path: str) -> str | None:
    """Why the demo cannot play scenario ``name_or_path``, or None."""
    from xdock.demo.day import check_demo_scenario, load_demo_scenario  # noqa: PLC0415  (heavy import only when used)
    from xdock.simulation.scenario import ScenarioError  # noqa: PLC0415

    try:
        check_demo_scenario(load_demo_scenario(name_or_path), DemoOptions.doors)
    except ScenarioError as exc:
        return str(exc)
    return None


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

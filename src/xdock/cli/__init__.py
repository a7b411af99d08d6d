"""The ``xdock`` command: one composition root per subcommand.

    xdock central   run central (ingest, site state, API) for one site
    xdock edge      run an edge agent for the scanners, RFID readers and probes at one door
    xdock broker-config  write one site's Mosquitto config (ACL, passwords)
    xdock demo      a simulated cross-dock on one machine
    xdock mock scanner   a serial barcode scanner on a pseudo-terminal
    xdock mock llrp-reader    an LLRP RFID reader on a TCP port, with scripted tags
    xdock mock sensor-node    an MQTT sensor node (temperature, humidity, door contact, trailer presence)
    xdock mock modbus-sensor  a Modbus RTU temperature/humidity probe on a pseudo-terminal
    xdock optimise cdap  solve a Cross-Dock Door Assignment instance
    xdock simulate  a site day or week in virtual time under each policy, KPIs side by side

Each subcommand lives in its own module, imported only when it runs (or when ``xdock --help`` lists
them all): ``xdock edge`` never loads central's web stack, and a restarted central answers sooner.
Each needs its extra of the distribution (``xdock.cli.extras``): without it, the subcommand names the
extra to install and exits 2; ``xdock --help`` lists it with that advice.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from xdock import __version__
from xdock.cli import optimise_cmd
from xdock.cli.extras import COMMAND_EXTRA, missing_extra
from xdock.cli.unknown_options import unknown_option
from xdock.observability.json_logs import configure_logging

__all__ = ["build_parser", "main"]

_COMMANDS = {
    "central": "xdock.cli.central_cmd", "edge": "xdock.cli.edge_cmd",
    "broker-config": "xdock.cli.broker_config_cmd", "demo": "xdock.cli.demo_cmd",
    "mock": "xdock.cli.mock_cmd", "optimise": "xdock.cli.optimise_cmd", "simulate": "xdock.cli.simulate_cmd",
}
"""Subcommand name → the module that registers and runs it, in ``xdock --help``'s order."""


def _command(argv: list[str]) -> str | None:
    """The subcommand ``argv`` names (the first word that is one: ``xdock``'s own options take no such
    value), or None (``--help``, ``--version``, a mistake: then every subcommand is registered)."""
    return next((word for word in argv if word in _COMMANDS), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """``xdock``'s parser with every subcommand, or with ``command`` only (the others are not imported)."""
    parser = argparse.ArgumentParser(
        prog="xdock", description="The software on a cross-dock floor: edge agents, central planner, simulators."
    )
    parser.add_argument("--version", action="version", version=f"xdock {__version__}")
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity on stderr (default: %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in _COMMANDS.items():
        if command is not None and name != command:
            continue
        problem = missing_extra(name)
        if problem is None:
            importlib.import_module(module).register(commands)
        else:
            _register_missing(commands, name, problem)
    return parser


def _register_missing(commands: Any, name: str, problem: str) -> None:
    """``name`` in ``xdock --help`` when its extra is not installed: the advice instead of its options."""
    extra = COMMAND_EXTRA[name]
    p: argparse.ArgumentParser = commands.add_parser(name, help=f"(needs pip install 'xdock[{extra}]')")

    def run(_args: argparse.Namespace) -> int:
        print(problem, file=sys.stderr)
        return 2

    p.set_defaults(run=run)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # ``xdock optimise cdap ...`` hands everything after the problem name to its own parser.
    head, tail = optimise_cmd.split_passthrough(argv)
    command = _command(head)
    problem = None if command is None else missing_extra(command)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    parser = build_parser(command)
    unknown = unknown_option(parser, head)
    if unknown is not None:
        reached, message = unknown
        reached.error(message)
    args = parser.parse_args(head)
    if tail is not None:
        args.rest = tail
    configure_logging(args.log_level, getattr(args, "log_format", "text"))
    try:
        result: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())

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
"""

from __future__ import annotations

import argparse
import logging
import sys

from xdock import __version__
from xdock.cli import broker_config_cmd, central_cmd, demo_cmd, edge_cmd, mock_cmd, optimise_cmd
from xdock.cli.unknown_options import unknown_option

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xdock", description="The software on a cross-dock floor: edge agents, central planner, simulators."
    )
    parser.add_argument("--version", action="version", version=f"xdock {__version__}")
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity on stderr (default: %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    central_cmd.register(commands)
    edge_cmd.register(commands)
    broker_config_cmd.register(commands)
    demo_cmd.register(commands)
    mock_cmd.register(commands)
    optimise_cmd.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    # ``xdock optimise cdap ...`` hands everything after the problem name to its own parser.
    head, tail = optimise_cmd.split_passthrough(argv)
    unknown = unknown_option(parser, head)
    if unknown is not None:
        reached, message = unknown
        reached.error(message)
    args = parser.parse_args(head)
    if tail is not None:
        args.rest = tail
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        result: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())

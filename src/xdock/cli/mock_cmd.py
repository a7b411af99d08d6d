"""``xdock mock``: device emulators on real transports, for trying an edge or central by hand.

    xdock mock scanner         a serial barcode scanner on a pty
    xdock mock llrp-reader     an LLRP RFID portal reader on a TCP port (:mod:`.mock_llrp_cmd`)
    xdock mock sensor-node     an MQTT sensor node publishing to a broker (:mod:`.mock_sensor_cmd`)
    xdock mock modbus-sensor   a Modbus RTU temperature/humidity probe on a pty (:mod:`.mock_modbus_cmd`)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xdock.cli import mock_llrp_cmd, mock_modbus_cmd, mock_sensor_cmd
from xdock.cli._common import fail, run_until_stopped
from xdock.firmware_mocks.scanner_console import serve_scanner


def register(commands: Any) -> None:
    mock: argparse.ArgumentParser = commands.add_parser("mock", help="device emulators on real transports")
    devices = mock.add_subparsers(dest="device", required=True, metavar="DEVICE")
    p: argparse.ArgumentParser = devices.add_parser(
        "scanner", help="a serial barcode scanner on a pty",
        description="Open a pseudo-terminal that behaves like a serial barcode scanner: labels typed on stdin "
        "(or read from --script) are sent as scans; beeps and display texts from the host are printed.",
    )
    p.add_argument("--link", help="also expose the device as this stable symlink, e.g. /tmp/scanner-d1")
    p.add_argument("--no-aim", action="store_true", help="send scans without the AIM symbology prefix ]C1")
    p.add_argument("--script", type=Path, help="file with one label per line to send instead of reading stdin")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between scripted scans (default: %(default)s)")
    p.set_defaults(run=run)
    mock_llrp_cmd.register(devices)
    mock_sensor_cmd.register(devices)
    mock_modbus_cmd.register(devices)


def run(args: argparse.Namespace) -> int:
    script: list[str] | None = None
    if args.script is not None:
        try:
            script = [line.rstrip("\r\n") for line in args.script.read_text(encoding="utf-8").splitlines()]
        except (OSError, UnicodeDecodeError) as exc:
            return fail(f"cannot read script {args.script}: {exc}")
        script = [line for line in script if line]
    if args.interval < 0:
        return fail(f"--interval must not be negative, got {args.interval}")
    symbology = None if args.no_aim else "]C1"

    async def main() -> None:
        await serve_scanner(
            link=args.link, symbology=symbology, script=script, interval=args.interval, out=sys.stdout,
            stdin=None if script is not None else sys.stdin,
        )

    return run_until_stopped(main())

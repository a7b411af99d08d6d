"""``xdock mock llrp-reader``: an LLRP RFID portal reader on a TCP port, its antennas seeing scripted tags.

It prints each client that connects (or is refused: a reader takes one client at a time) and
leaves, and each tag the first time an antenna reads it in a pass::

    LLRP reader on 127.0.0.1:5084: 4 antennas, 2 tag passes scripted
    client 127.0.0.1:40112 connected
    read 3114...  SSCC 037613032100000011  antenna 2  -50 dBm

With ``--sim-start`` (and ``--sim-speed``) the reader runs on the site's simulated clock, as an edge
started with the same options does: its reads' times, its inventory rounds (``--report-interval``)
and its script's seconds (``--every``, ``--first``, script lines) are all site time, so a portal
judges passages at the speed the edge's clock runs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any, TextIO

from xdock.cli._common import add_clock_options, clock_from, fail
from xdock.cli.mock_llrp_script import ScriptError, pallet_passes, parse_script
from xdock.cli.mock_options import OptionError, add_duration_option, check_positive, check_range, run_for
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock, ReaderConfig
from xdock.firmware_mocks.llrp_tags import TagPass, TagPopulation, TagSighting
from xdock.protocol.clock import Clock
from xdock.protocol.epc import EpcError, Sscc96, decode_epc
from xdock.protocol.llrp import LLRP_PORT

__all__ = ["register"]


def register(devices: Any) -> None:
    p: argparse.ArgumentParser = devices.add_parser(
        "llrp-reader", help="an LLRP RFID portal reader on a TCP port",
        description="Serve an LLRP 1.0.1 reader whose antennas see a scripted tag population (--script), or "
        "a stream of pallets carried through the portal (--pallets); the script's clock starts when the first "
        "client connects. Prints connections and first reads.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=LLRP_PORT, help="TCP port, 0 for any free one (default: %(default)s)")
    p.add_argument("--antennas", type=int, default=ReaderConfig.antennas,
                   help="antenna ports, numbered from 1 (default: %(default)s)")
    p.add_argument("--report-interval", type=float, default=ReaderConfig.report_interval_s, metavar="SECONDS",
                   help="seconds between inventory rounds (default: %(default)s)")
    p.add_argument("--script", type=Path,
                   help="tag script: one pass a line, 'START_S END_S ANTENNA TAG [RSSI_DBM]' (TAG: SSCC or EPC hex; "
                        "times in seconds from the first client's connection)")
    p.add_argument("--pallets", type=int, default=0,
                   help="also carry this many pallets through the portal, one every --every seconds")
    p.add_argument("--every", type=float, default=2.0, metavar="SECONDS",
                   help="seconds between two pallets of --pallets (default: %(default)s)")
    p.add_argument("--first", type=float, default=1.0, metavar="SECONDS",
                   help="seconds after the first client connects that the first pallet of --pallets reaches the portal "
                        "(default: %(default)s)")
    p.add_argument("--direction", choices=["out", "in"], default="out",
                   help="--pallets go out to the trailer (inside antenna first) or come in (default: %(default)s)")
    p.add_argument("--portal-antennas", default="1/2", metavar="OUTSIDE/INSIDE",
                   help="the antennas --pallets pass on the apron side / building side (default: %(default)s)")
    p.add_argument("--company-prefix", default="376130321",
                   help="GS1 company prefix of --pallets and of SSCCs in the script (default: %(default)s)")
    add_duration_option(p)
    add_clock_options(p)  # reads stamped, and passes timed, on the site clock of an edge run with --sim-start
    p.set_defaults(run=run)


def _portal_antennas(value: str, antennas: int) -> tuple[int, int]:
    outside, slash, inside = value.partition("/")
    if not slash or not outside.isdigit() or not inside.isdigit() or outside == inside:
        raise OptionError(f"--portal-antennas must be OUTSIDE/INSIDE, two different antennas, e.g. 1/2; got {value!r}")
    for antenna in (int(outside), int(inside)):
        check_range("--portal-antennas", antenna, 1, antennas)
    return int(outside), int(inside)


def _passes(args: argparse.Namespace) -> list[TagPass]:
    check_range("--port", args.port, 0, 65535)
    check_range("--antennas", args.antennas, 1, 65535)
    check_positive("--report-interval", args.report_interval)
    check_positive("--duration", args.duration)
    check_positive("--every", args.every)
    check_range("--first", args.first, 0, 86_400)
    check_range("--pallets", args.pallets, 0, 100_000)
    prefix: str = args.company_prefix
    if not prefix.isdigit() or not 6 <= len(prefix) <= 12:
        raise OptionError(f"--company-prefix must be 6 to 12 digits, got {prefix!r}")
    outside, inside = _portal_antennas(args.portal_antennas, args.antennas)
    passes: list[TagPass] = []
    if args.script is not None:
        try:
            text = args.script.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OptionError(f"--script: cannot read {args.script}: {exc}") from None
        try:
            passes = parse_script(text, len(prefix))
        except ScriptError as exc:
            raise OptionError(f"--script {args.script}: {exc}") from None
        beyond = sorted({p.antenna_id for p in passes if p.antenna_id > args.antennas})
        if beyond:
            raise OptionError(f"--script {args.script}: antennas {beyond} beyond --antennas {args.antennas}")
    passes += pallet_passes(prefix, args.pallets, first_s=args.first, every_s=args.every, direction=args.direction,
                            outside=outside, inside=inside)
    return passes


def run(args: argparse.Namespace) -> int:
    try:
        passes = _passes(args)
        clock = clock_from(args)
    except ValueError as exc:  # OptionError, or a --sim-speed not positive
        return fail(str(exc))
    out = sys.stdout

    async def main() -> int | None:
        reader = _AnnouncingReader(
            _PrintingPopulation(passes, out), clock=clock, host=args.host, port=args.port, out=out,
            config=ReaderConfig(antennas=args.antennas, report_interval_s=args.report_interval),
        )
        try:
            await reader.start()
        except OSError as exc:
            return fail(f"--port: cannot listen on {args.host}:{args.port}: {exc.strerror}")
        print(f"LLRP reader on {args.host}:{reader.port}: {args.antennas} antennas, {len(passes)} tag passes "
              "scripted", file=out, flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await reader.close()
            print(f"reader stopped: {reader.connections} connections, {reader.reports_sent} reports", file=out,
                  flush=True)
        return None

    return run_for(args.duration, main)


def _tag_text(epc: bytes) -> str:
    try:
        identity = decode_epc(epc)
    except EpcError:
        return epc.hex().upper()
    name = f"SSCC {identity.sscc}" if isinstance(identity, Sscc96) else identity.pure_identity_uri
    return f"{epc.hex().upper()}  {name}"


class _PrintingPopulation(TagPopulation):
    """A tag population that prints a tag when an antenna starts reading it."""

    def __init__(self, passes: list[TagPass], out: TextIO) -> None:
        super().__init__(passes)
        self._out = out
        self._in_view: set[tuple[bytes, int]] = set()

    def visible(self, t: float, antennas: frozenset[int] | None = None) -> list[TagSighting]:
        sightings = super().visible(t, antennas)
        now = {(s.epc, s.antenna_id) for s in sightings}
        for s in sightings:
            if (s.epc, s.antenna_id) not in self._in_view:
                print(f"read {_tag_text(s.epc)}  antenna {s.antenna_id}  {s.rssi} dBm", file=self._out, flush=True)
        self._in_view = now
        return sightings


class _AnnouncingReader(LlrpReaderMock):
    """The reader mock, printing each client that connects, is refused, or leaves."""

    def __init__(
        self, tags: TagPopulation, *, clock: Clock, config: ReaderConfig, host: str, port: int, out: TextIO
    ) -> None:
        super().__init__(tags, clock=clock, config=config, host=host, port=port, script_from_first_client=True)
        self._out = out

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = writer.get_extra_info("peername")[:2]
        if self.connected:
            print(f"client {host}:{port} refused: a client is connected", file=self._out, flush=True)
            await super()._accept(reader, writer)
            return
        print(f"client {host}:{port} connected", file=self._out, flush=True)
        try:
            await super()._accept(reader, writer)
        finally:
            print(f"client {host}:{port} disconnected", file=self._out, flush=True)

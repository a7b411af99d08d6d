"""``xdock edge``."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from xdock.cli._common import (
    add_broker_link_options,
    add_broker_password_option,
    add_clock_options,
    broker_arg,
    broker_from,
    broker_link_from,
    clock_from,
    fail,
    number,
    run_until_stopped,
    settle_start_up,
)
from xdock.cli._observability_options import add_log_format_option, add_metrics_options
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.edge.portals import PortalReader
from xdock.edge.sensor_probes import ModbusProbe
from xdock.protocol.broker_url import BrokerUrl


def _scanner(value: str) -> ScannerPort:
    try:
        return ScannerPort.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _reader(value: str) -> PortalReader:
    try:
        return PortalReader.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _probe(value: str) -> ModbusProbe:
    try:
        return ModbusProbe.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _antennas(value: str) -> tuple[frozenset[int], frozenset[int]]:
    outside, slash, inside = value.partition("/")
    try:
        sides = tuple(frozenset(int(a) for a in side.split(",")) for side in (outside, inside))
    except ValueError:
        sides = ()
    if not slash or len(sides) != 2:
        raise argparse.ArgumentTypeError(f"Invalid portal antennas {value!r}: expected OUTSIDE/INSIDE, e.g. 1,3/2,4")
    return sides[0], sides[1]


def _antennas_text(outside: frozenset[int], inside: frozenset[int]) -> str:
    """``OUTSIDE/INSIDE`` as the option is written, e.g. ``1,3/2,4``."""
    return "/".join(",".join(str(a) for a in sorted(side)) for side in (outside, inside))


def _tolerance(value: str) -> float:
    seconds = number(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise argparse.ArgumentTypeError(f"Invalid reader clock tolerance {value!r}: expected seconds >= 0, e.g. 2")
    return seconds


def _silence(value: str) -> float:
    seconds = number(value)
    if not math.isfinite(seconds) or (seconds != 0 and seconds < 1):
        raise argparse.ArgumentTypeError(
            f"Invalid reader silence {value!r}: expected seconds >= 1, or 0 for no keepalives, e.g. 30"
        )
    return seconds


def register(commands: Any) -> None:
    p: argparse.ArgumentParser = commands.add_parser(
        "edge", help="run an edge agent at one door",
        description="Run an edge agent: read serial scanners, validate labels, talk to central over MQTT.",
    )
    p.add_argument("--site-id", required=True, help="site id, as in central's site file")
    p.add_argument("--edge-id", required=True, help="this gateway's id, unique in the site")
    p.add_argument("--door", required=True, help="the inbound door this gateway serves")
    p.add_argument("--scanner", action="append", default=[], type=_scanner, metavar="ID=PATH[@BAUD]",
                   help="a serial scanner, e.g. s1=/dev/ttyACM0 (repeat for several)")
    p.add_argument("--reader", action="append", default=[], type=_reader, metavar="ID=HOST:PORT[@DOOR]",
                   help="an LLRP RFID portal reader at DOOR (default: --door); its door passages go to central "
                        "(repeat for several)")
    antennas = (EdgeConfig.portal_outside, EdgeConfig.portal_inside)
    p.add_argument("--portal-antennas", type=_antennas, default=antennas, metavar="OUTSIDE/INSIDE",
                   help="portal antenna ids on the apron side / building side of each reader's door "
                        f"(default: {_antennas_text(*antennas)}); other antennas count as neighbour-door cross-reads")
    p.add_argument("--reader-clock-tolerance", type=_tolerance, default=EdgeConfig.reader_clock_tolerance_s,
                   metavar="SECONDS",
                   help="a reader whose clock is further than this from the edge's has its reads' times moved "
                        "onto the edge's clock (default: %(default)s)")
    p.add_argument("--reader-silence", type=_silence, default=EdgeConfig.reader_silence_s or 0, metavar="SECONDS",
                   help="a reader session silent this long is reopened; the reader is asked for a keepalive three "
                        "times per period; 0: ask for none and keep silent sessions (default: %(default)s)")
    p.add_argument("--modbus", action="append", default=[], type=_probe, metavar="ID=PORT[@UNIT]",
                   help="a Modbus RTU temperature/humidity probe (sensors ID-temp and ID-rh), reported to central "
                        "on change and at least every 5 min (repeat for several)")
    p.add_argument("--broker", type=broker_arg, default=BrokerUrl("127.0.0.1"),
                   help="MQTT broker URL: mqtt://[USER@]HOST[:PORT], mqtts://... for TLS; the password comes from "
                        "--broker-password-file or $XDOCK_BROKER_PASSWORD (default: mqtt://127.0.0.1:1883)")
    p.add_argument("--state-dir", type=Path, default=Path("xdock-edge-state"),
                   help="where the agent keeps its durable state (default: %(default)s)")
    p.add_argument("--answer-timeout", type=float, default=EdgeConfig.answer_timeout,
                   help="seconds before the display says it is waiting for central, or gives the offline answer "
                        "when central is offline by then (default: %(default)s)")
    p.add_argument("--heartbeat", type=float, default=EdgeConfig.heartbeat_s, metavar="SECONDS",
                   help="period of the retained edge and scanner statuses (default: %(default)s)")
    p.add_argument("--drain-rate", type=float, default=EdgeConfig.drain_rate, metavar="SCANS_PER_S",
                   help="after a reconnect, scans recorded while the link was down go out behind live scans "
                        "at most this fast (default: %(default)s)")
    p.add_argument("--window", type=int, default=EdgeConfig.window,
                   help="scans published and not yet acknowledged by the broker, at most (default: %(default)s)")
    p.add_argument("--keep-sent", type=int, default=EdgeConfig.keep_sent, metavar="COUNT",
                   help=f"sent scans kept in the outbox for diagnosis, at most {EdgeConfig.keep_sent_s:g} s "
                        "(default: %(default)s)")
    add_broker_password_option(p)
    add_broker_link_options(p)
    add_clock_options(p)
    add_log_format_option(p)
    add_metrics_options(p, default_host=EdgeConfig.metrics_host)
    p.set_defaults(run=run)


def config_from(args: argparse.Namespace) -> EdgeConfig:
    """The edge's configuration from its parsed options (``ValueError`` or ``OSError`` when they do not fit)."""
    return EdgeConfig(
        site=args.site_id, edge_id=args.edge_id, door=args.door,
        broker=broker_from(args), broker_link=broker_link_from(args),
        scanners=tuple(args.scanner), state_dir=args.state_dir, answer_timeout=args.answer_timeout,
        heartbeat_s=args.heartbeat, drain_rate=args.drain_rate, window=args.window, keep_sent=args.keep_sent,
        readers=tuple(args.reader), portal_outside=args.portal_antennas[0],
        portal_inside=args.portal_antennas[1], probes=tuple(args.modbus),
        reader_clock_tolerance_s=args.reader_clock_tolerance,
        reader_silence_s=args.reader_silence or None, metrics_host=args.metrics_host, metrics_port=args.metrics_port,
    )


def run(args: argparse.Namespace) -> int:
    from xdock.edge.agent import EdgeAgent  # noqa: PLC0415  (heavy import only when used)

    try:
        config = config_from(args)
        agent = EdgeAgent(config, clock_from(args))
    except (ValueError, OSError) as exc:
        return fail(str(exc))
    print(f"xdock edge {config.edge_id} at door {config.door}: {devices_line(config)}, broker {config.broker}",
          flush=True)
    settle_start_up()
    return run_until_stopped(agent.run())


def devices_line(config: EdgeConfig) -> str:
    """The edge's devices by kind for its start line, e.g. ``scanner s1=/dev/ttyACM0; reader r1=10.0.0.7:5084@D12``."""
    kinds = [
        ("scanner", [f"{s.device_id}={s.port}" for s in config.scanners]),
        ("reader", [f"{r.device_id}={r.host}:{r.port}@{r.door or config.door}" for r in config.readers]),
        ("Modbus probe", [f"{p.probe_id}={p.port}@{p.unit}" for p in config.probes]),
    ]
    return "; ".join(f"{kind}{'s' if len(items) > 1 else ''} {', '.join(items)}" for kind, items in kinds if items)

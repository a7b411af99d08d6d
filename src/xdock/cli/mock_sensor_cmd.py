"""``xdock mock sensor-node``: an MQTT sensor node publishing dock sensor readings to a broker.

The node watches one trailer, area or door (``--target``); its sensors are named after it as in the
site file's ``sensors:`` section: ``TARGET-TEMP``, ``TARGET-RH``, ``TARGET-DOOR``, ``TARGET-PRESENCE``.
Values follow a profile (base, noise, drift from a time on); each published reading is printed::

    sensor node N1 on mqtt://127.0.0.1:1883, site demo: T-PARIS-2-TEMP temperature (Last Will: offline)
    T-PARIS-2-TEMP temperature 4.1 C
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import aiomqtt

from xdock.cli._common import (
    add_broker_link_options,
    add_broker_password_option,
    add_clock_options,
    broker_arg,
    broker_from,
    broker_link_from,
    clock_from,
    fail,
)
from xdock.cli.mock_options import OptionError, add_duration_option, check_positive, check_range, run_for
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.sensors import KIND_UNITS, SensorKind, is_binary
from xdock.protocol.topics import check_id
from xdock.simulators.sensor_profiles import Profile, measured, switching

__all__ = ["register", "sensor_id"]

_SUFFIX: dict[str, str] = {
    "temperature": "TEMP", "humidity": "RH", "door_contact": "DOOR", "trailer_presence": "PRESENCE",
}
_DAY_S = 86_400.0


def sensor_id(target: str, kind: str) -> str:
    """The id of the ``kind`` sensor watching ``target``, e.g. ``T-LYON-1-TEMP``."""
    return f"{target}-{_SUFFIX[kind]}"


def register(devices: Any) -> None:
    p: argparse.ArgumentParser = devices.add_parser(
        "sensor-node", help="an MQTT sensor node (temperature, humidity, door contact, trailer presence)",
        description="Connect to the broker as a dock sensor node and publish readings like an edge does "
        "(on change, at least every --max-interval), with a retained online status and an offline Last Will.",
    )
    p.add_argument("--broker", type=broker_arg, default=BrokerUrl("127.0.0.1"),
                   help="MQTT broker URL, mqtt://NODE-ID@host:port on a broker with log-ins, mqtts:// for TLS "
                        "(default: mqtt://127.0.0.1:1883)")
    add_broker_password_option(p)
    add_broker_link_options(p)
    p.add_argument("--site", required=True, help="site id, as in central's site file")
    p.add_argument("--node-id", required=True, help="the node's id (its edge id in topics and readings)")
    p.add_argument("--target", required=True,
                   help="the trailer, area or door watched; sensor ids are TARGET-TEMP, -RH, -DOOR, -PRESENCE")
    p.add_argument("--kind", action="append", choices=list(_SUFFIX), metavar="KIND",
                   help=f"a sensor of the node, one of {', '.join(_SUFFIX)} (repeat; default: temperature)")
    p.add_argument("--sample", type=float, default=10.0, metavar="SECONDS",
                   help="seconds between two samples (default: %(default)s)")
    p.add_argument("--max-interval", type=float, default=NodeSensor.max_interval_s, metavar="SECONDS",
                   help="an unchanged value is published again after this long (default: %(default)s)")
    p.add_argument("--deadband", type=float, default=NodeSensor.deadband,
                   help="a temperature/humidity change smaller than this is not published (default: %(default)s)")
    p.add_argument("--base-temp", type=float, default=4.0, metavar="CELSIUS", help="(default: %(default)s)")
    p.add_argument("--base-rh", type=float, default=60.0, metavar="PERCENT", help="(default: %(default)s)")
    p.add_argument("--noise", type=float, default=0.2,
                   help="values vary by up to ± this much around the base (default: %(default)s)")
    p.add_argument("--drift", type=float, default=0.0, metavar="CELSIUS_PER_MIN",
                   help="temperature drift per minute, e.g. a failing reefer (default: %(default)s)")
    p.add_argument("--drift-after", type=float, default=0.0, metavar="SECONDS",
                   help="seconds after start the drift begins (default: %(default)s)")
    p.add_argument("--door-cycle", type=float, default=0.0, metavar="SECONDS",
                   help="the door contact opens and closes every this many seconds, starting closed (default: "
                        "0, stays closed)")
    p.add_argument("--trailer-absent", action="store_true", help="trailer presence reads 0 (default: present)")
    p.add_argument("--seed", type=int, default=1, help="seed of the noise (default: %(default)s)")
    p.add_argument("--count", type=int, metavar="SAMPLES", help="stop after this many samples")
    p.add_argument("--seq-file", type=Path,
                   help="where the node keeps its sequence numbers across restarts (default: ./xdock-node-ID.seq)")
    add_duration_option(p)
    add_clock_options(p)  # readings stamped on the same site clock as a central run with --sim-start
    p.set_defaults(run=run)


def _sensors(args: argparse.Namespace) -> list[NodeSensor]:
    for option, value in (("--site", args.site), ("--node-id", args.node_id), ("--target", args.target)):
        try:
            check_id(option, value)
        except ValueError as exc:
            raise OptionError(str(exc)) from None
    check_positive("--sample", args.sample)
    check_positive("--max-interval", args.max_interval)
    check_positive("--duration", args.duration)
    check_range("--deadband", args.deadband, 0, 100)
    check_range("--noise", args.noise, 0, 100)
    check_range("--base-temp", args.base_temp, -60, 100)
    check_range("--base-rh", args.base_rh, 0, 100)
    check_range("--drift", args.drift, -100, 100)
    check_range("--drift-after", args.drift_after, 0, 10 * _DAY_S)
    check_range("--door-cycle", args.door_cycle, 0, _DAY_S)
    if args.count is not None:
        check_range("--count", args.count, 1, 100_000)
    horizon = args.count * args.sample if args.count is not None else args.duration or _DAY_S
    rng = random.Random(args.seed)
    sensors = []
    for kind in dict.fromkeys(args.kind or ["temperature"]):
        if kind == "temperature":
            profile = Profile(args.base_temp, args.noise, args.drift, args.drift_after)
            script = measured(profile, rng, sample_s=args.sample, horizon_s=horizon)
        elif kind == "humidity":
            script = measured(Profile(args.base_rh, args.noise, low=0.0), rng, sample_s=args.sample, horizon_s=horizon)
        elif kind == "door_contact":
            cycle = args.door_cycle
            flips = int(min(horizon, _DAY_S) // cycle) if cycle else 0
            # Flips half a sample early, so the sample at a flip's time reads the new state.
            script = switching(False, [cycle * (i + 1) - args.sample / 2 for i in range(flips)])
        else:
            script = switching(not args.trailer_absent, [])
        deadband = args.deadband if kind in ("temperature", "humidity") else 0.0
        sensors.append(NodeSensor(sensor_id(args.target, kind), kind, script, deadband, args.max_interval))
    return sensors


def run(args: argparse.Namespace) -> int:
    try:
        sensors = _sensors(args)
    except OptionError as exc:
        return fail(str(exc))
    seq_file = args.seq_file or Path(f"xdock-node-{args.node_id}.seq")
    try:
        clock = clock_from(args)
    except ValueError as exc:
        return fail(str(exc))

    async def main() -> int | None:
        started = clock.now()
        try:
            broker, link = broker_from(args), broker_link_from(args)
        except ValueError as exc:
            return fail(str(exc))
        try:
            node = SensorNode(args.site, args.node_id, sensors, clock, seq_file, host=broker.host,
                              port=broker.port, sample_s=args.sample, username=broker.username,
                              password=broker.password, link=link, tls=broker.tls)
        except (ValueError, OSError) as exc:
            return fail(f"--seq-file: {exc}")
        try:
            async with node:
                await _publish(node, args, started, sys.stdout)
        except aiomqtt.MqttError as exc:
            return fail(f"--broker: cannot reach {args.broker}: {exc}")
        return None

    return run_for(args.duration, main)


async def _publish(node: SensorNode, args: argparse.Namespace, started: datetime, out: TextIO) -> None:
    """Sample ``node`` at ``started`` + k × ``--sample`` (on time, however long connecting took); print each reading."""
    names = ", ".join(f"{s.sensor_id} {s.kind}" for s in node.sensors)
    print(f"sensor node {node.node_id} on {args.broker}, site {node.site}: {names} (Last Will: offline on "
          f"{node.status_topic})", file=out, flush=True)
    samples = 0
    try:
        while args.count is None or samples < args.count:
            due = started + timedelta(seconds=samples * node.sample_s)
            await node.clock.sleep((due - node.clock.now()).total_seconds())
            for reading in await node.step():
                kind: SensorKind = reading.kind
                value = f"{reading.value:g}" if is_binary(kind) else f"{reading.value:.1f}"
                print(f"{reading.sensor_id} {kind} {value} {KIND_UNITS[kind]}", file=out, flush=True)
            samples += 1
    finally:
        print(f"node {node.node_id} stopped: {node.published} readings published", file=out, flush=True)

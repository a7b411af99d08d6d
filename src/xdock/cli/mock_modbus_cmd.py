"""``xdock mock modbus-sensor``: a Modbus RTU temperature/humidity probe on a pseudo-terminal.

The probe (a pymodbus RTU server) answers input registers 0 and 1 (temperature and humidity in
tenths) on a pty the host opens like a USB-RS485 adapter; ``--link`` gives it a stable path for
``xdock edge --modbus ID=PATH``. Its values follow a profile (base, noise, drift), moved every
``--step`` seconds::

    Modbus RTU probe, unit 1, on /dev/pts/7 (link /tmp/probe-s1): 4.0 °C, 60.0 %RH
    probe stopped: 12 replies
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from pathlib import Path
from typing import Any

from xdock.cli._common import fail
from xdock.cli.mock_options import OptionError, add_duration_option, check_positive, check_range, run_for
from xdock.firmware_mocks.modbus_sensor import MockModbusSensor
from xdock.protocol.modbus_probe import DEFAULT_DEVICE_ID, ProbeSample
from xdock.simulators.sensor_profiles import Profile

__all__ = ["register"]


def register(devices: Any) -> None:
    p: argparse.ArgumentParser = devices.add_parser(
        "modbus-sensor", help="a Modbus RTU temperature/humidity probe on a pty",
        description="Run a Modbus RTU probe (input registers 0 and 1: temperature and humidity in tenths) on a "
        "pseudo-terminal, for xdock edge --modbus ID=PATH[@UNIT].",
    )
    p.add_argument("--link", type=Path, help="also expose the probe's port as this stable symlink, e.g. /tmp/probe-s1")
    p.add_argument("--unit", type=int, default=DEFAULT_DEVICE_ID,
                   help="the probe's Modbus device id, 1-247 (default: %(default)s)")
    p.add_argument("--temp", type=float, default=4.0, metavar="CELSIUS", help="base temperature (default: %(default)s)")
    p.add_argument("--rh", type=float, default=60.0, metavar="PERCENT", help="base humidity (default: %(default)s)")
    p.add_argument("--noise", type=float, default=0.0,
                   help="values vary by up to ± this much around the base (default: %(default)s)")
    p.add_argument("--drift", type=float, default=0.0, metavar="CELSIUS_PER_MIN",
                   help="temperature drift per minute from start (default: %(default)s)")
    p.add_argument("--step", type=float, default=1.0, metavar="SECONDS",
                   help="seconds between two changes of the values (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="seed of the noise (default: %(default)s)")
    add_duration_option(p)
    p.set_defaults(run=run)


def _profiles(args: argparse.Namespace) -> tuple[Profile, Profile]:
    check_range("--unit", args.unit, 1, 247)
    check_range("--temp", args.temp, -40, 80)
    check_range("--rh", args.rh, 0, 100)
    check_range("--noise", args.noise, 0, 10)
    check_range("--drift", args.drift, -10, 10)
    check_positive("--step", args.step)
    check_positive("--duration", args.duration)
    if args.link is not None and not args.link.parent.is_dir():
        raise OptionError(f"--link: folder {args.link.parent} does not exist")
    return (Profile(args.temp, args.noise, args.drift, low=-40.0, high=80.0),
            Profile(args.rh, args.noise, low=0.0, high=100.0))


def run(args: argparse.Namespace) -> int:
    try:
        temperature, humidity = _profiles(args)
    except OptionError as exc:
        return fail(str(exc))
    rng = random.Random(args.seed)
    out = sys.stdout

    def sample(t: float) -> ProbeSample:
        return ProbeSample(temperature.value_at(t, rng), humidity.value_at(t, rng))

    async def main() -> int | None:
        probe = MockModbusSensor(link=args.link, device_id=args.unit, sample=sample(0.0), name="probe")
        try:
            await probe.start()
        except OSError as exc:
            failed = fail(f"--link: cannot open the probe's port at {args.link}: {exc.strerror or exc}")
            await probe.stop()
            return failed
        try:
            link = f" (link {args.link})" if args.link is not None else ""
            print(f"Modbus RTU probe, unit {args.unit}, on {probe.device_path}{link}: "
                  f"{probe.sample.temperature_c:.1f} °C, {probe.sample.humidity_pct:.1f} %RH", file=out, flush=True)
            elapsed = 0.0
            while True:
                await asyncio.sleep(args.step)
                elapsed += args.step
                probe.sample = sample(elapsed)
        finally:
            await probe.stop()
            print(f"probe stopped: {probe.replies} replies", file=out, flush=True)

    return run_for(args.duration, main)

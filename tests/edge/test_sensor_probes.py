"""Modbus probes at the edge: the probe spec, and readings reported on change through ``send`` from a real pty."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.waiting import eventually
from xdock.edge.devices.modbus_sensor import PollResult
from xdock.edge.report_policy import ReportPolicy, ReportRule
from xdock.edge.sensor_probes import ModbusProbe, ProbeReporter
from xdock.firmware_mocks.modbus_sensor import MockModbusSensor
from xdock.protocol.clock import ManualClock, SystemClock
from xdock.protocol.modbus_probe import ProbeSample
from xdock.protocol.sensors import SensorKind

AT = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def test_a_probe_spec_gives_the_poller_config() -> None:
    probe = ModbusProbe.parse("t-d1=/dev/ttyUSB0@3")
    assert probe == ModbusProbe("t-d1", "/dev/ttyUSB0", 3)
    config = probe.config(poll_interval_s=5.0)
    assert (config.port, config.temperature_id, config.humidity_id, config.device_id, config.poll_interval_s) == (
        "/dev/ttyUSB0", "t-d1-temp", "t-d1-rh", 3, 5.0
    )
    assert ModbusProbe.parse("p=/tmp/probe") == ModbusProbe("p", "/tmp/probe", 1)


@pytest.mark.parametrize(("spec", "error"), [
    ("t-d1", "Invalid Modbus probe 't-d1': expected ID=PORT[@UNIT]"),
    ("t-d1=/dev/x@0", "Invalid Modbus probe 't-d1=/dev/x@0': unit: expected 1-247, got 0"),
    ("t-d1=/dev/x@a", "Invalid Modbus probe 't-d1=/dev/x@a': unit: expected 1-247, got 'a'"),
    ("t-d1=@2", "Invalid Modbus probe 't-d1=@2': port: empty"),
])
def test_a_bad_probe_spec_is_refused_naming_the_part(spec: str, error: str) -> None:
    with pytest.raises(ValueError, match=r"^Invalid Modbus probe") as caught:
        ModbusProbe.parse(spec)
    assert str(caught.value) == error


async def _nowhere(sensor_id: str, kind: SensorKind, value: float, at: datetime) -> None:
    raise AssertionError("not sent in this test")


def test_only_good_samples_that_changed_are_due() -> None:
    clock = ManualClock(AT)
    reporter = ProbeReporter(ModbusProbe("p", "/nonexistent").config(), clock, _nowhere)
    ok = PollResult("ok", AT, ProbeSample(4.0, 60.0))
    assert reporter.due(ok) == [("p-temp", "temperature", 4.0), ("p-rh", "humidity", 60.0)]
    clock.advance(2)
    assert reporter.due(PollResult("ok", AT, ProbeSample(4.4, 61.0))) == []
    assert reporter.due(PollResult("timeout", AT)) == []
    assert reporter.due(PollResult("ok", AT, ProbeSample(4.6, 61.0))) == [("p-temp", "temperature", 4.6)]
    assert reporter.stats.offered == 6


async def test_the_reporter_sends_readings_polled_from_the_mock_probe(tmp_path: Path) -> None:
    sent: list[tuple[str, SensorKind, float]] = []

    async def send(sensor_id: str, kind: SensorKind, value: float, at: datetime) -> None:
        sent.append((sensor_id, kind, value))

    async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(-2.5, 61.2)) as mock:
        probe = ModbusProbe.parse(f"t-d1={tmp_path / 'probe'}")
        reporter = ProbeReporter(probe.config(timeout_s=0.3, poll_interval_s=0.05, reconnect_s=0.05),
                                 SystemClock(), send)
        task = asyncio.create_task(reporter.run())
        try:
            await eventually(lambda: reporter.stats.offered >= 6, what="three samples polled")
            assert sent == [("t-d1-temp", "temperature", -2.5), ("t-d1-rh", "humidity", 61.2)]
            mock.sample = ProbeSample(-1.0, 61.2)
            await eventually(lambda: len(sent) == 3, what="the change reported")
            assert sent[2] == ("t-d1-temp", "temperature", -1.0)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert reporter.stats.silences == 0


async def test_an_unplugged_probe_is_a_silence_not_a_repeated_value(tmp_path: Path) -> None:
    sent: list[tuple[str, SensorKind, float]] = []

    async def send(sensor_id: str, kind: SensorKind, value: float, at: datetime) -> None:
        sent.append((sensor_id, kind, value))

    clock = SystemClock()
    rule = ReportRule(deadband=0.5, max_interval_s=300.0, stale_after_s=0.3)
    policy = ReportPolicy(clock, {"temperature": rule, "humidity": rule})
    async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(3.0, 50.0)) as mock:
        probe = ModbusProbe.parse(f"t-d1={tmp_path / 'probe'}")
        reporter = ProbeReporter(probe.config(timeout_s=0.1, poll_interval_s=0.05, reconnect_s=0.05),
                                 clock, send, policy)
        task = asyncio.create_task(reporter.run())
        try:
            await eventually(lambda: len(sent) == 2, what="first readings")
            mock.unplug()
            await eventually(lambda: reporter.stats.silences == 2, what="both readings silent")
            assert [policy.is_silent("t-d1-temp"), policy.is_silent("t-d1-rh")] == [True, True]
            assert len(sent) == 2
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_the_reporter_tells_at_once_when_its_probe_goes_quiet_and_comes_back(tmp_path: Path) -> None:
    sent: list[tuple[str, SensorKind, float]] = []
    statuses: list[tuple[bool, int]] = []

    async def send(sensor_id: str, kind: SensorKind, value: float, at: datetime) -> None:
        sent.append((sensor_id, kind, value))

    async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(3.0, 50.0)) as mock:
        probe = ModbusProbe.parse(f"t-d1={tmp_path / 'probe'}")
        reporter = ProbeReporter(
            probe.config(timeout_s=0.3, poll_interval_s=0.05, reconnect_s=0.05), SystemClock(), send,
            on_status=lambda online: statuses.append((online, reporter.poller.stats.timeout)),
        )
        task = asyncio.create_task(reporter.run())
        try:
            await eventually(lambda: len(sent) == 2, what="first readings")
            mock.mute = True
            await eventually(lambda: len(statuses) == 2, what="offline")
            mock.sample = ProbeSample(5.0, 50.0)
            mock.mute = False
            await eventually(lambda: len(sent) == 3, what="the change reported")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    timeouts = reporter.poller.stats.timeout
    assert statuses == [(True, 0), (False, 3), (True, timeouts)]
    assert sent == [("t-d1-temp", "temperature", 3.0), ("t-d1-rh", "humidity", 50.0),
                    ("t-d1-temp", "temperature", 5.0)]

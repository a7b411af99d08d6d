"""The Modbus probe poller against the mock probe on a real pty."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.waiting import eventually
from xdock.edge.devices.modbus_sensor import ModbusSensorConfig, ModbusSensorPoller, PollResult, sample_readings
from xdock.firmware_mocks.modbus_sensor import MockModbusSensor
from xdock.protocol.clock import ManualClock, SystemClock
from xdock.protocol.modbus_probe import ProbeSample

AT = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@pytest.fixture
async def probe(tmp_path: Path) -> AsyncIterator[MockModbusSensor]:
    async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(-2.5, 61.2)) as mock:
        yield mock


def _config(probe: MockModbusSensor, **changes: object) -> ModbusSensorConfig:
    values: dict[str, object] = {
        "port": str(probe.link),
        "temperature_id": "t-d1",
        "humidity_id": "h-d1",
        "timeout_s": 0.3,
        "poll_interval_s": 0.05,
        "reconnect_s": 0.05,
    }
    values.update(changes)
    return ModbusSensorConfig(**values)  # type: ignore[arg-type]


async def test_reads_the_probe(probe: MockModbusSensor) -> None:
    seen: list[PollResult] = []
    poller = ModbusSensorPoller(_config(probe), ManualClock(AT), on_result=seen.append)
    assert await poller.connect()
    try:
        result = await poller.poll_once()
    finally:
        poller.close()
    assert result == PollResult("ok", AT, ProbeSample(temperature_c=-2.5, humidity_pct=61.2))
    assert seen == [result]
    assert (poller.stats.ok, poller.stats.connects, probe.replies) == (1, 1, 1)
    assert sample_readings(poller.config, ProbeSample(-2.5, 61.2)) == [
        ("t-d1", "temperature", -2.5),
        ("h-d1", "humidity", 61.2),
    ]


async def test_corrupted_reply_is_counted_and_the_next_poll_succeeds(probe: MockModbusSensor) -> None:
    poller = ModbusSensorPoller(_config(probe), ManualClock(AT))
    assert await poller.connect()
    try:
        probe.corrupt_next_reply()
        corrupted = await poller.poll_once()
        probe.sample = ProbeSample(3.1, 58.0)
        after = await poller.poll_once()
    finally:
        poller.close()
    assert corrupted == PollResult("crc_error", AT, detail="answer with a wrong CRC dropped")
    assert after == PollResult("ok", AT, ProbeSample(3.1, 58.0))
    assert (poller.stats.crc_error, poller.stats.ok, poller.stats.timeout, probe.corrupted) == (1, 1, 0, 1)
    assert poller.last_outcome == "ok"


async def test_no_answer_is_a_timeout(probe: MockModbusSensor) -> None:
    poller = ModbusSensorPoller(_config(probe, device_id=7), ManualClock(AT))
    assert await poller.connect()
    try:
        result = await poller.poll_once()
    finally:
        poller.close()
    assert result.outcome == "timeout"
    assert result.detail == "no answer within 0.3 s"
    assert (poller.stats.timeout, poller.last_outcome) == (1, "timeout")


async def test_unplugged_port_is_disconnected_and_reopened(probe: MockModbusSensor) -> None:
    results: list[PollResult] = []
    poller = ModbusSensorPoller(_config(probe), SystemClock(), on_result=results.append)
    task = asyncio.create_task(poller.run())
    try:
        await eventually(lambda: poller.stats.ok >= 1, what="first sample")
        probe.unplug()
        await eventually(lambda: poller.stats.disconnected >= 1, what="disconnect seen")
        probe.sample = ProbeSample(-18.0, 40.0)
        probe.plug()
        await eventually(
            lambda: any(r.sample == ProbeSample(-18.0, 40.0) for r in results), what="sample after re-plug"
        )
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert poller.stats.connects == 2
    assert not poller.connected
    assert {r.outcome for r in results} <= {"ok", "disconnected", "timeout"}


async def test_missing_port_cannot_connect(tmp_path: Path) -> None:
    config = ModbusSensorConfig(port=str(tmp_path / "nowhere"), temperature_id="t", humidity_id="h")
    poller = ModbusSensorPoller(config, ManualClock(AT))
    assert poller.last_outcome is None
    assert not await poller.connect()
    result = await poller.poll_once()
    assert poller.last_outcome == "disconnected"
    assert result == PollResult("disconnected", AT, detail="port not open")
    assert poller.stats.disconnected == 1


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"device_id": 0}, "ModbusSensorConfig device_id must be 1-247, got 0"),
        ({"timeout_s": 0}, "ModbusSensorConfig timeout_s must be > 0, got 0"),
        ({"reconnect_s": -1}, "ModbusSensorConfig reconnect_s must be > 0, got -1"),
        ({"offline_after": 0}, "ModbusSensorConfig offline_after must be >= 1, got 0"),
    ],
)
def test_config_refused_naming_the_field(changes: dict[str, object], text: str) -> None:
    with pytest.raises(ValueError, match=f"^{text}$"):
        ModbusSensorConfig(port="/dev/null", temperature_id="t", humidity_id="h", **changes)  # type: ignore[arg-type]


async def test_a_mute_probe_times_out_then_answers_again(probe: MockModbusSensor) -> None:
    poller = ModbusSensorPoller(_config(probe), ManualClock(AT))
    assert await poller.connect()
    try:
        probe.mute = True
        silent = await poller.poll_once()
        probe.mute = False
        after = await poller.poll_once()
    finally:
        poller.close()
    assert silent == PollResult("timeout", AT, detail="no answer within 0.3 s")
    assert after == PollResult("ok", AT, ProbeSample(-2.5, 61.2))
    assert (poller.stats.timeout, poller.stats.ok, probe.replies) == (1, 1, 1)


async def test_a_mute_probe_is_offline_at_its_third_unanswered_poll_and_online_at_its_next_answer(
    probe: MockModbusSensor,
) -> None:
    statuses: list[bool] = []
    poller = ModbusSensorPoller(_config(probe), ManualClock(AT), on_status=statuses.append)
    seen: list[tuple[str, list[bool], bool | None]] = []
    assert await poller.connect()
    try:
        for mute in (False, True, True, True, True, False):
            probe.mute = mute
            result = await poller.poll_once()
            seen.append((result.outcome, list(statuses), poller.online))
    finally:
        poller.close()
    assert seen == [
        ("ok", [True], True),
        ("timeout", [True], True),
        ("timeout", [True], True),
        ("timeout", [True, False], False),
        ("timeout", [True, False], False),
        ("ok", [True, False, True], True),
    ]
    assert (poller.stats.ok, poller.stats.timeout, probe.replies) == (2, 4, 2)


async def test_a_port_gone_is_offline_at_once_and_online_again_at_the_first_answer(probe: MockModbusSensor) -> None:
    seen: list[tuple[bool, str | None, int]] = []
    poller = ModbusSensorPoller(_config(probe, offline_after=50), SystemClock())
    poller.on_status = lambda online: seen.append((online, poller.last_outcome, poller.stats.disconnected))
    task = asyncio.create_task(poller.run())
    try:
        await eventually(lambda: len(seen) == 1, what="online")
        probe.unplug()
        await eventually(lambda: len(seen) == 2, what="offline")
        probe.plug()
        await eventually(lambda: len(seen) == 3, what="online again")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert seen[:2] == [(True, "ok", 0), (False, "disconnected", 1)]
    assert seen[2][:2] == (True, "ok")


async def test_a_probe_whose_port_cannot_be_opened_is_offline_at_its_first_poll(tmp_path: Path) -> None:
    statuses: list[bool] = []
    config = ModbusSensorConfig(port=str(tmp_path / "nowhere"), temperature_id="t", humidity_id="h")
    poller = ModbusSensorPoller(config, ManualClock(AT), on_status=statuses.append)
    assert poller.online is None
    await poller.poll_once()
    await poller.poll_once()
    assert (statuses, poller.online, poller.stats.disconnected) == ([False], False, 2)

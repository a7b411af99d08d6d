"""The edge's MQTT link against a real Mosquitto."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiomqtt
import pytest

from support.mqtt_faults import session_failing_on_cancel
from support.waiting import eventually
from xdock.edge.outbox import Outbox
from xdock.edge.uplink import Uplink, UplinkOptions
from xdock.protocol.clock import SystemClock
from xdock.protocol.messages import Assignment, CentralStatus, Feedback, RouteSnapshot
from xdock.protocol.topics import scan_topic
from xdock.testing import Mosquitto


class Ignore:
    async def on_command(self, message: Assignment | Feedback) -> None:
        return None

    def on_routes(self, snapshot: RouteSnapshot) -> None:
        return None

    def on_central_status(self, status: CentralStatus) -> None:
        return None


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[Outbox]:
    box = Outbox(tmp_path / "outbox.db")
    yield box
    await box.aclose()


async def test_stopping_while_the_broker_hangs_does_not_turn_into_a_reconnect(
    mosquitto: Mosquitto, outbox: Outbox
) -> None:
    uplink = Uplink("site", "e1", "D1", mosquitto.url, SystemClock(), outbox, Ignore())
    task = asyncio.create_task(uplink.run())
    async with asyncio.timeout(10):
        await uplink.connected.wait()
    assert mosquitto.proc is not None
    pid = mosquitto.proc.pid
    os.kill(pid, signal.SIGSTOP)  # the broker stops answering: the DISCONNECT will time out
    try:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(30):
                await task
    finally:
        os.kill(pid, signal.SIGCONT)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_an_mqtt_error_raised_while_stopping_is_not_retried(mosquitto: Mosquitto, outbox: Outbox) -> None:
    """Stopping can surface as an MqttError (a disconnect racing the cancellation inside the session's
    task group); the reconnect loop must still stop instead of connecting again."""
    uplink = Uplink("site", "e1", "D1", mosquitto.url, SystemClock(), outbox, Ignore())
    session, sessions = session_failing_on_cancel("Disconnected during message iteration")

    uplink._session = session  # type: ignore[method-assign]
    task = asyncio.create_task(uplink.run())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(3):
            await task
    assert sessions == [1]


async def test_after_a_reconnect_live_scans_overtake_the_backlog_which_drains_in_order(
    mosquitto: Mosquitto, outbox: Outbox
) -> None:
    topic = scan_topic("site", "e1")
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="spy", clean_session=False) as spy:
        await spy.subscribe(topic, qos=1)
    await asyncio.to_thread(mosquitto.stop)
    uplink = Uplink("site", "e1", "D1", mosquitto.url, SystemClock(), outbox, Ignore(),
                    UplinkOptions(drain_rate=20.0, window=8))
    task = asyncio.create_task(uplink.run())
    try:
        for _ in range(40):  # recorded while the broker is away: backlog, 2 s at 20/s
            seq = outbox.allocate()
            await uplink.submit(seq, topic, str(seq).encode())
        assert uplink.backlog == 40
        await asyncio.to_thread(mosquitto.start)
        async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="spy", clean_session=False) as spy:
            async with asyncio.timeout(10):
                await uplink.connected.wait()
            live = outbox.allocate()
            await uplink.submit(live, topic, str(live).encode())
            seen: list[int] = []
            async with asyncio.timeout(20):
                async for message in spy.messages:
                    seen.append(int(message.payload))  # type: ignore[arg-type]
                    if len(seen) == 41:
                        break
        backlog = [seq for seq in seen if seq != live]
        assert backlog == list(range(1, 41))
        assert seen.index(live) < 20  # well ahead of the backlog's tail
        await eventually(lambda: uplink.backlog == 0, 5, "all acknowledged")
        assert outbox.stats.sent == 41
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

"""The edge's MQTT link against a real Mosquitto."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.mqtt_faults import session_failing_on_cancel
from xdock.edge.outbox import Outbox
from xdock.edge.uplink import Uplink
from xdock.protocol.clock import SystemClock
from xdock.protocol.messages import Assignment, CentralStatus, Feedback, RouteSnapshot
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

"""A broker stopped while publishes are in flight: the session ends with one MqttError, and the log stays quiet.

Before :func:`~xdock.transport.session.mqtt_session`, such a stop left in central's log a warning per
publish ("There are N pending publish calls.", 1,783 of them after one restart) and asyncio's
``Exception in callback ... add_writer`` traceback (``KeyError: '10 is not registered'``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiomqtt
import pytest

from support.waiting import eventually
from xdock.testing import Mosquitto
from xdock.transport.confirmed import publish_confirmed
from xdock.transport.session import mqtt_session

IN_FLIGHT = 200


async def test_a_broker_stopped_under_load_ends_the_session_without_warnings_or_tracebacks(
    mosquitto: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    window = asyncio.Semaphore(IN_FLIGHT)  # as the edge's window and central's batch bound what is in flight
    tasks: list[asyncio.Task[None]] = []
    acked = 0

    async def one(client: aiomqtt.Client, n: int) -> None:
        nonlocal acked
        try:
            await publish_confirmed(client, [(f"load/{n % 8}", b"x" * 200)])
            acked += 1
        finally:
            window.release()

    async def pump(client: aiomqtt.Client) -> None:
        for n in range(100_000):
            await window.acquire()
            tasks.append(asyncio.create_task(one(client, n)))

    caplog.set_level(logging.INFO)
    try:
        with contextlib.suppress(aiomqtt.MqttError):
            async with mqtt_session(
                aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="load", max_inflight_messages=IN_FLIGHT),
                in_flight=IN_FLIGHT,
            ) as client:
                pumping = asyncio.create_task(pump(client))
                await eventually(lambda: acked >= 2 * IN_FLIGHT, 20, "publishes flowing")
                await asyncio.to_thread(mosquitto.stop)
                pumping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pumping
                outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for _ in range(3):  # callbacks the connection's end scheduled get their turn
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)

    failed = [o for o in outcomes if o is not None]
    assert acked + len(failed) == len(outcomes)
    assert all(isinstance(e, aiomqtt.MqttError) for e in failed)
    assert unhandled == []
    assert [r.getMessage() for r in caplog.records if "pending publish calls" in r.getMessage()] == []
    assert [r for r in caplog.records if r.exc_info is not None] == []
    # paho's word for the reset comes at INFO: the reconnect loop's warning tells the loss.
    assert [(r.levelname, r.name) for r in caplog.records if r.levelno >= logging.WARNING] == []
    paho = {(r.levelname, r.getMessage().split(":")[0]) for r in caplog.records if r.name.endswith(".paho")}
    assert paho <= {("INFO", "failed to receive on socket")}


async def test_a_write_registered_just_before_the_socket_closes_is_dropped_not_run_on_a_closed_descriptor(
    mosquitto: Mosquitto,
) -> None:
    """The race behind ``KeyError: '10 is not registered'``, made to happen every time."""
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    try:
        with contextlib.suppress(aiomqtt.MqttError):
            client = aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="race")
            async with mqtt_session(client, in_flight=8):
                paho = client._client
                paho.publish("race/t", b"x", qos=1)  # paho asks for a write: registered on the loop's next turn
                paho._sock_close()  # ...but the socket closes first, as when a read sees the broker's reset
                for _ in range(3):
                    await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert unhandled == []

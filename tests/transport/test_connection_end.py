"""connection_end / heard_end: the error a dropped MQTT link ended with is heard, never logged as unretrieved."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import aiomqtt

from xdock.testing.servers import Mosquitto
from xdock.testing.tcp_proxy import TcpProxy
from xdock.transport.connection_end import connection_end, heard_end

UNHEARD = "Future exception was never retrieved"


def _collected(loop: asyncio.AbstractEventLoop) -> list[str]:
    """Messages of the loop's exception handler while every dropped client is collected."""
    reports: list[str] = []

    def handler(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        reports.append(str(context.get("message")))

    previous = loop.get_exception_handler()
    loop.set_exception_handler(handler)
    try:
        gc.collect()
    finally:
        loop.set_exception_handler(previous)
    return reports


async def _session_dropped_while_idle(proxy: TcpProxy, *, heard: bool) -> BaseException | None:
    """A session whose link drops while no task reads its messages or publishes (a sibling failed first)."""
    client = aiomqtt.Client("127.0.0.1", proxy.listen_port, identifier="session", timeout=5)
    async with heard_end(client) if heard else client:
        proxy.cut()
        for _ in range(100):  # until the client notices the drop
            if client._disconnected.done():
                break
            await asyncio.sleep(0.02)
    return connection_end(client) if heard else None


async def test_a_dropped_session_is_heard_and_nothing_is_reported(mosquitto: Mosquitto) -> None:
    loop = asyncio.get_running_loop()
    async with TcpProxy(mosquitto.port) as proxy:
        end = await _session_dropped_while_idle(proxy, heard=True)
    assert isinstance(end, aiomqtt.MqttCodeError)
    assert str(end) == "[code:128] Unspecified error"  # what paho reports for a cut TCP link
    del end
    assert UNHEARD not in _collected(loop)


async def test_without_it_asyncio_reports_the_unheard_end(mosquitto: Mosquitto) -> None:
    # The case the helper exists for: aiomqtt alone leaves the error unheard.
    loop = asyncio.get_running_loop()
    async with TcpProxy(mosquitto.port) as proxy:
        await _session_dropped_while_idle(proxy, heard=False)
    assert UNHEARD in _collected(loop)


async def test_a_clean_end_and_a_live_client_have_no_error(mosquitto: Mosquitto) -> None:
    client = aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="clean")
    async with heard_end(client):
        assert connection_end(client) is None
    assert connection_end(client) is None

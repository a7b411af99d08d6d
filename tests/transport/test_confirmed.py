"""publish_confirmed: every acknowledgement awaited, and a lost connection noticed at once."""

from __future__ import annotations

import asyncio

import aiomqtt
import pytest

from xdock.testing.servers import Mosquitto
from xdock.testing.tcp_proxy import TcpProxy
from xdock.transport.confirmed import publish_confirmed


async def test_returns_once_the_broker_acknowledged_all(mosquitto: Mosquitto) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="watcher") as watcher:
        await watcher.subscribe("t/#", qos=1)
        async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="sender") as sender:
            await publish_confirmed(sender, [("t/a", b"1"), ("t/b", b"2"), ("t/a", b"3")])
            assert list(sender._pending_publishes) == []
        got = []
        async with asyncio.timeout(5):
            async for message in watcher.messages:
                got.append((message.topic.value, message.payload))
                if len(got) == 3:
                    break
    assert sorted(got) == [("t/a", b"1"), ("t/a", b"3"), ("t/b", b"2")]


async def test_a_lost_connection_ends_the_wait_at_once(mosquitto: Mosquitto) -> None:
    async with TcpProxy(mosquitto.port) as proxy:
        sender = aiomqtt.Client("127.0.0.1", proxy.listen_port, identifier="sender", timeout=60)
        await sender.__aenter__()
        try:
            proxy.pause()  # the PUBACK will never come back through
            waiting = asyncio.create_task(publish_confirmed(sender, [("t/a", b"1")]))
            await asyncio.sleep(0.2)
            assert not waiting.done()
            proxy.cut()
            # Without the disconnect check this would wait out the client's 60 s operation timeout.
            async with asyncio.timeout(5):
                lost = r"^Connection lost while waiting for the broker.s acknowledgements$"
                with pytest.raises(aiomqtt.MqttError, match=lost):
                    await waiting
        finally:
            await sender.__aexit__(None, None, None)

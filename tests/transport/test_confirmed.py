"""publish_confirmed: every acknowledgement awaited, and a lost connection noticed at once."""

from __future__ import annotations

import asyncio
import gc

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


class _SilentBroker:
    """Just enough of a client for publish_confirmed: publishes that are never acknowledged."""

    def __init__(self) -> None:
        self._disconnected: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def publish(self, topic: str, payload: bytes, *, qos: int, retain: bool) -> None:
        await asyncio.Event().wait()


async def test_a_cancelled_wait_leaves_no_unretrieved_exception() -> None:
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    loop.set_exception_handler(lambda _, context: reported.append(context["message"]))
    client = _SilentBroker()
    waiting = asyncio.create_task(publish_confirmed(client, [("t/a", b"1"), ("t/b", b"2")]))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for _ in range(3):
        await asyncio.sleep(0)
    del waiting
    gc.collect()
    await asyncio.sleep(0)
    assert reported == []

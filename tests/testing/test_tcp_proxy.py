"""The test TCP proxy: bytes arrive complete and in order, late by the delay, held while paused, cut on demand."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from support.waiting import eventually
from xdock.testing.tcp_proxy import TcpProxy


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    """An echo server on a free loopback port."""
    handlers: set[asyncio.Task[None]] = set()

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            while data := await reader.read(4096):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.transport.abort()
            handlers.discard(task)

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in list(handlers):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await server.wait_closed()


async def connect(proxy: TcpProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.listen_port)


async def test_every_byte_comes_back_in_order_through_a_delayed_link(echo_port: int) -> None:
    async with TcpProxy(echo_port, delay=0.05) as proxy:
        reader, writer = await connect(proxy)
        sent = b"".join(f"chunk {i:04d};".encode() for i in range(500))
        loop = asyncio.get_running_loop()
        started = loop.time()
        for i in range(0, len(sent), 37):
            writer.write(sent[i : i + 37])
        await writer.drain()
        async with asyncio.timeout(10):
            received = await reader.readexactly(len(sent))
        elapsed = loop.time() - started
        writer.close()
    assert received == sent
    assert elapsed >= 0.1  # one delay each way
    assert proxy.bytes_forwarded == 2 * len(sent)


async def test_a_paused_link_holds_the_bytes_and_delivers_them_on_resume(echo_port: int) -> None:
    async with TcpProxy(echo_port) as proxy:
        reader, writer = await connect(proxy)
        await eventually(lambda: proxy.open_connections == 1, 5, "connection through the proxy")
        proxy.pause()
        writer.write(b"held back")
        await writer.drain()
        await eventually(lambda: proxy.held_bytes == 9, 5, "bytes held by the proxy")
        assert proxy.bytes_forwarded == 0
        proxy.resume()
        async with asyncio.timeout(5):
            assert await reader.readexactly(9) == b"held back"
        writer.close()


async def test_a_cut_link_drops_connections_and_refuses_new_ones_until_resumed(echo_port: int) -> None:
    async with TcpProxy(echo_port) as proxy:
        reader, writer = await connect(proxy)
        writer.write(b"ping")
        async with asyncio.timeout(5):
            assert await reader.readexactly(4) == b"ping"
        proxy.cut()
        async with asyncio.timeout(5):
            with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
                await reader.readexactly(1)
        writer.close()
        refused_reader, refused_writer = await connect(proxy)
        async with asyncio.timeout(5):
            with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
                await refused_reader.readexactly(1)
        refused_writer.close()
        proxy.resume()
        reader, writer = await connect(proxy)
        writer.write(b"pong")
        async with asyncio.timeout(5):
            assert await reader.readexactly(4) == b"pong"
        writer.close()
    assert proxy.open_connections == 0
    assert proxy.connections_accepted == 3


async def test_a_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^Invalid proxy delay: expected >= 0 s, got -0\.1$"):
        TcpProxy(1883, delay=-0.1)

"""A TCP proxy on the loopback interface for fault tests: latency without loss, stalls and cuts.

``TcpProxy`` listens on ``127.0.0.1:listen_port`` and forwards every connection to
``127.0.0.1:target_port``. Each chunk read from one side is delivered to the other ``delay``
seconds after it arrived, in order and complete, in both directions, so a round trip costs
``2 * delay`` more. ``delay`` may be changed while running; a new value applies to chunks read
from then on (order is always kept: a chunk never overtakes an earlier one).

Faults:

* :meth:`pause` holds every chunk (connections stay up, nothing is lost) until :meth:`resume`;
* :meth:`cut` aborts every open connection (both sides see a reset) and, until :meth:`resume`,
  closes new connections as soon as they are accepted, as a dead link would.

Everything runs on the caller's event loop; use it as ``async with TcpProxy(...) as proxy``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

__all__ = ["TcpProxy"]

log = logging.getLogger(__name__)

_READ_SIZE = 65536


class _Pipe:
    """One direction of one connection: read chunks, hold each until its due time, write in order."""

    def __init__(self, proxy: TcpProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.proxy = proxy
        self.reader = reader
        self.writer = writer
        self.chunks: deque[tuple[float, bytes]] = deque()
        self.arrived = asyncio.Event()
        self.eof = False

    async def read(self) -> None:
        loop = asyncio.get_running_loop()
        while data := await self.reader.read(_READ_SIZE):
            self.chunks.append((loop.time() + self.proxy.delay, data))
            self.arrived.set()
        self.eof = True
        self.arrived.set()

    async def write(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self.chunks:
                if self.eof:
                    if self.writer.can_write_eof():
                        self.writer.write_eof()
                    return
                self.arrived.clear()
                await self.arrived.wait()
                continue
            due, data = self.chunks[0]
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            await self.proxy.flowing.wait()
            self.chunks.popleft()
            self.writer.write(data)
            await self.writer.drain()
            self.proxy.bytes_forwarded += len(data)


class TcpProxy:
    """Forward ``127.0.0.1:listen_port`` to ``127.0.0.1:target_port`` with a one-way ``delay`` (seconds)."""

    def __init__(self, target_port: int, *, listen_port: int = 0, delay: float = 0.0) -> None:
        if delay < 0:
            raise ValueError(f"Invalid proxy delay: expected >= 0 s, got {delay}")
        self.target_port = target_port
        self.listen_port = listen_port
        self.delay = delay
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.bytes_forwarded = 0
        self.connections_accepted = 0
        self._cut = False
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[_Pipe] = set()

    @property
    def open_connections(self) -> int:
        return len(self._handlers)

    @property
    def held_bytes(self) -> int:
        """Bytes read from one side and not yet written to the other (delayed or paused)."""
        return sum(len(data) for pipe in self._pipes for _, data in pipe.chunks)

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("proxy already started")
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.listen_port)
        self.listen_port = self._server.sockets[0].getsockname()[1]
        log.info("proxy 127.0.0.1:%d -> 127.0.0.1:%d, delay %.3f s", self.listen_port, self.target_port, self.delay)

    async def stop(self) -> None:
        """Close the listener and every connection; idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self._abort_all()
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        for task in handlers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if server is not None:
            await server.wait_closed()

    def pause(self) -> None:
        """Hold every chunk in both directions; connections stay open and nothing is dropped."""
        self.flowing.clear()

    def cut(self) -> None:
        """Abort every open connection and refuse new ones (accept, then close) until :meth:`resume`."""
        self._cut = True
        self._abort_all()

    def resume(self) -> None:
        """Forward held chunks and accept connections again."""
        self._cut = False
        self.flowing.set()

    async def __aenter__(self) -> TcpProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _abort_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.connections_accepted += 1
        if self._cut:
            client_writer.transport.abort()
            return
        self._handlers.add(task)
        self._writers.add(client_writer)
        try:
            try:
                target_reader, target_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            except OSError as exc:
                log.info("proxy: target 127.0.0.1:%d refused: %s", self.target_port, exc)
                client_writer.transport.abort()
                return
            self._writers.add(target_writer)
            try:
                await self._pump(client_reader, client_writer, target_reader, target_writer)
            finally:
                self._writers.discard(target_writer)
                target_writer.transport.abort()
        finally:
            self._writers.discard(client_writer)
            client_writer.transport.abort()
            self._handlers.discard(task)

    async def _pump(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter,
        target_reader: asyncio.StreamReader, target_writer: asyncio.StreamWriter,
    ) -> None:
        up = _Pipe(self, client_reader, target_writer)
        down = _Pipe(self, target_reader, client_writer)
        self._pipes.update((up, down))
        try:
            async with asyncio.TaskGroup() as tasks:
                for pipe in (up, down):
                    tasks.create_task(pipe.read())
                    tasks.create_task(pipe.write())
        except* (ConnectionError, OSError) as group:
            log.debug("proxy connection ended: %s", group.exceptions[0])
        finally:
            self._pipes.difference_update((up, down))

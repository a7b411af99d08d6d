"""A partner's webhook endpoint for tests: an HTTP server on 127.0.0.1 that records and answers as told.

``async with WebhookReceiver(clock=clock, secrets=[secret]) as receiver`` listens on a free port
(:attr:`WebhookReceiver.url`). Every request is kept, in arrival order, as a :class:`ReceivedRequest`
(method, path, headers, body, the clock's time), and answered by the mode the test sets at run time
(:meth:`WebhookReceiver.set_mode`):

- ``ok``: 200, empty body;
- ``fail``: 500;
- ``hang``: no answer; the request is held until the receiver closes (longer than any client timeout),
  then its connection is dropped.

Given secrets, each request's Standard Webhooks signature is checked on arrival against the clock
(:func:`xdock.partners.webhooks.verify`): :meth:`WebhookReceiver.received_verified` lists the requests that
held, and each request tells why it did not (:attr:`ReceivedRequest.signature_problem`). The mode answers
all the same: a test sees what a sender did, whatever it sent.

HTTP/1.1 with keep-alive, bodies by Content-Length or chunked. It runs in the caller's event loop, no
thread; :meth:`WebhookReceiver.close` ends every connection task, hanging ones included.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Final, Literal, Self, get_args

from xdock.partners.webhooks import SignatureError, WebhookSecret, verify
from xdock.protocol.clock import Clock

__all__ = ["Mode", "ReceivedRequest", "WebhookReceiver"]

log = logging.getLogger(__name__)

Mode = Literal["ok", "fail", "hang"]
MAX_BODY: Final = 10 * 1024 * 1024
_STATUS: Final[dict[str, tuple[int, str]]] = {"ok": (200, "OK"), "fail": (500, "Internal Server Error")}


class _BadRequestError(Exception):
    """A request that is not HTTP/1.x as this server reads it."""


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as received."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    """Every header as sent, in order."""
    body: bytes
    received_at: datetime
    """The receiver's clock when the whole body had arrived."""
    mode: Mode
    """How it was answered."""
    signature_problem: str | None = None
    """Why its signature did not hold (a :class:`~xdock.partners.webhooks.SignatureError`'s text), ``None``
    when it did or when the receiver checks none."""

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or ``None``."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


class WebhookReceiver:
    """A recording HTTP endpoint; see the module docstring."""

    def __init__(
        self,
        *,
        clock: Clock,
        secrets: Sequence[WebhookSecret] = (),
        tolerance_s: int = 300,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: Mode = "ok",
    ) -> None:
        self._clock = clock
        self._secrets = tuple(secrets)
        self._tolerance_s = tolerance_s
        self._host = host
        self._port = port
        self._mode: Mode = mode
        self._received: list[ReceivedRequest] = []
        self._arrived = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = asyncio.Event()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("WebhookReceiver is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """Where to send webhooks, e.g. ``http://127.0.0.1:43117/``."""
        return f"http://{self._host}:{self.port}/"

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def received(self) -> tuple[ReceivedRequest, ...]:
        """Every request so far, in arrival order."""
        return tuple(self._received)

    def set_mode(self, mode: Mode) -> None:
        """Answer requests from now on as ``mode`` says (requests already hanging stay held)."""
        if mode not in get_args(Mode):
            raise ValueError(f"Invalid mode {mode!r}: expected one of {', '.join(get_args(Mode))}")
        self._mode = mode

    def received_verified(self) -> list[ReceivedRequest]:
        """The requests whose signature held, in arrival order."""
        if not self._secrets:
            raise RuntimeError("WebhookReceiver checks no signatures: it was given no secrets")
        return [r for r in self._received if r.signature_problem is None]

    async def wait_for(self, count: int, timeout_s: float) -> list[ReceivedRequest]:
        """The first ``count`` requests, once that many have arrived; ``TimeoutError`` after ``timeout_s``."""
        try:
            async with asyncio.timeout(timeout_s):
                while len(self._received) < count:
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            raise TimeoutError(
                f"expected {count} webhook requests within {timeout_s} s, found {len(self._received)}"
            ) from None
        return self._received[:count]

    async def start(self) -> None:
        self._closing.clear()
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        log.info("webhook receiver listening on %s", self.url)

    async def close(self) -> None:
        """Stop listening and end every connection, held ones included; nothing if already closed."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        # Release held requests and cut idle connections rather than cancel their tasks: each handler ends
        # as it would for a client that hung up.
        self._closing.set()
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        self._writers.add(writer)
        try:
            if self._server is None:  # accepted as the receiver closed
                return
            await self._exchange(reader, writer)
        except _BadRequestError as error:
            log.info("webhook receiver refused a request: %s", error)
            writer.write(_response(400, "Bad Request", keep_alive=False, body=str(error).encode()))
            with contextlib.suppress(ConnectionError, OSError):
                await writer.drain()
        except (ConnectionError, OSError) as error:
            log.info("webhook receiver connection lost: %s", error)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            self._writers.discard(writer)
            if task is not None:
                self._handlers.discard(task)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Requests and answers on one connection, until it closes or a request hangs."""
        while (request := await _read_request(reader)) is not None:
            method, path, version, headers, body = request
            mode = self._mode
            self._record(ReceivedRequest(
                method, path, headers, body, self._clock.now(), mode, self._signature_problem(headers, body)
            ))
            if mode == "hang":
                await self._closing.wait()  # held until close(), then dropped unanswered
                return
            connection = next((v.lower() for k, v in headers if k.lower() == "connection"), "")
            keep_alive = version == "HTTP/1.1" and connection != "close"
            writer.write(_response(*_STATUS[mode], keep_alive=keep_alive))
            await writer.drain()
            if not keep_alive:
                return

    def _record(self, request: ReceivedRequest) -> None:
        self._received.append(request)
        self._arrived.set()
        log.info("webhook %s %s (%d bytes) answered %s", request.method, request.path, len(request.body),
                 request.mode)

    def _signature_problem(self, headers: tuple[tuple[str, str], ...], body: bytes) -> str | None:
        if not self._secrets:
            return None
        try:
            verify(self._secrets, dict(headers), body, now=self._clock.now(), tolerance_s=self._tolerance_s)
        except SignatureError as error:
            return str(error)
        return None


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, str, tuple[tuple[str, str], ...], bytes] | None:
    """The next request on a connection (method, path, version, headers, body), or ``None`` at its end."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise _BadRequestError("the connection closed inside a request head") from None
    except asyncio.LimitOverrunError:
        raise _BadRequestError("expected a request head under 64 KiB, found more") from None
    request_line, *lines = head[:-4].decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequestError(f"expected 'METHOD PATH HTTP/1.x', found {request_line[:80]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise _BadRequestError(f"expected 'Name: value', found {line[:80]!r}")
        headers.append((name.strip(), value.strip()))
    fields = {name.lower(): value for name, value in headers}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        length = fields.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            raise _BadRequestError(f"expected a Content-Length of 0 to {MAX_BODY}, found {length[:20]!r}")
        body = await _read_exactly(reader, int(length))
    return parts[0], parts[1], parts[2], tuple(headers), body


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        try:
            size_line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise _BadRequestError("expected a chunk size line, found the end of the connection") from None
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
        except ValueError:
            raise _BadRequestError(f"expected a hex chunk size, found {size_line[:20]!r}") from None
        if size == 0:
            break
        if len(body) + size > MAX_BODY:
            raise _BadRequestError(f"expected a body of at most {MAX_BODY} bytes, found more")
        body += await _read_exactly(reader, size)
        await _read_exactly(reader, 2)
    with contextlib.suppress(asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, up to the blank line
            pass
    return bytes(body)


async def _read_exactly(reader: asyncio.StreamReader, size: int) -> bytes:
    try:
        return await reader.readexactly(size)
    except asyncio.IncompleteReadError as error:
        raise _BadRequestError(f"expected {size} bytes of body, found {len(error.partial)}") from None


def _response(status: int, reason: str, *, keep_alive: bool, body: bytes = b"") -> bytes:
    connection = "keep-alive" if keep_alive else "close"
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\nConnection: {connection}\r\n\r\n"
    return head.encode("ascii") + body

"""An RFID portal reader, emulated as an LLRP 1.0.1 server on a real TCP socket.

The reader listens on ``host:port`` (port 0: a free port, see :attr:`LlrpReaderMock.port`) and
takes one client at a time, as LLRP readers do:

- on connect it sends READER_EVENT_NOTIFICATION with ConnectionAttemptEvent status 0; a second
  client gets status 2 (a client-initiated connection already exists) and is closed;
- GET_READER_CAPABILITIES, GET/SET_READER_CONFIG, ENABLE_EVENTS_AND_REPORTS and DELETE_ACCESSSPEC
  are answered by :mod:`.llrp_config` (its :class:`ReaderSettings` in ``settings`` counts them);
- ADD/ENABLE/START/STOP/DISABLE/DELETE_ROSPEC follow :mod:`.llrp_rospecs`; each answer carries LLRPStatus;
- while a ROSpec is active, every ``report_interval_s`` of clock time it sends one RO_ACCESS_REPORT
  with the tags its antennas see in the :class:`TagPopulation` at that instant (the fields its
  ROReportSpec's content selector asks for), each with its first-seen time;
- it sends KEEPALIVE as the KeepaliveSpec a client set says (periodic every N ms, or none), and every
  ``keepalive_s`` until a client sets one; it counts them (``keepalives_sent``) and KEEPALIVE_ACKs;
- CLOSE_CONNECTION → CLOSE_CONNECTION_RESPONSE, then the socket is closed.

A message it does not take gets ERROR_MESSAGE (109 M_UnsupportedMessage, or 100
M_ParameterError for a malformed one), echoing the message id; a message of another LLRP version
(say LLRP 1.1's GET_SUPPORTED_VERSION) gets 110 M_UnsupportedVersion in a version 1 frame, as a
1.0.1 reader answers; a broken stream (untrustworthy header) closes the connection. Everything
received is kept in ``received``, refusals in ``rejected``.

Time comes from the injected clock; tag script times are seconds from :meth:`start`. Keepalives alone
run on the event loop's time, as the client's silence timeout does (see :mod:`.llrp_session`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from types import TracebackType
from typing import Self

from xdock.firmware_mocks.llrp_config import ReaderSettings
from xdock.firmware_mocks.llrp_reader_config import ReaderConfig
from xdock.firmware_mocks.llrp_rospecs import ROSpecTable
from xdock.firmware_mocks.llrp_session import ReaderSession
from xdock.firmware_mocks.llrp_tags import TagPopulation
from xdock.protocol import llrp
from xdock.protocol.clock import Clock, epoch_us

__all__ = ["LlrpReaderMock", "ReaderConfig"]

log = logging.getLogger(__name__)

_CLIENT_CONNECTION_EXISTS = 2


class LlrpReaderMock:
    """An LLRP reader on 127.0.0.1 whose antennas see a scripted tag population."""

    def __init__(
        self,
        tags: TagPopulation | None = None,
        *,
        clock: Clock,
        config: ReaderConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        script_from_first_client: bool = False,
    ) -> None:
        """``script_from_first_client``: tag script time starts when the first client connects (a reader
        started by hand before its edge), not at :meth:`start`."""
        self.tags = tags if tags is not None else TagPopulation()
        self.config = config if config is not None else ReaderConfig()
        self.clock = clock
        self.rospecs = ROSpecTable()
        self.settings = ReaderSettings(self.config)
        self.received: list[llrp.LlrpMessage] = []
        self.rejected: list[llrp.LlrpError] = []
        self.reports_sent = 0
        self.keepalives_sent = 0
        self.keepalive_acks = 0
        self.connections = 0
        self._host = host
        self._port = port
        self._script_from_first_client = script_from_first_client
        self._server: asyncio.Server | None = None
        self._epoch: datetime | None = None
        self._client: ReaderSession | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.changed = asyncio.Event()
        """Set when tags or ROSpecs change, so an idle inventory loop looks again."""
        self._next_id = 0

    @property
    def port(self) -> int:
        """The TCP port the reader listens on."""
        if self._server is None:
            raise RuntimeError("LlrpReaderMock is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def connected(self) -> bool:
        """Whether a client holds the connection."""
        return self._client is not None

    async def start(self) -> None:
        """Listen; tag script time starts now (or at the first client's connection)."""
        self._epoch = None if self._script_from_first_client else self.clock.now()
        self._server = await asyncio.start_server(self._accept, self._host, self._port)
        log.info("LLRP reader mock listening on %s:%d", self._host, self.port)

    async def close(self) -> None:
        """Drop the client and stop listening."""
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def script_time(self) -> float:
        """Seconds of clock time since :meth:`start` (or since the first client connected)."""
        if self._epoch is None:
            raise RuntimeError("LlrpReaderMock is not started or has had no client yet")
        return (self.clock.now() - self._epoch).total_seconds()

    def wake(self) -> None:
        """Tell the inventory loop that tags or ROSpecs changed (call after adding tags)."""
        self.changed.set()

    def next_message_id(self) -> int:
        """An id for a message the reader starts (notifications, reports, keepalives)."""
        self._next_id = (self._next_id + 1) & 0xFFFFFFFF
        return self._next_id

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            if self._client is not None:
                notice = llrp.ReaderEventNotification(
                    self.next_message_id(), epoch_us(self.clock.now()), connection_attempt=_CLIENT_CONNECTION_EXISTS
                )
                writer.write(llrp.encode_message(notice))
                await writer.drain()
                return
            self.connections += 1
            if self._epoch is None:
                self._epoch = self.clock.now()
            self._client = ReaderSession(self, reader, writer)
            await self._client.run()
        except (ConnectionError, OSError) as error:
            log.info("LLRP client connection lost: %s", error)
        finally:
            if self._client is not None and self._client.writer is writer:
                self._client = None
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            if task is not None:
                self._handlers.discard(task)

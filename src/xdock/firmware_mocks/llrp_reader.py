"""An RFID portal reader, emulated as an LLRP 1.0.1 server on a real TCP socket.

The reader listens on ``host:port`` (port 0: a free port, see :attr:`LlrpReaderMock.port`) and
takes one client at a time, as LLRP readers do:

- on connect it sends READER_EVENT_NOTIFICATION with ConnectionAttemptEvent status 0; a second
  client gets status 2 (a client-initiated connection already exists) and is closed;
- GET_READER_CAPABILITIES → general device, LLRP and regulatory capabilities;
- ADD/ENABLE/START/STOP/DELETE_ROSPEC follow :mod:`.llrp_rospecs`; each answer carries LLRPStatus;
- while a ROSpec is active, every ``report_interval_s`` of clock time it sends one RO_ACCESS_REPORT
  with the tags its antennas see in the :class:`TagPopulation` at that instant (the fields its
  ROReportSpec's content selector asks for), each with its first-seen time;
- with ``keepalive_s`` set it sends KEEPALIVE that often and counts KEEPALIVE_ACKs;
- CLOSE_CONNECTION → CLOSE_CONNECTION_RESPONSE, then the socket is closed.

A message it does not take gets ERROR_MESSAGE (109 M_UnsupportedMessage, or 100
M_ParameterError for a malformed one), echoing the message id; a broken stream (untrustworthy
header) closes the connection. Everything received is kept in ``received``, refusals in ``rejected``.

Time comes from the injected clock; tag script times are seconds from :meth:`start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from xdock.firmware_mocks.llrp_capabilities import capabilities_response
from xdock.firmware_mocks.llrp_rospecs import ROSpecTable
from xdock.firmware_mocks.llrp_tags import TagPopulation
from xdock.protocol import llrp
from xdock.protocol.clock import Clock
from xdock.protocol.llrp.rospec import (
    SELECT_ANTENNA_ID,
    SELECT_FIRST_SEEN,
    SELECT_LAST_SEEN,
    SELECT_PEAK_RSSI,
    SELECT_ROSPEC_ID,
    SELECT_TAG_SEEN_COUNT,
)

__all__ = ["LlrpReaderMock", "ReaderConfig"]

log = logging.getLogger(__name__)

_READ_SIZE = 65536
_DEFAULT_CONTENT = SELECT_ANTENNA_ID | SELECT_PEAK_RSSI | SELECT_FIRST_SEEN
_M_PARAMETER_ERROR = 100
_M_UNSUPPORTED_MESSAGE = 109
_CLIENT_CONNECTION_EXISTS = 2


@dataclass(frozen=True)
class ReaderConfig:
    """What kind of reader the mock plays."""

    antennas: int = 4
    """Antenna ports, numbered from 1."""
    report_interval_s: float = 0.1
    """Clock seconds between inventory rounds (one RO_ACCESS_REPORT per round with tags in view)."""
    keepalive_s: float | None = None
    """Clock seconds between KEEPALIVE messages; None sends none (keep None with a ManualClock, whose
    sleep returns at once)."""
    manufacturer: int = 0
    """IANA private enterprise number reported in GeneralDeviceCapabilities."""
    model: int = 1
    firmware_version: str = "xdock-llrp-mock 1.0"


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
    ) -> None:
        self.tags = tags if tags is not None else TagPopulation()
        self.config = config if config is not None else ReaderConfig()
        self.clock = clock
        self.rospecs = ROSpecTable()
        self.received: list[llrp.LlrpMessage] = []
        self.rejected: list[llrp.LlrpError] = []
        self.reports_sent = 0
        self.keepalive_acks = 0
        self.connections = 0
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._epoch: datetime | None = None
        self._client: _Session | None = None
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
        """Listen; tag script time starts now."""
        self._epoch = self.clock.now()
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
        """Seconds of clock time since :meth:`start`."""
        if self._epoch is None:
            raise RuntimeError("LlrpReaderMock is not started")
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
                    self.next_message_id(), _micros(self.clock.now()), connection_attempt=_CLIENT_CONNECTION_EXISTS
                )
                writer.write(llrp.encode_message(notice))
                await writer.drain()
                return
            self.connections += 1
            self._client = _Session(self, reader, writer)
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


class _Session:
    """One client connection: requests in, answers, reports and keepalives out."""

    def __init__(self, mock: LlrpReaderMock, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.mock = mock
        self.reader = reader
        self.writer = writer
        self.decoder = llrp.LlrpDecoder()
        self.closing = False

    async def run(self) -> None:
        mock = self.mock
        await self.send(
            llrp.ReaderEventNotification(mock.next_message_id(), _micros(mock.clock.now()), connection_attempt=0)
        )
        helpers = [asyncio.create_task(self.inventory())]
        if mock.config.keepalive_s is not None:
            helpers.append(asyncio.create_task(self.keepalive(mock.config.keepalive_s)))
        try:
            await self.read_requests()
        finally:
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    async def send(self, message: llrp.LlrpMessage) -> None:
        self.writer.write(llrp.encode_message(message))
        await self.writer.drain()

    async def read_requests(self) -> None:
        while not self.closing:
            data = await self.reader.read(_READ_SIZE)
            if not data:
                return
            for event in self.decoder.feed(data):
                if isinstance(event, llrp.LlrpFrameError):
                    log.warning("LLRP stream broken: %s", event)
                    self.mock.rejected.append(event)
                    return
                if isinstance(event, llrp.LlrpMessageError):
                    self.mock.rejected.append(event)
                    code = _M_UNSUPPORTED_MESSAGE if event.field == "Message Type" else _M_PARAMETER_ERROR
                    await self.send(llrp.ErrorMessage(event.message_id, llrp.LlrpStatus(code, str(event))))
                    continue
                self.mock.received.append(event)
                await self.answer(event)

    async def answer(self, message: llrp.LlrpMessage) -> None:
        table, now, mid = self.mock.rospecs, self.mock.clock.now(), message.message_id
        match message:
            case llrp.GetReaderCapabilities():
                await self.send(capabilities_response(mid, message.requested_data, self.mock.config))
            case llrp.AddROSpec():
                await self.send(llrp.AddROSpecResponse(mid, table.add(message.rospec)))
            case llrp.EnableROSpec():
                await self.send(llrp.EnableROSpecResponse(mid, table.apply("enable", message.rospec_id, now)))
            case llrp.StartROSpec():
                await self.send(llrp.StartROSpecResponse(mid, table.apply("start", message.rospec_id, now)))
            case llrp.StopROSpec():
                await self.send(llrp.StopROSpecResponse(mid, table.apply("stop", message.rospec_id, now)))
            case llrp.DeleteROSpec():
                await self.send(llrp.DeleteROSpecResponse(mid, table.delete(message.rospec_id)))
            case llrp.KeepaliveAck():
                self.mock.keepalive_acks += 1
                return
            case llrp.CloseConnection():
                await self.send(llrp.CloseConnectionResponse(mid, llrp.LlrpStatus()))
                self.closing = True
                return
            case _:
                name = type(message).__name__
                status = llrp.LlrpStatus(_M_UNSUPPORTED_MESSAGE, f"{name} is not a message a reader takes")
                await self.send(llrp.ErrorMessage(mid, status))
                return
        self.mock.wake()

    async def inventory(self) -> None:
        mock = self.mock
        while True:
            mock.changed.clear()
            mock.rospecs.stop_expired(mock.clock.now())
            active = mock.rospecs.active()
            t = mock.script_time()
            for running in active:
                await self.report(running.spec, t)
            timed = any(r.spec.stop_trigger == 1 for r in active)
            if not active or not (timed or mock.tags.pending_after(t)):
                await mock.changed.wait()
                continue
            await mock.clock.sleep(mock.config.report_interval_s)

    async def report(self, spec: llrp.ROSpec, t: float) -> None:
        antennas = frozenset(a for ai in spec.ai_specs for a in ai.antenna_ids)
        sightings = self.mock.tags.visible(t, None if 0 in antennas or not antennas else antennas)
        if not sightings:
            return
        content = spec.report.content if spec.report is not None else _DEFAULT_CONTENT
        stamp = _micros(self.mock.clock.now())
        tags = tuple(
            llrp.TagReport(
                s.epc,
                antenna_id=s.antenna_id if content & SELECT_ANTENNA_ID else None,
                peak_rssi=s.rssi if content & SELECT_PEAK_RSSI else None,
                first_seen_utc_us=stamp if content & SELECT_FIRST_SEEN else None,
                last_seen_utc_us=stamp if content & SELECT_LAST_SEEN else None,
                tag_seen_count=1 if content & SELECT_TAG_SEEN_COUNT else None,
                rospec_id=spec.rospec_id if content & SELECT_ROSPEC_ID else None,
            )
            for s in sightings
        )
        await self.send(llrp.ROAccessReport(self.mock.next_message_id(), tags))
        self.mock.reports_sent += 1

    async def keepalive(self, every_s: float) -> None:
        while True:
            await self.mock.clock.sleep(every_s)
            await self.send(llrp.Keepalive(self.mock.next_message_id()))


def _micros(instant: datetime) -> int:
    delta = instant - datetime(1970, 1, 1, tzinfo=instant.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

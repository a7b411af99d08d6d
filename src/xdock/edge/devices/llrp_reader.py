"""The edge's LLRP client for an RFID portal reader (asyncio TCP, our sans-I/O codec).

:meth:`LlrpReaderDriver.run` keeps one connection to ``host:port`` for as long as it runs::

    connect → READER_EVENT_NOTIFICATION (ConnectionAttempt 0) → [SET_READER_CONFIG (keepalives)]
      → DELETE_ROSPEC 0 (all) → ADD_ROSPEC → ENABLE_ROSPEC → START_ROSPEC → reports until the connection drops
      → back off (reconnect_initial_s, doubling up to reconnect_max_s; reset once configured) → again

The configuration requests and the reader's config are in :mod:`.llrp_setup`: with a silence timeout
the reader is first asked for a keepalive three times per silence period.

Every RO_ACCESS_REPORT is decoded into :class:`~xdock.edge.tag_reads.TagRead` values handed to
``on_reads``; non-SSCC tags are counted and skipped. The reads' first-seen times are checked against
the edge's clock (:class:`~xdock.edge.reader_clock.ReaderClock`) and moved onto it when the reader's
clock is off by more than ``clock_tolerance_s``. ``on_status`` hears at once when the reader comes
(ROSpec started) and goes (connection lost). KEEPALIVE is answered with KEEPALIVE_ACK.
A frame the codec refuses is counted in :attr:`ReaderStats.bad_frames` and skipped; a frame
header that cannot be trusted, a refused configuration step, a silent reader (no answer within
``response_timeout_s``; no frame at all within ``silence_timeout_s``, when set) or a dropped socket
ends the connection and the driver reconnects; :attr:`LlrpReaderDriver.last_error` keeps why (a refused
step names the reader, the request and its LLRPStatus). Only cancellation ends :meth:`run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from xdock.edge.devices.llrp_setup import LlrpReaderConfig, ReaderSessionError, check_answer, setup_requests
from xdock.edge.reader_clock import ReaderClock
from xdock.edge.tag_reads import TagRead, TagReadDecoder
from xdock.protocol import llrp
from xdock.protocol.clock import Clock
from xdock.transport.backoff import Backoff, BackoffPolicy

__all__ = ["LlrpReaderConfig", "LlrpReaderDriver", "ReaderSessionError", "ReaderStats"]

log = logging.getLogger(__name__)

_READ_SIZE = 65536


@dataclass
class ReaderStats:
    """What the driver has seen, across connections."""

    connections: int = 0
    """Connections that reached the running state (ROSpec started)."""
    failures: int = 0
    """Connection attempts and sessions that ended in an error or a drop."""
    reports: int = 0
    tag_reads: int = 0
    """Pallet tag reads handed on."""
    non_sscc: int = 0
    """Tags skipped because their EPC is not an SSCC-96."""
    bad_frames: int = 0
    """Frames the codec refused (skipped), plus untrustworthy headers (which end the connection)."""
    keepalives: int = 0
    """KEEPALIVEs answered."""
    keepalive_configs: int = 0
    """SET_READER_CONFIGs (the keepalive period) the reader accepted."""
    clock_rebased: int = 0
    """Reports whose reads were moved onto the edge's clock (the reader's clock was off)."""


class LlrpReaderDriver:
    """Reads one portal reader for as long as :meth:`run` runs."""

    def __init__(
        self, config: LlrpReaderConfig, *, clock: Clock, on_reads: Callable[[list[TagRead]], None],
        on_status: Callable[[bool], None] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.stats = ReaderStats()
        self.running = False
        """Whether a connection is up and its ROSpec started."""
        self.last_error: str | None = None
        """Why the last connection attempt or session ended; None until one has."""
        self.reader_clock = ReaderClock(config.clock_tolerance_s)
        self._on_reads = on_reads
        self._on_status = on_status
        self._tags = TagReadDecoder()
        self._next_id = 0

    async def run(self) -> None:
        """Connect, configure, read; reconnect with back-off on any loss. Only cancellation ends it."""
        backoff = Backoff(BackoffPolicy(first=self.config.reconnect_initial_s, cap=self.config.reconnect_max_s))
        while True:
            started = self.stats.connections
            try:
                await self._session()
            except (OSError, ReaderSessionError, llrp.LlrpFrameError, TimeoutError) as error:
                self.stats.failures += 1
                reason = str(error) or type(error).__name__
                if not isinstance(error, ReaderSessionError):
                    reason = f"LLRP reader {self.config.address}: {reason}"
                self.last_error = reason
                log.warning("%s", reason)
            finally:
                self._set_running(False)
            if self.stats.connections > started:
                backoff.succeeded()
            delay = backoff.failed()
            log.info("LLRP reader %s:%d: reconnecting in %.2f s", self.config.host, self.config.port, delay)
            await self.clock.sleep(delay)

    async def _session(self) -> None:
        """One connection, until it ends (always with an error: a reader does not hang up on a healthy client)."""
        cfg = self.config
        async with asyncio.timeout(cfg.response_timeout_s):
            reader, writer = await asyncio.open_connection(cfg.host, cfg.port)
        session = _Session(self, reader, writer)
        try:
            await session.configure()
            self.stats.connections += 1
            self._set_running(True)
            log.info("LLRP reader %s:%d: ROSpec %d started", cfg.host, cfg.port, cfg.rospec_id)
            await session.read_until_closed()
            raise ReaderSessionError(f"LLRP reader {cfg.address}: connection closed by the reader")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _set_running(self, running: bool) -> None:
        if running == self.running:
            return
        self.running = running
        if self._on_status is not None:
            self._on_status(running)

    def message_id(self) -> int:
        """A fresh message id for a request."""
        self._next_id = (self._next_id + 1) & 0xFFFFFFFF
        return self._next_id

    def handle_report(self, report: llrp.ROAccessReport) -> None:
        """Decode a report's tags and hand the pallet reads on (on the edge's clock if the reader's is off)."""
        before = self._tags.non_sscc
        reads = self.reader_clock.align(self._tags.decode(report), self.clock.now())
        self.stats.reports += 1
        self.stats.non_sscc += self._tags.non_sscc - before
        self.stats.tag_reads += len(reads)
        self.stats.clock_rebased = self.reader_clock.rebased
        if reads:
            self._on_reads(reads)


class _Session:
    """One connection's byte stream, messages and configuration exchange."""

    def __init__(self, driver: LlrpReaderDriver, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.driver = driver
        self.reader = reader
        self.writer = writer
        self.decoder = llrp.LlrpDecoder()
        self.pending: list[llrp.LlrpMessage] = []

    async def configure(self) -> None:
        driver, cfg = self.driver, self.driver.config
        async with asyncio.timeout(cfg.response_timeout_s):
            notice = await self.next_message()
        if not isinstance(notice, llrp.ReaderEventNotification) or notice.connection_attempt != 0:
            raise ReaderSessionError(f"LLRP reader {cfg.address}: connection refused by the reader: {notice}")
        for request, name in setup_requests(cfg, driver.message_id):
            await self.send(request)
            async with asyncio.timeout(cfg.response_timeout_s):
                answer = await self.answer_to(request.message_id)
            check_answer(cfg, name, answer)
            if isinstance(request, llrp.SetReaderConfig):
                driver.stats.keepalive_configs += 1

    async def read_until_closed(self) -> None:
        silence = self.driver.config.silence_timeout_s
        while True:
            try:
                async with asyncio.timeout(silence):
                    message = await self.next_message()
            except TimeoutError:
                address = self.driver.config.address
                raise ReaderSessionError(f"LLRP reader {address}: no frame from the reader for {silence} s") from None
            if message is None:
                return

    async def answer_to(self, message_id: int) -> llrp.LlrpMessage:
        """Read until the answer to ``message_id`` (reports and keepalives on the way are handled)."""
        while True:
            message = await self.next_message()
            if message is None:
                address = self.driver.config.address
                raise ReaderSessionError(f"LLRP reader {address}: connection closed by the reader while configuring")
            if message.message_id == message_id and not isinstance(
                message, llrp.ROAccessReport | llrp.Keepalive | llrp.ReaderEventNotification
            ):
                return message

    async def next_message(self) -> llrp.LlrpMessage | None:
        """The next message after handling it (reports, keepalives), or None at end of stream."""
        while not self.pending:
            data = await self.reader.read(_READ_SIZE)
            if not data:
                return None
            for event in self.decoder.feed(data):
                if isinstance(event, llrp.LlrpFrameError):
                    self.driver.stats.bad_frames += 1
                    raise event
                if isinstance(event, llrp.LlrpMessageError):
                    self.driver.stats.bad_frames += 1
                    log.warning("LLRP frame skipped: %s", event)
                    continue
                self.pending.append(event)
        message = self.pending.pop(0)
        if isinstance(message, llrp.ROAccessReport):
            self.driver.handle_report(message)
        elif isinstance(message, llrp.Keepalive):
            self.driver.stats.keepalives += 1
            await self.send(llrp.KeepaliveAck(message.message_id))
        return message

    async def send(self, message: llrp.LlrpMessage) -> None:
        self.writer.write(llrp.encode_message(message))
        await self.writer.drain()

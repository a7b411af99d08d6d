"""The edge's LLRP client for an RFID portal reader (asyncio TCP, our sans-I/O codec).

:meth:`LlrpReaderDriver.run` keeps one connection to ``host:port`` for as long as it runs::

    connect → READER_EVENT_NOTIFICATION (ConnectionAttempt 0) → DELETE_ROSPEC 0 (all)
      → ADD_ROSPEC → ENABLE_ROSPEC → START_ROSPEC → reports until the connection drops
      → back off (reconnect_initial_s, doubling up to reconnect_max_s; reset once configured) → again

Every RO_ACCESS_REPORT is decoded into :class:`~xdock.edge.tag_reads.TagRead` values handed to
``on_reads``; non-SSCC tags are counted and skipped. The reads' first-seen times are checked against
the edge's clock (:class:`~xdock.edge.reader_clock.ReaderClock`) and moved onto it when the reader's
clock is off by more than ``clock_tolerance_s``. ``on_status`` hears at once when the reader comes
(ROSpec started) and goes (connection lost). KEEPALIVE is answered with KEEPALIVE_ACK.
A frame the codec refuses is counted in :attr:`ReaderStats.bad_frames` and skipped; a frame
header that cannot be trusted, a refused configuration step, a silent reader (no answer within
``response_timeout_s``; no frame at all within ``silence_timeout_s``, when set) or a dropped socket
ends the connection and the driver reconnects. Only
cancellation ends :meth:`run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from xdock.edge.reader_clock import DEFAULT_TOLERANCE_S, ReaderClock
from xdock.edge.tag_reads import TagRead, TagReadDecoder
from xdock.protocol import llrp
from xdock.protocol.clock import Clock
from xdock.protocol.llrp.rospec import SELECT_ANTENNA_ID, SELECT_FIRST_SEEN, SELECT_PEAK_RSSI

__all__ = ["LlrpReaderConfig", "LlrpReaderDriver", "ReaderSessionError", "ReaderStats"]

log = logging.getLogger(__name__)

_READ_SIZE = 65536


class ReaderSessionError(Exception):
    """The reader refused the connection or a configuration step, or stopped answering."""


@dataclass(frozen=True)
class LlrpReaderConfig:
    """One portal reader and how the edge talks to it."""

    host: str
    """The reader's address."""
    port: int = 5084
    """The reader's LLRP port (5084 is IANA's)."""
    rospec_id: int = 1
    """Id of the ROSpec the edge adds (every other ROSpec on the reader is deleted)."""
    antennas: tuple[int, ...] = (0,)
    """Antennas to inventory; (0,) means all."""
    response_timeout_s: float = 5.0
    """How long to wait for the connection notice and for each configuration answer."""
    silence_timeout_s: float | None = None
    """With the reader sending keepalives (or reports) at least this often: no frame for this long means
    the link is dead, and the driver reconnects. None waits for the socket to tell."""
    reconnect_initial_s: float = 0.5
    """First back-off after a lost or failed connection."""
    reconnect_max_s: float = 30.0
    """Longest back-off; each failure doubles it up to this."""
    clock_tolerance_s: float = DEFAULT_TOLERANCE_S
    """A reader clock further than this from the edge's (estimated from each report) has its reads
    rebased onto the edge's clock."""

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("LlrpReaderConfig.host: expected an address, got an empty string")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"LlrpReaderConfig.port: expected 1 to 65535, got {self.port}")
        if not 1 <= self.rospec_id <= 0xFFFFFFFF:
            raise ValueError(f"LlrpReaderConfig.rospec_id: expected 1 to 4294967295, got {self.rospec_id}")
        if not self.antennas or any(not 0 <= a <= 0xFFFF for a in self.antennas):
            raise ValueError(f"LlrpReaderConfig.antennas: expected ids 0 to 65535, got {self.antennas}")
        for name in ("response_timeout_s", "reconnect_initial_s", "reconnect_max_s"):
            value: float = getattr(self, name)
            if not value > 0:
                raise ValueError(f"LlrpReaderConfig.{name}: expected more than 0 s, got {value}")
        if not math.isfinite(self.clock_tolerance_s) or self.clock_tolerance_s < 0:
            raise ValueError(
                f"LlrpReaderConfig.clock_tolerance_s: expected a finite number of seconds >= 0, "
                f"got {self.clock_tolerance_s}"
            )
        if self.silence_timeout_s is not None and not self.silence_timeout_s > 0:
            raise ValueError(
                f"LlrpReaderConfig.silence_timeout_s: expected more than 0 s, got {self.silence_timeout_s}"
            )
        if self.reconnect_max_s < self.reconnect_initial_s:
            raise ValueError(
                f"LlrpReaderConfig.reconnect_max_s: expected at least reconnect_initial_s "
                f"{self.reconnect_initial_s}, got {self.reconnect_max_s}"
            )

    def rospec(self) -> llrp.ROSpec:
        """The ROSpec the edge adds: started by START_ROSPEC, runs until stopped, reports every tag read."""
        return llrp.ROSpec(
            self.rospec_id,
            ai_specs=(llrp.AISpec(antenna_ids=self.antennas),),
            report=llrp.ROReportSpec(trigger=1, n=1, content=SELECT_ANTENNA_ID | SELECT_PEAK_RSSI | SELECT_FIRST_SEEN),
        )


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
        self.reader_clock = ReaderClock(config.clock_tolerance_s)
        self._on_reads = on_reads
        self._on_status = on_status
        self._tags = TagReadDecoder()
        self._next_id = 0

    async def run(self) -> None:
        """Connect, configure, read; reconnect with back-off on any loss. Only cancellation ends it."""
        backoff = self.config.reconnect_initial_s
        while True:
            started = self.stats.connections
            try:
                await self._session()
            except (OSError, ReaderSessionError, llrp.LlrpFrameError, TimeoutError) as error:
                self.stats.failures += 1
                reason = str(error) or type(error).__name__
                log.warning("LLRP reader %s:%d: %s", self.config.host, self.config.port, reason)
            finally:
                self._set_running(False)
            if self.stats.connections > started:
                backoff = self.config.reconnect_initial_s
            log.info("LLRP reader %s:%d: reconnecting in %.2f s", self.config.host, self.config.port, backoff)
            await self.clock.sleep(backoff)
            backoff = min(backoff * 2, self.config.reconnect_max_s)

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
            raise ReaderSessionError("connection closed by the reader")
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
            raise ReaderSessionError(f"connection refused by the reader: {notice}")
        steps: list[tuple[llrp.LlrpMessage, str]] = [
            (llrp.DeleteROSpec(driver.message_id(), 0), "DELETE_ROSPEC"),
            (llrp.AddROSpec(driver.message_id(), cfg.rospec()), "ADD_ROSPEC"),
            (llrp.EnableROSpec(driver.message_id(), cfg.rospec_id), "ENABLE_ROSPEC"),
            (llrp.StartROSpec(driver.message_id(), cfg.rospec_id), "START_ROSPEC"),
        ]
        for request, name in steps:
            await self.send(request)
            async with asyncio.timeout(cfg.response_timeout_s):
                answer = await self.answer_to(request.message_id)
            status = getattr(answer, "status", None)
            if not isinstance(status, llrp.LlrpStatus) or status.code != 0:
                raise ReaderSessionError(f"{name} refused: {answer}")

    async def read_until_closed(self) -> None:
        silence = self.driver.config.silence_timeout_s
        while True:
            try:
                async with asyncio.timeout(silence):
                    message = await self.next_message()
            except TimeoutError:
                raise ReaderSessionError(f"no frame from the reader for {silence} s") from None
            if message is None:
                return

    async def answer_to(self, message_id: int) -> llrp.LlrpMessage:
        """Read until the answer to ``message_id`` (reports and keepalives on the way are handled)."""
        while True:
            message = await self.next_message()
            if message is None:
                raise ReaderSessionError("connection closed by the reader while configuring")
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

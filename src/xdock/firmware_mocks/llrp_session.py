"""One client connection to the LLRP reader mock: requests in; answers, reports and keepalives out.

Requests are answered in order: configuration messages by the reader's :class:`ReaderSettings`,
the ROSpec lifecycle by its :class:`ROSpecTable`, anything else with ERROR_MESSAGE. While a ROSpec
is active an inventory loop reports what the tag population shows its antennas each round.

KEEPALIVE goes out every :meth:`ReaderSettings.keepalive_period_s` seconds (restarted whenever a
SET_READER_CONFIG is accepted, so a client's KeepaliveSpec acts at once). That period runs on the
event loop's time, as the client's silence timeout does, not on the scripted clock: a link timer
measures the link, and a ManualClock's sleeps would return at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, Final, Protocol

from xdock.firmware_mocks.llrp_config import ReaderSettings
from xdock.firmware_mocks.llrp_reader_config import ReaderConfig
from xdock.firmware_mocks.llrp_rospecs import ROSpecTable
from xdock.firmware_mocks.llrp_tags import TagPopulation, TagSighting
from xdock.protocol import llrp
from xdock.protocol.clock import Clock, epoch_us
from xdock.protocol.llrp.rospec import (
    SELECT_ANTENNA_ID,
    SELECT_FIRST_SEEN,
    SELECT_LAST_SEEN,
    SELECT_PEAK_RSSI,
    SELECT_ROSPEC_ID,
    SELECT_TAG_SEEN_COUNT,
)

__all__ = ["ReaderHost", "ReaderSession"]

log = logging.getLogger(__name__)

_READ_SIZE: Final = 65536
_DEFAULT_CONTENT: Final = SELECT_ANTENNA_ID | SELECT_PEAK_RSSI | SELECT_FIRST_SEEN
_M_PARAMETER_ERROR: Final = 100
_M_UNSUPPORTED_MESSAGE: Final = 109
_M_UNSUPPORTED_VERSION: Final = 110
_REFUSAL_CODES: Final = {"Message Type": _M_UNSUPPORTED_MESSAGE, "Version": _M_UNSUPPORTED_VERSION}


class ReaderHost(Protocol):
    """What a session uses of its reader (:class:`~xdock.firmware_mocks.llrp_reader.LlrpReaderMock`): its
    configuration, settings, ROSpecs and tags, its counters, and its clock."""

    config: ReaderConfig
    settings: ReaderSettings
    rospecs: ROSpecTable
    tags: TagPopulation
    clock: Clock
    changed: asyncio.Event
    received: list[llrp.LlrpMessage]
    rejected: list[llrp.LlrpError]
    reports_sent: int
    keepalives_sent: int
    keepalive_acks: int

    def script_time(self) -> float: ...

    def wake(self) -> None: ...

    def next_message_id(self) -> int: ...


class ReaderSession:
    """One client connection: requests in, answers, reports and keepalives out."""

    def __init__(self, mock: ReaderHost, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.mock = mock
        self.reader = reader
        self.writer = writer
        self.decoder = llrp.LlrpDecoder(refuse_other_versions=True)
        self.closing = False
        self._helpers: set[asyncio.Task[None]] = set()
        self._keepalive: asyncio.Task[None] | None = None

    async def run(self) -> None:
        mock = self.mock
        await self.send(
            llrp.ReaderEventNotification(mock.next_message_id(), epoch_us(mock.clock.now()), connection_attempt=0)
        )
        self._start(self.inventory())
        self.restart_keepalive()
        try:
            await self.read_requests()
        finally:
            helpers = list(self._helpers)
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    def _start(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._helpers.add(task)
        task.add_done_callback(self._helpers.discard)
        return task

    def restart_keepalive(self) -> None:
        """(Re)start the KEEPALIVE timer at the period the reader's settings give now (none: no timer)."""
        if self._keepalive is not None:
            self._keepalive.cancel()
        period = self.mock.settings.keepalive_period_s()
        self._keepalive = None if period is None else self._start(self.keepalive(period))

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
                    code = _REFUSAL_CODES.get(event.field, _M_PARAMETER_ERROR)
                    await self.send(llrp.ErrorMessage(event.message_id, llrp.LlrpStatus(code, str(event))))
                    continue
                self.mock.received.append(event)
                await self.answer(event)

    async def answer(self, message: llrp.LlrpMessage) -> None:
        table, now, mid = self.mock.rospecs, self.mock.clock.now(), message.message_id
        answers = self.mock.settings.answer(message)
        if answers is not None:
            if isinstance(message, llrp.SetReaderConfig):
                self.restart_keepalive()  # before answering: no old-period KEEPALIVE after the answer
            for each in answers:
                await self.send(each)
            return
        match message:
            case llrp.AddROSpec():
                await self.send(llrp.AddROSpecResponse(mid, table.add(message.rospec)))
            case llrp.EnableROSpec():
                await self.send(llrp.EnableROSpecResponse(mid, table.apply("enable", message.rospec_id, now)))
            case llrp.StartROSpec():
                await self.send(llrp.StartROSpecResponse(mid, table.apply("start", message.rospec_id, now)))
            case llrp.StopROSpec():
                await self.send(llrp.StopROSpecResponse(mid, table.apply("stop", message.rospec_id, now)))
            case llrp.DisableROSpec():
                await self.send(llrp.DisableROSpecResponse(mid, table.apply("disable", message.rospec_id, now)))
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
        last: float | None = None
        while True:
            mock.changed.clear()
            mock.rospecs.stop_expired(mock.clock.now())
            active = mock.rospecs.active()
            t = mock.script_time()
            for running in active:
                await self.report(running.spec, t, last)
            last = t if active else None
            timed = any(r.spec.stop_trigger == 1 for r in active)
            if not active or not (timed or mock.tags.pending_after(t)):
                await mock.changed.wait()
                continue
            await mock.clock.sleep(mock.config.report_interval_s)

    async def report(self, spec: llrp.ROSpec, t: float, last: float | None = None) -> None:
        """Report what ``spec``'s antennas see at script time ``t``, and the passes missed since ``last``."""
        antennas = frozenset(a for ai in spec.ai_specs for a in ai.antenna_ids)
        chosen = None if 0 in antennas or not antennas else antennas
        missed = [] if last is None else self.mock.tags.between(last, t, chosen)
        sightings = missed + self.mock.tags.visible(t, chosen)
        if not sightings:
            return
        content = spec.report.content if spec.report is not None else _DEFAULT_CONTENT
        now = self.mock.clock.now()

        def stamp(s: TagSighting) -> int:
            return epoch_us(now if s.at_s is None else now - timedelta(seconds=t - s.at_s))

        tags = tuple(
            llrp.TagReport(
                s.epc,
                antenna_id=s.antenna_id if content & SELECT_ANTENNA_ID else None,
                peak_rssi=s.rssi if content & SELECT_PEAK_RSSI else None,
                first_seen_utc_us=stamp(s) if content & SELECT_FIRST_SEEN else None,
                last_seen_utc_us=stamp(s) if content & SELECT_LAST_SEEN else None,
                tag_seen_count=1 if content & SELECT_TAG_SEEN_COUNT else None,
                rospec_id=spec.rospec_id if content & SELECT_ROSPEC_ID else None,
            )
            for s in sightings
        )
        await self.send(llrp.ROAccessReport(self.mock.next_message_id(), tags))
        self.mock.reports_sent += 1

    async def keepalive(self, every_s: float) -> None:
        """KEEPALIVE every ``every_s`` seconds of event-loop time, counted in ``keepalives_sent``."""
        while True:
            await asyncio.sleep(every_s)
            self.mock.keepalives_sent += 1
            await self.send(llrp.Keepalive(self.mock.next_message_id()))


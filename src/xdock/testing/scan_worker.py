"""A dock worker for fault tests: scans pallet labels on a mock scanner at a steady pace and notes every answer.

The worker owns one :class:`~xdock.firmware_mocks.serial_scanner.MockScanner` on a pty. It writes
its labels on an open-loop schedule (label ``k`` is due at ``t0 + offset + k * interval``, whatever
the answers do) and timestamps every command the host sends back.

Matching answers to scans
    The display shows where a pallet goes, not which pallet. An *answer* is a beep followed by a
    display text, other than the edge's "waiting for central" notice and a correction
    (``CHANGE: ...``, counted in :attr:`ScanWorker.corrections`). Each label carries a destination
    and a worker's consecutive labels cycle through the destinations, so an answer naming a
    destination goes to the oldest unanswered scan, among the next few, that has this destination;
    an answer naming none (e.g. an offline answer without a route) goes to the oldest unanswered
    scan. An answer that fits no unanswered scan (a scan answered twice: offline first, central
    later) is counted in :attr:`ScanWorker.extra_answers`. A scan with an answer is *confirmed*.

Unread bytes
    :meth:`ScanWorker.unread_bytes` tells how many bytes the host has not yet read from the pty
    (``FIONREAD`` on the terminal side), so a fault can strike exactly after the edge took a burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import struct
import termios
from dataclasses import dataclass, replace
from pathlib import Path

from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.scanner_wire import Beep, Display

__all__ = ["ScanRecord", "ScanWorker"]

log = logging.getLogger(__name__)

WAITING_TEXT = "sent - waiting for central"
"""The edge's notice when central is late; not an answer (``xdock.edge.agent``)."""
CORRECTION_PREFIX = "CHANGE:"
_LOOK_AHEAD = 8


@dataclass(frozen=True)
class ScanRecord:
    sscc: str
    label: str
    destination: str
    """Destination name the answer must mention (e.g. ``ALPHA``)."""
    at: float
    """Event-loop time of the write on the pty."""
    rescan: bool = False
    answered_at: float | None = None


class ScanWorker:
    """One worker at one door: a mock scanner, a list of labels, and what came back."""

    def __init__(
        self, name: str, link: Path, labels: list[tuple[str, str, str]], destinations: tuple[str, ...]
    ) -> None:
        self.name = name
        self.scanner = MockScanner(link=link, name=name)
        self.labels = labels
        """``(sscc, label text, destination name)`` to scan, in order."""
        self.destinations = destinations
        self.sent: list[ScanRecord] = []
        self.abandoned: list[ScanRecord] = []
        """Scans given up as never confirmed (then scanned again, see :meth:`rescan_unconfirmed`)."""
        self.answers: list[tuple[float, str]] = []
        self.extra_answers = 0
        self.corrections = 0
        self.waiting_notices = 0
        self._oldest = 0
        self._beeped = False
        self.plugged = asyncio.Event()
        self.active = asyncio.Event()
        self.active.set()
        self._watch: asyncio.Task[None] | None = None

    # -- life cycle ------------------------------------------------------------------------------

    def open(self) -> None:
        self.scanner.open()
        self.plugged.set()
        if self._watch is None:
            self._watch = asyncio.create_task(self._watch_commands(), name=f"watch-{self.name}")

    def unplug(self) -> None:
        self.plugged.clear()
        self.scanner.close()

    def replug(self) -> None:
        self.scanner.open()
        self.plugged.set()

    async def aclose(self) -> None:
        self.plugged.clear()
        self.scanner.close()
        task, self._watch = self._watch, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- scanning --------------------------------------------------------------------------------

    def scan(self, sscc: str, label: str, destination: str, *, rescan: bool = False) -> None:
        self.scanner.scan(label)
        self.sent.append(ScanRecord(sscc, label, destination, asyncio.get_running_loop().time(), rescan))

    async def run(self, t0: float, offset: float, interval: float) -> None:
        """Scan every label on schedule; wait while paused (:attr:`active` clear) or unplugged."""
        loop = asyncio.get_running_loop()
        for k, (sscc, label, destination) in enumerate(self.labels):
            due = t0 + offset + k * interval
            if (ahead := due - loop.time()) > 0:
                await asyncio.sleep(ahead)
            await self.active.wait()
            await self.plugged.wait()
            self.scan(sscc, label, destination)

    async def warm_up(self, sscc: str, label: str, destination: str, timeout: float) -> None:
        """Scan one label until an answer names a destination (the edge reads the scanner and knows
        where pallets go), then wait for every warm-up scan's answer, so none is taken for an answer
        to a later scan."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        while True:
            self.scan(sscc, label, destination)
            with contextlib.suppress(TimeoutError):
                await self.scanner.wait_until(self._central_answered, 2.0)
                break
            if loop.time() > deadline:
                raise TimeoutError(f"worker {self.name}: no answer to a warm-up scan within {timeout} s")
        with contextlib.suppress(TimeoutError):
            await self.scanner.wait_until(lambda: self.confirmed >= len(self.sent), 5.0)

    def _central_answered(self) -> bool:
        """Whether an answer named a destination: central (or a routing snapshot) decided."""
        return any(d in text for _, text in self.answers for d in self.destinations)

    def forget_warm_up(self) -> None:
        """Start counting afresh: warm-up scans and their answers are not part of a scenario."""
        self.sent.clear()
        self.answers.clear()
        self.extra_answers = self.corrections = self.waiting_notices = self._oldest = 0

    # -- what came back --------------------------------------------------------------------------

    @property
    def confirmed(self) -> int:
        """Scans with an answer."""
        return sum(1 for r in self.sent if r.answered_at is not None)

    @property
    def all_confirmed(self) -> bool:
        return self._oldest >= len(self.sent)

    def rescan_unconfirmed(self) -> int:
        """Scan again every label not confirmed yet, as a worker who heard no beep does; how many."""
        again = [r for r in self.sent if r.answered_at is None]
        self.sent = [r for r in self.sent if r.answered_at is not None]
        self._oldest = len(self.sent)
        self.abandoned += again
        for record in again:
            self.scan(record.sscc, record.label, record.destination, rescan=True)
        return len(again)

    def unread_bytes(self) -> int:
        """Bytes written to the pty that the host has not read yet (0 when unplugged)."""
        if not self.scanner.is_open:
            return 0
        fd = os.open(self.scanner.device_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
        finally:
            os.close(fd)
        count: int = struct.unpack("i", raw)[0]
        return count

    async def _watch_commands(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command = await self.scanner.next_command(timeout=None)
            beeped, self._beeped = self._beeped, isinstance(command, Beep)
            if not isinstance(command, Display):
                continue
            if command.text == WAITING_TEXT:
                self.waiting_notices += 1
            elif command.text.startswith(CORRECTION_PREFIX):
                self.corrections += 1
            elif beeped:
                now = loop.time()
                self.answers.append((now, command.text))
                self._match(now, command.text)

    def _match(self, at: float, text: str) -> None:
        named = [d for d in self.destinations if d in text]
        window = range(self._oldest, min(len(self.sent), self._oldest + _LOOK_AHEAD))
        for k in window:
            record = self.sent[k]
            if record.answered_at is None and (not named or record.destination in named):
                self.sent[k] = replace(record, answered_at=at)
                break
        else:
            self.extra_answers += 1
        while self._oldest < len(self.sent) and self.sent[self._oldest].answered_at is not None:
            self._oldest += 1

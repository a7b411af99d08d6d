"""Central's commands to this edge's devices: answers to scans, feedback, and STOPs for portal readers.

Each scan's answer reaches the worker once. Central may answer one ``seq`` twice (the broker
redelivers a publish whose acknowledgement was lost, or an edge restarted before the acknowledgement
and sends the row again, while central's first answer waits in the persistent session); a second
beep would be taken for the answer to the worker's next scan, which, after a crash, may be one the
edge never recorded. So a repeated answer is only counted (``repeated_answers``); scans recorded by
an earlier run wait for their answer if the outbox has none marked shown.

A worker sees only answers that still concern them (:class:`~xdock.edge.pending_scans.Settled`):
central's answer to a scan of this run that got no offline answer (the worker heard nothing yet, or
was told to wait); a correction, or an answer to a scan recorded before the edge restarted, only
while its scan is the last one recorded on its scanner (the worker may still hold that pallet).
Anything else is only counted (``superseded``); central keeps it for the dashboard. The mark that an
answer was handled is on disk before the answer is shown, so a restarted edge never shows it again.

When the worker already got an offline answer, central's answer is shown only if it is a
correction (error beep, ``CHANGE: D7 T-PARIS-2``); a confirmation is only counted. An offline
answer given after the scan left (central went offline while the edge waited for its answer) is
reported to central once central's answer came (``report``), so central records whether the worker
was corrected. Central's STOP for a reader (a mis-load) is shown, with its beep, on every scanner of
this edge.

Lanes: :meth:`CentralAnswers.take` handles each command in a task of its own, in one lane per
scanner: a scanner's commands are handled one after the other in the order they came, while those of
different scanners overlap, so the marks of answers arriving together go to disk in one outbox commit
(one ``fsync``) instead of one commit each, one answer waiting for the other.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Container, Mapping

from xdock.edge.answer_times import AnswerTimes
from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.edge.edge_stats import EdgeStats
from xdock.edge.offline_router import correction_text, differs
from xdock.edge.outbox import Outbox, OutboxError
from xdock.edge.pending_scans import PendingScans
from xdock.edge.scanner_feedback import show, tell
from xdock.protocol.messages import Assignment, Feedback, OfflineDecision

__all__ = ["CentralAnswers"]

log = logging.getLogger(__name__)


class CentralAnswers:
    """Shows central's commands on the scanners; see the module docstring."""

    def __init__(
        self, edge_id: str, *, scanners: Mapping[str, SerialScannerDriver], readers: Container[str], outbox: Outbox,
        pending: PendingScans, stats: EdgeStats, times: AnswerTimes,
        report: Callable[[Assignment, OfflineDecision], Awaitable[None]],
    ) -> None:
        """``report(answer, decision)`` tells central the offline ``decision`` the worker got before ``answer``;
        it must record its message in the outbox before its first wait (it then shares the mark's commit);
        ``times``: the scans' answer timers, stopped by the first answer shown."""
        self.edge_id = edge_id
        self.scanners = scanners
        self.readers = readers
        self.outbox = outbox
        self.pending = pending
        self.stats = stats
        self.times = times
        self._report = report
        self._lanes: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._handling: set[asyncio.Task[None]] = set()

    def take(self, message: Assignment | Feedback) -> None:
        """Handle ``message`` in its own task, after the commands taken before it for the same scanner."""
        task = asyncio.get_running_loop().create_task(self.on_command(message))
        self._handling.add(task)
        task.add_done_callback(self._handled)

    def close(self) -> None:
        """Stop handling the commands still in hand (the agent is stopping)."""
        for task in self._handling:
            task.cancel()

    def _handled(self, task: asyncio.Task[None]) -> None:
        self._handling.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("edge %s: a command from central failed: %s", self.edge_id, exc, exc_info=exc)

    async def on_command(self, message: Assignment | Feedback) -> None:
        """Handle ``message`` once the commands before it for the same scanner are handled."""
        if isinstance(message, Feedback) and message.device_id in self.readers:
            await self._door_feedback(message)
            return
        driver = self.scanners.get(message.device_id)
        if driver is None:
            log.warning("edge %s: command for unknown device %s", self.edge_id, message.device_id)
            return
        async with self._lanes[message.device_id]:
            await self._scanner_command(driver, message)

    async def _scanner_command(self, driver: SerialScannerDriver, message: Assignment | Feedback) -> None:
        if isinstance(message, Feedback):
            await show(driver, message)
            return
        if not self.pending.awaits(message.seq):
            self.stats.repeated_answers += 1
            log.info("edge %s: scan %d answered again; not shown", self.edge_id, message.seq, extra=_ids(message))
            return
        settled = self.pending.settle(message.seq)
        offline = settled.offline
        self.stats.answers += 1
        changed = message.correction if offline is None or offline.carried else differs(offline.decision, message)
        # An offline answer given after the scan left goes to central in the same commit as the mark.
        told = offline.decision if offline is not None and not offline.carried else None
        if offline is not None and not changed:
            self.stats.confirmed_offline += 1
            await self._mark(message, told, shown=False)
        elif settled.latest or not (changed or settled.earlier_run):
            await self._mark(message, told, shown=True)
            self.times.answered(message.seq)
            log.debug("edge %s: scan %d answered by central: %s", self.edge_id, message.seq, message.display,
                      extra=_ids(message))
            await self._show(driver, message, correction=changed)
        else:
            self.stats.superseded += 1
            log.info("edge %s: scan %d is no longer the last on %s; central's answer is not shown", self.edge_id,
                     message.seq, message.device_id, extra=_ids(message))
            await self._mark(message, told, shown=False)
        self.times.forget(message.seq)

    async def _mark(self, message: Assignment, told: OfflineDecision | None, *, shown: bool) -> None:
        """Mark central's answer handled: on disk before it is ``shown``, with the report of ``told`` (the
        offline answer given after the scan left) in the same commit, so central hears of it exactly once."""
        if told is not None:
            self.outbox.mark_answered(message.seq)
            await self._report(message, told)  # records a row: this commit is made with fsync
        elif not shown:
            self.outbox.mark_answered(message.seq)
        else:
            try:
                await self.outbox.answered(message.seq)
            except OutboxError:
                log.exception("edge %s: answer to scan %d not marked shown; shown all the same", self.edge_id,
                              message.seq, extra=_ids(message))

    async def _show(self, driver: SerialScannerDriver, message: Assignment, *, correction: bool) -> None:
        """Central's answer to a scan the worker may hold: as given, or as a correction."""
        if not correction:
            await tell(driver, "error" if message.outcome == "rejected" else "good", message.display)
            return
        self.stats.corrections += 1
        log.info("edge %s: scan %d corrected by central: %s", self.edge_id, message.seq, message.reason,
                 extra=_ids(message))
        await tell(driver, "error", correction_text(message))

    async def _door_feedback(self, message: Feedback) -> None:
        """Central's word for a portal reader (a mis-load STOP): on every scanner display at this door."""
        self.stats.stops += 1
        log.warning("edge %s: reader %s: %s", self.edge_id, message.device_id, message.text)
        for device_id, driver in self.scanners.items():
            async with self._lanes[device_id]:
                await show(driver, message)


def _ids(message: Assignment) -> dict[str, object]:
    """The ids of central's answer, for a log call's ``extra`` (the JSON log lines' fields)."""
    return {"edge": message.edge_id, "seq": message.seq, "sscc": message.sscc, "trailer": message.trailer,
            "device": message.device_id}

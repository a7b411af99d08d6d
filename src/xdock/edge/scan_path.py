"""The scan path: each line a scanner reads is checked, recorded, and answered on that scanner.

A bad label gets the error beep and its reason on the display and never leaves the edge. A good one
becomes a :class:`~xdock.protocol.messages.ScanEvent` with the next sequence number and is recorded
in the durable outbox before anything else happens, in one commit with the note that it is now the
last scan of its scanner (:mod:`xdock.edge.pending_scans`); then:

- **central reachable**: the edge waits for central's answer (:mod:`xdock.edge.central_answers`);
  after ``answer_timeout`` the display says the scan is waiting, unless central went offline
  meanwhile, in which case the worker gets the offline answer then (kept in the outbox, so a
  restarted edge still compares central's answer with it, and reported to central once it answers).
- **central unreachable**: the edge answers at once from its routing snapshot
  (:mod:`xdock.edge.offline_router`), good beep and e.g. ``D12 T-LYON-1 (offline)``, and the scan
  carries that decision to central; a decision sending the pallet to a trailer is held in the outbox,
  in the scan's own commit, until a routing snapshot says central applied it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from xdock.edge.answer_times import AnswerTimes
from xdock.edge.config import EdgeConfig
from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.edge.edge_stats import EdgeStats
from xdock.edge.label_check import LabelRejected, read_label, scan_event
from xdock.edge.offline_router import OfflineAnswer, OfflineRouter
from xdock.edge.outbox import Outbox, OutboxError
from xdock.edge.pending_scans import OfflineAnswered, PendingScans
from xdock.edge.scanner_feedback import tell
from xdock.edge.uplink import Uplink
from xdock.protocol.clock import Clock
from xdock.protocol.messages import ScanEvent, encode
from xdock.protocol.scanner_wire import Display, LineRejected, ScanLine
from xdock.protocol.topics import scan_topic

__all__ = ["NOT_RECORDED_TEXT", "WAITING_TEXT", "ScanPath"]

log = logging.getLogger(__name__)

WAITING_TEXT = "sent - waiting for central"
NOT_RECORDED_TEXT = "not recorded - rescan"


class ScanPath:
    """Reads the scanners' lines and answers each; see the module docstring."""

    def __init__(
        self, config: EdgeConfig, clock: Clock, *, outbox: Outbox, uplink: Uplink, router: OfflineRouter,
        pending: PendingScans, stats: EdgeStats, times: AnswerTimes, reachable: Callable[[], bool],
    ) -> None:
        """``reachable()`` says whether central is reachable now; ``times`` times each scan until its first answer."""
        self.config = config
        self.clock = clock
        self.outbox = outbox
        self.uplink = uplink
        self.router = router
        self.pending = pending
        self.stats = stats
        self.times = times
        self._reachable = reachable
        self._background: set[asyncio.Task[object]] = set()

    async def read(self, driver: SerialScannerDriver) -> None:
        """Answer every line ``driver`` reads, until cancelled."""
        async for item in driver.lines():
            self.stats.lines += 1
            if isinstance(item, LineRejected):
                self.stats.rejected_lines += 1
                log.warning("scanner %s: unreadable line (%s)", driver.device_id, item.reason)
                await tell(driver, "error", "unreadable scan - rescan")
            elif isinstance(item, ScanLine):
                await self._on_line(driver, item)

    def close(self) -> None:
        """Stop the answers still to come (the agent is stopping)."""
        self.pending.close()
        for task in self._background:
            task.cancel()

    async def _on_line(self, driver: SerialScannerDriver, line: ScanLine) -> None:
        label = read_label(line)
        if isinstance(label, LabelRejected):
            self.stats.rejected_labels += 1
            log.info("scanner %s: label refused: %s", driver.device_id, label.detail)
            await tell(driver, "error", label.short)
            return
        cfg = self.config
        seq = self.outbox.allocate()
        self.times.start(seq)
        now = self.clock.now()
        event = scan_event(label, edge_id=cfg.edge_id, seq=seq, device_id=driver.device_id, door=cfg.door, at=now)
        offline = None
        if not self._reachable():
            offline = self._decide_offline(event, now, carried=True)
            if offline.decision is not None:
                event = event.model_copy(update={"offline": offline.decision})
            held = self.router.holding(seq)
            if held is not None:  # committed with the scan's row
                self.outbox.hold(held)
        self.pending.expect(seq, driver.device_id)
        self.outbox.scanned(driver.device_id, seq)  # committed with the scan's row
        try:
            await self.uplink.submit(seq, scan_topic(cfg.site, cfg.edge_id), encode(event))
        except OutboxError:
            self.router.forget(seq)
            self.pending.forget(seq)
            self.times.forget(seq)
            self.stats.not_recorded += 1
            log.exception("scanner %s: scan %s not recorded", driver.device_id, event.sscc,
                          extra={"edge": cfg.edge_id, "seq": seq, "sscc": event.sscc, "device": driver.device_id})
            await tell(driver, "error", NOT_RECORDED_TEXT)
            return
        self.stats.published += 1
        if offline is None:
            loop = asyncio.get_running_loop()
            self.pending.wait(seq, loop.call_later(cfg.answer_timeout, self._timed_out, event, driver))
            return
        self.stats.offline_answers += 1
        if offline.decision is not None:
            self.pending.remember(seq, OfflineAnswered(offline.decision, carried=True))
        self.times.answered(seq)
        log.debug("scan %d of %s answered offline: %s", seq, event.sscc, offline.display,
                  extra={"edge": cfg.edge_id, "seq": seq, "sscc": event.sscc, "device": driver.device_id})
        await tell(driver, "good", offline.display)

    def _timed_out(self, event: ScanEvent, driver: SerialScannerDriver) -> None:
        if not self.pending.timed_out(event.seq):
            return
        if self._reachable():
            self._later(driver.send(Display(WAITING_TEXT)))
            return
        answer = self._decide_offline(event, self.clock.now(), carried=False)
        self.stats.offline_answers += 1
        if answer.decision is not None:
            self.pending.remember(event.seq, OfflineAnswered(answer.decision, carried=False))
            self.outbox.shown_offline(event.seq, answer.decision.model_dump_json())
        self.times.answered(event.seq)
        self._later(tell(driver, "good", answer.display))

    def _decide_offline(self, event: ScanEvent, now: datetime, *, carried: bool) -> OfflineAnswer:
        """``carried``: the scan will carry the decision, so the router holds it under the scan's ``seq``."""
        return self.router.decide(
            ship_to=event.ship_to, max_temp_c=event.max_temp_c, dangerous_goods=event.dangerous_goods, now=now,
            seq=event.seq if carried else None,
        )

    def _later(self, work: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

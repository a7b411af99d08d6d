"""The composition root of ``xdock edge``: scanners in, scan events up, answers back to the scanners.

For each scan line: parse and validate the label; a bad one gets the error beep and its reason
on the display and never leaves the edge. A good one becomes a :class:`ScanEvent` with the next
sequence number and is recorded in the durable outbox before anything else happens; then:

- **central reachable** (broker connected, central's retained status not offline): central's answer
  comes back on the command topic and is shown on the scanner that read the label; after
  ``answer_timeout`` the display says the scan is waiting, unless central went offline meanwhile,
  in which case the worker gets the offline answer then.
- **central unreachable**: the edge answers at once from its routing snapshot
  (:mod:`xdock.edge.offline_router`), good beep and e.g. ``D12 T-LYON-1 (offline)``, and the scan
  carries that decision to central. When central's answer arrives later it is shown only if it is a
  correction (error beep, ``CHANGE: D7 T-PARIS-2``); a confirmation is only counted.

Each scan's answer reaches the worker once. Central may answer one ``seq`` twice (the broker
redelivers a publish whose acknowledgement was lost, or an edge restarted before the acknowledgement
and sends the row again, while central's first answer waits in the persistent session); a second
beep would be taken for the answer to the worker's next scan, which, after a crash, may be one the
edge never recorded. So a repeated answer is only counted (``repeated_answers``); scans recorded by
an earlier run wait for their answer if the outbox has none marked shown.

RFID portal readers (:mod:`xdock.edge.portals`): each door passage becomes a
:class:`~xdock.protocol.passages.DoorPassage` numbered from the outbox like a scan, recorded and
sent the same way (no answer is awaited: its row is marked answered at once). Central's STOP for a
reader (a mis-load) is shown, with its beep, on every scanner of this edge.

Every device's retained status, with its driver's counters, comes from :mod:`xdock.edge.device_health`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from xdock.edge.config import EdgeConfig
from xdock.edge.device_health import DeviceHealth
from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.edge.heartbeat import beat_forever
from xdock.edge.label_check import LabelRejected, read_label, scan_event
from xdock.edge.offline_router import OfflineAnswer, OfflineRouter, correction_text, differs
from xdock.edge.outbox import Outbox, OutboxError
from xdock.edge.portal import Passage
from xdock.edge.portal_config import PortalConfig
from xdock.edge.portals import PortalRunner
from xdock.edge.route_file import load_snapshot, save_snapshot
from xdock.edge.sensor_probes import ProbeReporter
from xdock.edge.sequence import SequenceStore
from xdock.edge.uplink import Uplink, UplinkOptions
from xdock.protocol.clock import Clock
from xdock.protocol.messages import (
    Assignment,
    CentralStatus,
    Feedback,
    OfflineDecision,
    RouteSnapshot,
    ScanEvent,
    encode,
)
from xdock.protocol.passages import DoorPassage
from xdock.protocol.scanner_wire import Beep, Display, LineRejected, ScanLine
from xdock.protocol.sensors import KIND_UNITS, SensorKind, SensorReading
from xdock.protocol.topics import passage_topic, scan_topic, sensor_reading_topic

__all__ = ["NOT_RECORDED_TEXT", "WAITING_TEXT", "EdgeAgent", "EdgeStats"]

log = logging.getLogger(__name__)

WAITING_TEXT = "sent - waiting for central"
NOT_RECORDED_TEXT = "not recorded - rescan"
_REMEMBER_OFFLINE = 100_000
"""Offline answers remembered until central's answer arrives (the oldest are forgotten beyond)."""


@dataclass
class EdgeStats:
    lines: int = 0
    published: int = 0
    """Scans recorded in the outbox (each goes to central)."""
    rejected_labels: int = 0
    rejected_lines: int = 0
    answers: int = 0
    not_recorded: int = 0
    offline_answers: int = 0
    confirmed_offline: int = 0
    """Central's answers that agreed with an offline answer (nothing shown)."""
    corrections: int = 0
    repeated_answers: int = 0
    """Central's answers to a ``seq`` already answered (or unknown to this edge): not shown."""
    passages: int = 0
    """RFID door passages recorded in the outbox (each goes to central)."""
    stops: int = 0
    """STOP feedback from central for a reader (a mis-load), shown on the door's scanners."""


@dataclass(frozen=True)
class _Offline:
    decision: OfflineDecision
    carried: bool
    """The scan event carried the decision, so central's ``correction`` flag is authoritative."""


def _legacy_floor(path: Path) -> int:
    """The numbers an older agent reserved in its sequence store; the outbox starts above them."""
    if not path.exists():
        return 0
    store = SequenceStore(path)
    try:
        return store.reserved
    finally:
        store.close()


class EdgeAgent:
    """One gateway: its scanners and its link to central."""

    def __init__(self, config: EdgeConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.stats = EdgeStats()
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.outbox = Outbox(
            config.state_dir / f"edge-{config.edge_id}.outbox.db",
            start_after=_legacy_floor(config.state_dir / f"edge-{config.edge_id}.seq.db"),
            keep_sent=config.keep_sent, keep_sent_s=config.keep_sent_s,
        )
        self.router = OfflineRouter(chilled_max_c=config.chilled_max_c)
        self._routes_path = config.state_dir / f"edge-{config.edge_id}.routes.json"
        stored = load_snapshot(self._routes_path)
        if stored is not None and stored.edge_id == config.edge_id:
            self.router.load(stored)
        self.central_online: bool | None = None
        """Central's retained status: ``None`` until one arrives (central then counts as reachable)."""
        options = UplinkOptions(window=config.window, drain_rate=config.drain_rate, heartbeat_s=config.heartbeat_s)
        self.uplink = Uplink(
            config.site, config.edge_id, config.door, config.broker, clock, self.outbox, self, options
        )
        self.health = DeviceHealth(config.site, config.edge_id, config.heartbeat_s, clock, self.uplink.publish_status)
        self.drivers = {
            s.device_id: SerialScannerDriver(s.device_id, s.port, baudrate=s.baudrate, on_status=self.health.changed)
            for s in config.scanners
        }
        self.portals = {
            r.device_id: PortalRunner(
                r, PortalConfig(r.door or config.door, config.portal_outside, config.portal_inside), clock,
                self._on_passage_of(r.device_id), on_status=self.health.changed,
                clock_tolerance_s=config.reader_clock_tolerance_s, silence_timeout_s=config.reader_silence_s,
            )
            for r in config.readers
        }
        self.probes = [ProbeReporter(p.config(), clock, self._send_reading) for p in config.probes]
        self.health.watch(scanners=self.drivers, readers={i: p.driver for i, p in self.portals.items()},
                          probes={p.probe_id: r.poller for p, r in zip(config.probes, self.probes, strict=True)})
        self._waiting: dict[int, asyncio.TimerHandle] = {}
        self._offline: OrderedDict[int, _Offline] = OrderedDict()
        self._unanswered = self.outbox.unanswered_at_open()
        """Scans recorded whose answer from central has not come yet."""
        self._background: set[asyncio.Task[object]] = set()

    @property
    def central_reachable(self) -> bool:
        return self.uplink.connected.is_set() and self.central_online is not False

    async def run(self) -> None:
        """Run until cancelled."""
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self.uplink.run(), name="uplink")
                tasks.create_task(beat_forever(self.clock, self.config.heartbeat_s, self._beat), name="heartbeat")
                for driver in self.drivers.values():
                    tasks.create_task(self._read(driver), name=f"scanner-{driver.device_id}")
                for reader_id, portal in self.portals.items():
                    tasks.create_task(portal.driver.run(), name=f"reader-{reader_id}")
                    tasks.create_task(portal.judge_forever(), name=f"portal-{reader_id}")
                for probe in self.probes:
                    tasks.create_task(probe.run(), name=f"modbus-{probe.config.temperature_id}")
        finally:
            for handle in self._waiting.values():
                handle.cancel()
            for task in self._background:
                task.cancel()
            for driver in self.drivers.values():
                await driver.aclose()
            await self.outbox.aclose()

    async def _read(self, driver: SerialScannerDriver) -> None:
        async for item in driver.lines():
            self.stats.lines += 1
            if isinstance(item, LineRejected):
                self.stats.rejected_lines += 1
                log.warning("scanner %s: unreadable line (%s)", driver.device_id, item.reason)
                await self._tell(driver, "error", "unreadable scan - rescan")
            elif isinstance(item, ScanLine):
                await self._on_line(driver, item)

    async def _on_line(self, driver: SerialScannerDriver, line: ScanLine) -> None:
        label = read_label(line)
        if isinstance(label, LabelRejected):
            self.stats.rejected_labels += 1
            log.info("scanner %s: label refused: %s", driver.device_id, label.detail)
            await self._tell(driver, "error", label.short)
            return
        cfg = self.config
        seq = self.outbox.allocate()
        now = self.clock.now()
        event = scan_event(label, edge_id=cfg.edge_id, seq=seq, device_id=driver.device_id, door=cfg.door, at=now)
        offline = None
        if not self.central_reachable:
            offline = self._decide_offline(event, now)
            if offline.decision is not None:
                event = event.model_copy(update={"offline": offline.decision})
        self._unanswered.add(seq)
        try:
            await self.uplink.submit(seq, scan_topic(cfg.site, cfg.edge_id), encode(event))
        except OutboxError:
            self._unanswered.discard(seq)
            self.stats.not_recorded += 1
            log.exception("scanner %s: scan %s not recorded", driver.device_id, event.sscc)
            await self._tell(driver, "error", NOT_RECORDED_TEXT)
            return
        self.stats.published += 1
        if offline is None:
            loop = asyncio.get_running_loop()
            self._waiting[seq] = loop.call_later(cfg.answer_timeout, self._timed_out, event, driver)
            return
        self.stats.offline_answers += 1
        if offline.decision is not None:
            self._remember(seq, _Offline(offline.decision, carried=True))
        await self._tell(driver, "good", offline.display)

    def _on_passage_of(self, reader_id: str) -> Callable[[Passage], Awaitable[None]]:
        async def on_passage(passage: Passage) -> None:
            await self._on_passage(reader_id, passage)
        return on_passage

    async def _on_passage(self, reader_id: str, passage: Passage) -> None:
        """Record a door passage in the outbox (no answer expected) for central, like a scan."""
        cfg = self.config
        seq = self.outbox.allocate()
        message = DoorPassage(
            edge_id=cfg.edge_id, seq=seq, device_id=reader_id, door=passage.door, sscc=passage.sscc,
            epc=passage.epc.hex().upper(), direction=passage.direction, at=passage.last_seen, reads=passage.reads,
            peak_rssi=passage.peak_rssi,
        )
        if await self._record_unanswered(
            seq, passage_topic(cfg.site, cfg.edge_id), encode(message), "reader %s: passage of %s", reader_id,
            passage.sscc,
        ):
            self.stats.passages += 1

    async def _send_reading(self, sensor_id: str, kind: SensorKind, value: float, at: datetime) -> None:
        """Record a probe's reading in the outbox (no answer expected) for central, like a passage."""
        cfg = self.config
        seq = self.outbox.allocate()
        reading = SensorReading(edge_id=cfg.edge_id, seq=seq, sensor_id=sensor_id, kind=kind, value=value,
                                unit=KIND_UNITS[kind], at=at)
        await self._record_unanswered(
            seq, sensor_reading_topic(cfg.site, cfg.edge_id, sensor_id), encode(reading), "sensor %s: reading %s",
            sensor_id, value,
        )

    async def _record_unanswered(self, seq: int, topic: str, payload: bytes, what: str, *args: object) -> bool:
        """Record a message central does not answer (its row is marked answered at once); ``False`` if not recorded."""
        try:
            await self.uplink.submit(seq, topic, payload)
        except OutboxError:
            log.exception(what + " not recorded", *args)
            return False
        self.outbox.mark_answered(seq)
        return True

    def _timed_out(self, event: ScanEvent, driver: SerialScannerDriver) -> None:
        if self._waiting.pop(event.seq, None) is None:
            return
        if self.central_reachable:
            self._later(driver.send(Display(WAITING_TEXT)))
            return
        answer = self._decide_offline(event, self.clock.now())
        self.stats.offline_answers += 1
        if answer.decision is not None:
            self._remember(event.seq, _Offline(answer.decision, carried=False))
        self._later(self._tell(driver, "good", answer.display))

    def _decide_offline(self, event: ScanEvent, now: datetime) -> OfflineAnswer:
        return self.router.decide(
            ship_to=event.ship_to, max_temp_c=event.max_temp_c, dangerous_goods=event.dangerous_goods, now=now
        )

    def _later(self, work: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _remember(self, seq: int, offline: _Offline) -> None:
        self._offline[seq] = offline
        while len(self._offline) > _REMEMBER_OFFLINE:
            self._offline.popitem(last=False)

    # -- from central ----------------------------------------------------------------------------

    async def on_command(self, message: Assignment | Feedback) -> None:
        if isinstance(message, Feedback) and message.device_id in self.portals:
            await self._door_feedback(message)
            return
        driver = self.drivers.get(message.device_id)
        if driver is None:
            log.warning("edge %s: command for unknown device %s", self.config.edge_id, message.device_id)
            return
        if isinstance(message, Feedback):
            await self._show(driver, message)
            return
        if message.seq not in self._unanswered:
            self.stats.repeated_answers += 1
            log.info("edge %s: scan %d answered again; not shown", self.config.edge_id, message.seq)
            return
        self._unanswered.discard(message.seq)
        self.outbox.mark_answered(message.seq)
        self.stats.answers += 1
        handle = self._waiting.pop(message.seq, None)
        if handle is not None:
            handle.cancel()
        offline = self._offline.pop(message.seq, None)
        if offline is None and not message.correction:
            await self._tell(driver, "error" if message.outcome == "rejected" else "good", message.display)
            return
        changed = message.correction if offline is None or offline.carried else differs(offline.decision, message)
        if not changed:
            self.stats.confirmed_offline += 1
            return
        self.stats.corrections += 1
        log.info("edge %s: scan %d corrected by central: %s", self.config.edge_id, message.seq, message.reason)
        await self._tell(driver, "error", correction_text(message))

    async def _door_feedback(self, message: Feedback) -> None:
        """Central's word for a portal reader (a mis-load STOP): on every scanner display at this door."""
        self.stats.stops += 1
        log.warning("edge %s: reader %s: %s", self.config.edge_id, message.device_id, message.text)
        for driver in self.drivers.values():
            await self._show(driver, message)

    def on_routes(self, snapshot: RouteSnapshot) -> None:
        if not self.router.load(snapshot):
            return
        log.info("edge %s: routing snapshot of plan %d (%d routes)", self.config.edge_id, snapshot.plan_version,
                 len(snapshot.routes))
        try:
            save_snapshot(self._routes_path, snapshot)
        except OSError as exc:
            log.warning("edge %s: routing snapshot not kept on disk: %s", self.config.edge_id, exc)

    def on_central_status(self, status: CentralStatus) -> None:
        if status.online != self.central_online:
            log.info("edge %s: central is %s", self.config.edge_id, "online" if status.online else "offline")
        self.central_online = status.online

    # -- to devices and liveness -----------------------------------------------------------------

    async def _tell(self, driver: SerialScannerDriver, beep: str, text: str) -> None:
        await driver.send(Beep("good" if beep == "good" else "error"))
        await driver.send(Display(text))

    async def _show(self, driver: SerialScannerDriver, message: Feedback) -> None:
        if message.beep is not None:
            await driver.send(Beep(message.beep))
        if message.text is not None:
            await driver.send(Display(message.text))

    def _beat(self) -> None:
        self.uplink.publish_edge_status()
        self.health.beat()

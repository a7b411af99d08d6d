"""The composition root of ``xdock edge``: scanners in, scan events up, answers back to the scanners.

For each scan line: parse and validate the label; a bad one gets the error beep and its reason
on the display and never leaves the edge; a good one becomes a :class:`ScanEvent` with the next
sequence number and goes to central. Central's answer comes back on the command topic and is
shown on the scanner that read the label.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from xdock.edge.config import EdgeConfig
from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.edge.label_check import LabelRejected, read_label, scan_event
from xdock.edge.sequence import SequenceStore
from xdock.edge.uplink import Uplink
from xdock.protocol.clock import Clock
from xdock.protocol.messages import Assignment, DeviceStatus, Feedback, encode
from xdock.protocol.scanner_wire import Beep, Display, LineRejected, ScanLine
from xdock.protocol.topics import device_status_topic, scan_topic

__all__ = ["EdgeAgent", "EdgeStats"]

log = logging.getLogger(__name__)

WAITING_TEXT = "sent - waiting for central"


@dataclass
class EdgeStats:
    lines: int = 0
    published: int = 0
    rejected_labels: int = 0
    rejected_lines: int = 0
    answers: int = 0


class EdgeAgent:
    """One gateway: its scanners and its link to central."""

    def __init__(self, config: EdgeConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.stats = EdgeStats()
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.sequence = SequenceStore(config.state_dir / f"edge-{config.edge_id}.seq.db")
        self.uplink = Uplink(config.site, config.edge_id, config.door, config.broker, clock, self._on_downlink)
        self.drivers = {
            s.device_id: SerialScannerDriver(s.device_id, s.port, baudrate=s.baudrate, on_status=self._device_status)
            for s in config.scanners
        }
        self._ports = {s.device_id: s.port for s in config.scanners}
        self._waiting: dict[int, asyncio.TimerHandle] = {}
        self._background: set[asyncio.Task[bool]] = set()

    async def run(self) -> None:
        """Run until cancelled."""
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self.uplink.run(), name="uplink")
                for driver in self.drivers.values():
                    tasks.create_task(self._read(driver), name=f"scanner-{driver.device_id}")
        finally:
            for handle in self._waiting.values():
                handle.cancel()
            for driver in self.drivers.values():
                await driver.aclose()
            self.sequence.close()

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
        seq = self.sequence.next()
        event = scan_event(
            label, edge_id=cfg.edge_id, seq=seq, device_id=driver.device_id, door=cfg.door, at=self.clock.now()
        )
        self.uplink.publish(scan_topic(cfg.site, cfg.edge_id), encode(event))
        self.stats.published += 1
        loop = asyncio.get_running_loop()
        self._waiting[seq] = loop.call_later(cfg.answer_timeout, self._still_waiting, seq, driver)

    def _still_waiting(self, seq: int, driver: SerialScannerDriver) -> None:
        if self._waiting.pop(seq, None) is not None:
            task = asyncio.ensure_future(driver.send(Display(WAITING_TEXT)))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _on_downlink(self, message: Assignment | Feedback) -> None:
        driver = self.drivers.get(message.device_id)
        if driver is None:
            log.warning("edge %s: command for unknown device %s", self.config.edge_id, message.device_id)
            return
        if isinstance(message, Assignment):
            self.stats.answers += 1
            handle = self._waiting.pop(message.seq, None)
            if handle is not None:
                handle.cancel()
            await self._tell(driver, "error" if message.outcome == "rejected" else "good", message.display)
        else:
            if message.beep is not None:
                await driver.send(Beep(message.beep))
            if message.text is not None:
                await driver.send(Display(message.text))

    async def _tell(self, driver: SerialScannerDriver, beep: str, text: str) -> None:
        await driver.send(Beep("good" if beep == "good" else "error"))
        await driver.send(Display(text))

    def _device_status(self, device_id: str, online: bool) -> None:
        cfg = self.config
        status = DeviceStatus(
            edge_id=cfg.edge_id, device_id=device_id, device_kind="serial_scanner", online=online,
            at=self.clock.now(), detail=self._ports.get(device_id, ""),
        )
        self.uplink.publish(device_status_topic(cfg.site, cfg.edge_id, device_id), encode(status), retain=True)

"""The status of every device behind the edge, with its driver's counts, for central's liveness and telemetry.

:class:`DeviceHealth` builds one :class:`~xdock.protocol.messages.DeviceStatus` per device from the
driver's own state and counters (cumulative since the driver started):

=================  ==========================================  ==============================================
kind               online when                                 counters
=================  ==========================================  ==============================================
``serial_scanner`` its port is open                            ``scans``, ``bad_lines``
``rfid_reader``    its LLRP session runs (ROSpec started)      ``reads`` (pallet tag reads), ``reports``,
                                                               ``bad_frames``, ``reconnects``, ``non_sscc``,
                                                               ``keepalives``, ``clock_rebased``
``modbus_sensor``  its latest answer (a sample, a Modbus       ``polls`` (transactions on an open port),
                   exception or a bad value) came after its    ``ok``, ``timeouts``, ``crc_errors``,
                   port was last gone, and fewer than 3 polls  ``exceptions``, ``bad_values``, ``disconnects``
                   went unanswered since (``offline_after``,
                   :mod:`xdock.edge.devices.probe_liveness`)
=================  ==========================================  ==============================================

On every :meth:`DeviceHealth.beat` the online devices are published, and the offline readers and
probes too, except on the first beat (a reader still connecting at start raises no alert). A
scanner, a reader or a probe that comes or goes is published at once (:meth:`DeviceHealth.changed`,
the drivers' status callback). A reader whose clock is off says so in its ``detail``, an offline
probe the outcome of its last poll.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from xdock.edge.devices.llrp_reader import LlrpReaderDriver, ReaderStats
from xdock.edge.devices.modbus_sensor import ModbusSensorPoller, PollerStats
from xdock.edge.devices.serial_scanner import ScannerStats, SerialScannerDriver
from xdock.edge.heartbeat import device_status
from xdock.protocol.clock import Clock
from xdock.protocol.messages import DeviceKind, DeviceStatus, encode
from xdock.protocol.topics import device_status_topic

__all__ = ["DeviceHealth", "Publish", "probe_counters", "reader_counters", "scanner_counters"]

Publish = Callable[[str, bytes], None]
"""Publishes a retained status: ``(topic, payload)``."""

def scanner_counters(stats: ScannerStats) -> dict[str, int]:
    return {"scans": stats.scans, "bad_lines": stats.bad_lines}


def reader_counters(stats: ReaderStats) -> dict[str, int]:
    return {
        "reads": stats.tag_reads, "reports": stats.reports, "bad_frames": stats.bad_frames,
        "reconnects": stats.failures, "non_sscc": stats.non_sscc, "keepalives": stats.keepalives,
        "clock_rebased": stats.clock_rebased,
    }


def probe_counters(stats: PollerStats) -> dict[str, int]:
    polls = stats.ok + stats.timeout + stats.crc_error + stats.exception + stats.bad_value
    return {
        "polls": polls, "ok": stats.ok, "timeouts": stats.timeout, "crc_errors": stats.crc_error,
        "exceptions": stats.exception, "bad_values": stats.bad_value, "disconnects": stats.disconnected,
    }


@dataclass(frozen=True)
class _Seen:
    kind: DeviceKind
    online: bool | None
    """``None``: not known yet (a probe not polled yet)."""
    detail: str
    counters: dict[str, int]


class DeviceHealth:
    """The statuses of one edge's scanners, readers and probes (see the module docstring)."""

    def __init__(self, site: str, edge_id: str, heartbeat_s: float, clock: Clock, publish: Publish) -> None:
        self.site = site
        self.edge_id = edge_id
        self.heartbeat_s = heartbeat_s
        self.clock = clock
        self._publish = publish
        self._scanners: dict[str, SerialScannerDriver] = {}
        self._readers: dict[str, LlrpReaderDriver] = {}
        self._probes: dict[str, ModbusSensorPoller] = {}
        self._beats = 0

    def watch(
        self, *, scanners: Mapping[str, SerialScannerDriver], readers: Mapping[str, LlrpReaderDriver],
        probes: Mapping[str, ModbusSensorPoller],
    ) -> None:
        """Report these devices (by device id) from now on."""
        self._scanners.update(scanners)
        self._readers.update(readers)
        self._probes.update(probes)

    def status(self, device_id: str, *, online: bool | None = None) -> DeviceStatus | None:
        """The device's status now (``online`` as its driver says, unless given); ``None`` for a device not
        watched or whose state is not known yet."""
        seen = self._seen(device_id)
        online = seen.online if seen is not None and online is None else online
        if seen is None or online is None:
            return None
        return device_status(
            self.edge_id, device_id, kind=seen.kind, online=online, at=self.clock.now(), detail=seen.detail,
            heartbeat_s=self.heartbeat_s, counters=seen.counters,
        )

    def online_by_kind(self) -> dict[str, int]:
        """How many watched devices are online now, by kind (every kind watched, 0 included)."""
        counts: dict[str, int] = {}
        for device_id in [*self._scanners, *self._readers, *self._probes]:
            seen = self._seen(device_id)
            if seen is not None:
                counts[seen.kind] = counts.get(seen.kind, 0) + (seen.online is True)
        return counts

    def changed(self, device_id: str, online: bool) -> None:
        """A scanner, reader or probe came (``online``) or went: publish its status at once."""
        status = self.status(device_id, online=online)
        if status is not None:
            self._send(status)

    def beat(self) -> None:
        """Publish the statuses due on this heartbeat."""
        first = self._beats == 0
        self._beats += 1
        for device_id in [*self._scanners, *self._readers, *self._probes]:
            status = self.status(device_id)
            if status is None or (not status.online and (first or status.device_kind == "serial_scanner")):
                continue
            self._send(status)

    def _send(self, status: DeviceStatus) -> None:
        self._publish(device_status_topic(self.site, self.edge_id, status.device_id), encode(status))

    def _seen(self, device_id: str) -> _Seen | None:
        scanner = self._scanners.get(device_id)
        if scanner is not None:
            return _Seen("serial_scanner", scanner.online, scanner.port, scanner_counters(scanner.stats))
        reader = self._readers.get(device_id)
        if reader is not None:
            detail = f"{reader.config.host}:{reader.config.port}"
            clock = reader.reader_clock.describe()
            return _Seen("rfid_reader", reader.running, f"{detail}, {clock}" if clock else detail,
                         reader_counters(reader.stats))
        probe = self._probes.get(device_id)
        if probe is not None:
            detail = f"{probe.config.port}@{probe.config.device_id}"
            detail += f": {probe.last_outcome}" if probe.online is False else ""
            return _Seen("modbus_sensor", probe.online, detail, probe_counters(probe.stats))
        return None

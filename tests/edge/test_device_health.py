"""Device statuses of an edge: which devices are published on a beat and at once, with their drivers' counters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from xdock.edge.device_health import DeviceHealth
from xdock.edge.devices.llrp_reader import LlrpReaderConfig, LlrpReaderDriver
from xdock.edge.devices.modbus_sensor import ModbusSensorConfig, ModbusSensorPoller, PollOutcome
from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.edge.tag_reads import TagRead
from xdock.protocol import llrp
from xdock.protocol.clock import ManualClock
from xdock.protocol.epc import Sscc96
from xdock.protocol.messages import DeviceStatus, decode

AT = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
TOPIC = "xdock/v1/it/edge/edge-d12/device/{}/status"
PALLET = Sscc96.from_sscc("376130321109103420", company_prefix_length=7).encode()


class Published:
    """What the health publisher sent, decoded, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, DeviceStatus]] = []

    def __call__(self, topic: str, payload: bytes) -> None:
        self.sent.append((topic, decode(DeviceStatus, payload)))

    def take(self) -> list[DeviceStatus]:
        out = [status for topic, status in self.sent if topic == TOPIC.format(status.device_id)]
        assert len(out) == len(self.sent), "a status on another device's topic"
        self.sent.clear()
        return out


def status(device_id: str, kind: str, online: bool, detail: str, counters: dict[str, int]) -> DeviceStatus:
    return DeviceStatus.model_validate({
        "edge_id": "edge-d12", "device_id": device_id, "device_kind": kind, "online": online, "at": AT,
        "detail": detail, "heartbeat_s": 5.0 if online else None, "counters": counters,
    })


def rig(
    on_reads: Callable[[list[TagRead]], None] = lambda reads: None,
) -> tuple[DeviceHealth, Published, SerialScannerDriver, LlrpReaderDriver, ModbusSensorPoller]:
    clock = ManualClock(AT)
    published = Published()
    health = DeviceHealth("it", "edge-d12", 5.0, clock, published)
    scanner = SerialScannerDriver("s12", "/dev/scanner-d12")
    reader = LlrpReaderDriver(LlrpReaderConfig("10.0.0.7"), clock=clock, on_reads=on_reads)
    probe = ModbusSensorPoller(
        ModbusSensorConfig(port="/dev/ttyUSB0", temperature_id="t1-temp", humidity_id="t1-rh", device_id=3), clock
    )
    health.watch(scanners={"s12": scanner}, readers={"R1": reader}, probes={"t1": probe})
    return health, published, scanner, reader, probe


def polled(probe: ModbusSensorPoller, *outcomes: PollOutcome) -> None:
    """The probe's state after polls with these outcomes, counted as its poller counts them (no port here)."""
    for outcome in outcomes:
        setattr(probe.stats, outcome, getattr(probe.stats, outcome) + 1)
        probe.last_outcome = outcome
        probe.liveness.observe(outcome)


READER_ZERO = {"reads": 0, "reports": 0, "bad_frames": 0, "reconnects": 0, "non_sscc": 0, "keepalives": 0,
               "clock_rebased": 0}
PROBE_ZERO = {"polls": 0, "ok": 0, "timeouts": 0, "crc_errors": 0, "exceptions": 0, "bad_values": 0,
              "disconnects": 0}


def test_the_first_beat_reports_only_online_devices_and_later_beats_the_offline_reader_and_probe() -> None:
    health, published, scanner, reader, probe = rig()
    health.beat()
    assert published.take() == []  # nothing online yet; the reader may still be connecting
    polled(probe, "disconnected", "timeout", "timeout")
    reader.stats.failures = 1
    health.beat()
    assert published.take() == [
        status("R1", "rfid_reader", False, "10.0.0.7:5084", {**READER_ZERO, "reconnects": 1}),
        status("t1", "modbus_sensor", False, "/dev/ttyUSB0@3: timeout",
               {**PROBE_ZERO, "polls": 2, "timeouts": 2, "disconnects": 1}),
    ]
    assert scanner.stats.scans == 0  # an offline scanner is told at once by its driver, never on a beat


def test_online_devices_carry_their_drivers_counters_on_every_beat() -> None:
    health, published, scanner, reader, probe = rig()
    scanner.stats.scans, scanner.stats.bad_lines = 41, 2
    reader.running = True
    reader.stats.reports, reader.stats.keepalives, reader.stats.bad_frames = 7, 3, 1
    reader.handle_report(llrp.ROAccessReport(1, (llrp.TagReport(PALLET, 1, -50, int(AT.timestamp()) * 1_000_000),)))
    polled(probe, *["ok"] * 9, "crc_error", "exception", "ok")
    health.beat()
    health.beat()
    reader_status = status("R1", "rfid_reader", True, "10.0.0.7:5084",
                           {**READER_ZERO, "reads": 1, "reports": 8, "bad_frames": 1, "keepalives": 3})
    probe_status = status("t1", "modbus_sensor", True, "/dev/ttyUSB0@3",
                          {**PROBE_ZERO, "polls": 12, "ok": 10, "crc_errors": 1, "exceptions": 1})
    assert published.take() == [reader_status, probe_status] * 2  # the scanner's port is not open: not online


def test_a_reader_an_hour_off_says_so_in_its_detail_and_counts_the_rebased_report() -> None:
    seen: list[TagRead] = []
    health, published, _, reader, _ = rig(on_reads=seen.extend)
    reader.running = True
    ahead_us = (int(AT.timestamp()) + 3600) * 1_000_000
    reader.handle_report(llrp.ROAccessReport(1, (llrp.TagReport(PALLET, 1, -50, ahead_us),)))
    health.beat()
    assert published.take() == [
        status("R1", "rfid_reader", True, "10.0.0.7:5084, reader clock +3600.0 s off, reads rebased",
               {**READER_ZERO, "reads": 1, "reports": 1, "clock_rebased": 1}),
    ]
    assert [r.seen_at for r in seen] == [AT]


def test_a_device_that_comes_or_goes_is_published_at_once() -> None:
    health, published, scanner, reader, _ = rig()
    scanner.stats.scans = 5
    health.changed("s12", False)
    reader.stats.failures = 3
    health.changed("R1", False)
    health.changed("unknown", True)
    assert published.take() == [
        status("s12", "serial_scanner", False, "/dev/scanner-d12", {"scans": 5, "bad_lines": 0}),
        status("R1", "rfid_reader", False, "10.0.0.7:5084", {**READER_ZERO, "reconnects": 3}),
    ]
    assert health.status("t1") is None  # a probe never polled has no known state


def test_a_probe_is_online_through_two_timeouts_and_offline_from_the_third_with_its_last_outcome() -> None:
    health, published, _, _, probe = rig()
    polled(probe, "ok", "timeout", "crc_error")
    health.beat()
    polled(probe, "timeout")
    health.beat()
    assert [s for s in published.take() if s.device_id == "t1"] == [
        status("t1", "modbus_sensor", True, "/dev/ttyUSB0@3",
               {**PROBE_ZERO, "polls": 3, "ok": 1, "timeouts": 1, "crc_errors": 1}),
        status("t1", "modbus_sensor", False, "/dev/ttyUSB0@3: timeout",
               {**PROBE_ZERO, "polls": 4, "ok": 1, "timeouts": 2, "crc_errors": 1}),
    ]

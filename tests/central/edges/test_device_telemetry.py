"""Device health and read-rate points from edge and device statuses, kept in a local telemetry ring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xdock.central.edges.device_telemetry import DeviceTelemetry, DeviceTelemetryStats
from xdock.central.telemetry import LocalTelemetry, TelemetryPoint, device_health, read_rate
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def reader(seconds: float, reads: int | None, *, online: bool = True, device: str = "R1") -> DeviceStatus:
    counters = None if reads is None else {"reads": reads, "reports": 2, "bad_frames": 0}
    return DeviceStatus(edge_id="edge-d12", device_id=device, device_kind="rfid_reader", online=online, at=at(seconds),
                        heartbeat_s=5.0, counters=counters)


def scanner(seconds: float, scans: int) -> DeviceStatus:
    return DeviceStatus(edge_id="edge-d12", device_id="s12", device_kind="serial_scanner", online=True,
                        at=at(seconds), counters={"scans": scans, "bad_lines": 1})


def rig() -> tuple[DeviceTelemetry, LocalTelemetry, ManualClock]:
    ring = LocalTelemetry(100)
    clock = ManualClock(at(100))
    return DeviceTelemetry("it", ring, clock), ring, clock


def rates(ring: LocalTelemetry) -> list[tuple[str, float, datetime]]:
    return [(p.tags["device"], float(p.fields["per_s"]), p.time) for p in ring.query("read_rate")]


def test_two_statuses_give_the_read_rate_between_them() -> None:
    telemetry, ring, _ = rig()
    telemetry.record(reader(0, 100))
    assert ring.query("read_rate") == []  # the first status is only a baseline
    telemetry.record(reader(5, 1100))
    telemetry.record(reader(15, 1600))
    assert ring.query("read_rate") == [
        read_rate(site="it", edge="edge-d12", device="R1", reads_per_s=200.0, time=at(5)),
        read_rate(site="it", edge="edge-d12", device="R1", reads_per_s=50.0, time=at(15)),
    ]
    assert ring.query("device_health")[-1] == device_health(
        site="it", edge="edge-d12", device="R1", online=True, time=at(15), kind="rfid_reader",
        counters={"reads": 1600, "reports": 2, "bad_frames": 0},
    )
    assert telemetry.stats == DeviceTelemetryStats(health_points=3, rate_points=2)


def test_a_counter_that_goes_back_restarts_the_baseline_and_never_gives_a_negative_rate() -> None:
    telemetry, ring, _ = rig()
    telemetry.record(reader(0, 5000))
    telemetry.record(reader(5, 40))  # the reader's driver restarted
    telemetry.record(reader(10, 90))
    assert rates(ring) == [("R1", 10.0, at(10))]
    assert (telemetry.stats.restarts, telemetry.stats.rate_points) == (1, 1)


def test_a_status_heard_again_or_out_of_order_gives_no_rate() -> None:
    telemetry, ring, _ = rig()
    telemetry.record(reader(10, 500))
    telemetry.record(reader(10, 500))  # the retained status, delivered again on a re-subscribe
    telemetry.record(reader(5, 400))  # older than the baseline: starts over from it
    telemetry.record(reader(15, 600))
    assert rates(ring) == [("R1", 20.0, at(15))]
    assert (telemetry.stats.restarts, telemetry.stats.health_points) == (1, 4)


def test_scanners_rate_their_scans_and_devices_keep_their_own_baselines() -> None:
    telemetry, ring, _ = rig()
    telemetry.record(scanner(0, 10))
    telemetry.record(reader(0, 0, device="R2"))
    telemetry.record(scanner(4, 12))
    telemetry.record(reader(4, 0, device="R2"))
    assert rates(ring) == [("s12", 0.5, at(4)), ("R2", 0.0, at(4))]


def test_a_status_without_a_rate_counter_records_health_only() -> None:
    telemetry, ring, _ = rig()
    probe = DeviceStatus(edge_id="edge-d12", device_id="t1", device_kind="modbus_sensor", online=False, at=at(3),
                         detail="/dev/ttyUSB0@3: timeout", counters={"polls": 9, "timeouts": 2})
    telemetry.record(probe)
    telemetry.record(reader(0, 10))
    telemetry.record(reader(5, None))  # no counters: the baseline is dropped
    telemetry.record(reader(10, 60))
    assert ring.query("read_rate") == []
    assert ring.query("device_health", tags={"device": "t1"}) == [device_health(
        site="it", edge="edge-d12", device="t1", online=False, time=at(3), kind="modbus_sensor",
        counters={"polls": 9, "timeouts": 2},
    )]


def test_edge_statuses_record_online_and_backlog_and_a_last_will_at_centrals_clock() -> None:
    telemetry, ring, _ = rig()
    telemetry.record(EdgeStatus(edge_id="edge-d12", online=True, door="D12", at=at(1), heartbeat_s=5.0, backlog=7))
    telemetry.record(EdgeStatus(edge_id="edge-d12", online=False, door="D12"))
    assert ring.query() == [
        TelemetryPoint("device_health", {"site": "it", "edge": "edge-d12", "device": "edge-d12", "kind": "edge"},
                       {"online": True, "backlog": 7}, at(1)),
        TelemetryPoint("device_health", {"site": "it", "edge": "edge-d12", "device": "edge-d12", "kind": "edge"},
                       {"online": False}, at(100)),
    ]


def test_an_edge_status_with_refusals_records_them_by_reason() -> None:
    telemetry, ring, _ = rig()
    telemetry.record(EdgeStatus(edge_id="edge-d12", online=True, door="D12", at=at(1), heartbeat_s=5.0, backlog=2,
                                refused={"not_authorised": 3, "quota_exceeded": 1},
                                problem="broker refuses passage: not authorised"))
    assert ring.query() == [
        TelemetryPoint("device_health", {"site": "it", "edge": "edge-d12", "device": "edge-d12", "kind": "edge"},
                       {"online": True, "backlog": 2, "refused_not_authorised": 3, "refused_quota_exceeded": 1},
                       at(1)),
    ]


def test_a_counter_named_like_a_health_field_is_refused_and_counted() -> None:
    telemetry, ring, _ = rig()
    telemetry.record(DeviceStatus(edge_id="e1", device_id="x1", device_kind="rfid_reader", online=True, at=at(0),
                                  counters={"online": 1, "reads": 5}))
    telemetry.record(DeviceStatus(edge_id="e1", device_id="x1", device_kind="rfid_reader", online=True, at=at(1),
                                  counters={"online": 1, "reads": 9}))
    assert [p.measurement for p in ring.query()] == ["read_rate"]
    assert rates(ring) == [("x1", 4.0, at(1))]
    assert (telemetry.stats.refused, telemetry.stats.health_points) == (2, 0)

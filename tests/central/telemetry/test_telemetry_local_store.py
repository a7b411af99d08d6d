"""Recent telemetry kept locally with no InfluxDB configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xdock.central.telemetry import LocalTelemetry, TelemetryPoint, kpi, sensor_reading

AT = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def _temp(sensor: str, minute: int) -> TelemetryPoint:
    return sensor_reading(
        site="s",
        edge="e",
        sensor=sensor,
        kind="temperature",
        value=minute,
        unit="degC",
        time=AT + timedelta(minutes=minute),
    )


def test_the_ring_keeps_the_newest_and_counts_the_evicted() -> None:
    store = LocalTelemetry(limit=3)
    points = [_temp("t1", m) for m in range(5)]
    for point in points:
        store.record(point)
    assert store.query() == points[2:]
    assert store.evicted == 2


def test_query_by_measurement_time_and_tags() -> None:
    store = LocalTelemetry()
    t1, t2, later = _temp("t1", 0), _temp("t2", 1), _temp("t1", 10)
    figures = kpi(site="s", figures={"pallets_per_hour": 40}, time=AT)
    for point in (t1, t2, figures, later):
        store.record(point)
    assert store.query("kpi") == [figures]
    assert store.query("sensor_reading", tags={"sensor": "t1"}) == [t1, later]
    assert store.query("sensor_reading", since=AT + timedelta(minutes=1)) == [t2, later]
    assert store.query("sensor_reading", tags={"sensor": "t3"}) == []

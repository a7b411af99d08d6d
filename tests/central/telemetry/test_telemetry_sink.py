"""The sink keeps recent telemetry locally in both set-ups, and tees it to InfluxDB when configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from victoria_server import VictoriaMetrics

from support.waiting import eventually
from xdock.central.telemetry import LocalTelemetry, TelemetryConfig, TelemetryPoint, sensor_reading
from xdock.central.telemetry.sink import TelemetryTee, open_sink

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
BASE_MS = int(BASE.timestamp()) * 1000


def _reading(i: int) -> TelemetryPoint:
    return sensor_reading(site="lyon-nord", edge="edge-d12", sensor="T1-TEMP", kind="temperature",
                          value=3.0 + i / 2, unit="C", time=BASE + timedelta(seconds=i))


def test_without_a_server_points_are_kept_in_the_ring_only() -> None:
    sink = open_sink(None, local_limit=2)
    assert sink.writer is None
    points = [_reading(i) for i in range(3)]
    for point in points:
        sink.record(point)
    sink.close()
    assert sink.recent.query() == points[1:]
    assert sink.recent.evicted == 1


def test_the_tee_gives_each_point_to_the_ring_and_to_the_writer_in_order() -> None:
    writer = LocalTelemetry()  # the writer's in-memory twin: same record/close surface
    tee = TelemetryTee(LocalTelemetry(2), writer)
    points = [_reading(i) for i in range(3)]
    for point in points:
        tee.record(point)
    assert tee.recent.query() == points[1:]
    assert writer.query() == points


def test_a_point_the_writer_refuses_is_still_kept_locally() -> None:
    class ClosedWriter:
        def record(self, point: TelemetryPoint) -> None:
            raise RuntimeError("telemetry writer is closed")

        def close(self) -> None:
            pass

    tee = TelemetryTee(LocalTelemetry(), ClosedWriter())
    with pytest.raises(RuntimeError, match=r"^telemetry writer is closed$"):
        tee.record(_reading(0))
    assert tee.recent.query() == [_reading(0)]


async def test_with_a_server_points_reach_it_and_stay_readable_locally(victoria: VictoriaMetrics) -> None:
    config = TelemetryConfig(url=victoria.url, org="xdock", bucket="telemetry", token="unused-by-victoria-metrics",
                             flush_interval_s=0.05)
    sink = open_sink(config, local_limit=100)
    try:
        for i in range(3):
            sink.record(_reading(i))
        await eventually(lambda: bool(victoria.export("sensor_reading_value")), timeout=10,
                         what="the readings in VictoriaMetrics")
    finally:
        sink.close()
    (series,) = victoria.export("sensor_reading_value")
    assert series.samples == [(BASE_MS, 3.0), (BASE_MS + 1000, 3.5), (BASE_MS + 2000, 4.0)]
    assert [p.fields["value"] for p in sink.recent.query("sensor_reading", tags={"sensor": "T1-TEMP"})] == [
        3.0, 3.5, 4.0,
    ]

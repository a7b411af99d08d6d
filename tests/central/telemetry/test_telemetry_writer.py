"""The telemetry writer against a real VictoriaMetrics speaking InfluxDB's v2 write API."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import pytest
from victoria_server import VictoriaMetrics

from support.waiting import eventually
from xdock.central.telemetry import (
    TelemetryConfig,
    TelemetryPoint,
    TelemetryWriter,
    WriterStats,
    device_health,
    kpi,
    read_rate,
    sensor_reading,
)

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
BASE_MS = int(BASE.timestamp()) * 1000


def _config(server: VictoriaMetrics, **tuning: float) -> TelemetryConfig:
    base = TelemetryConfig(url=server.url, org="xdock", bucket="telemetry", token="unused-by-victoria-metrics")
    return dataclasses.replace(base, **tuning)  # type: ignore[arg-type]


def _reading(i: int) -> TelemetryPoint:
    return sensor_reading(
        site="lyon-nord",
        edge="edge-d1",
        sensor="t1",
        kind="temperature",
        value=i / 4,
        unit="degC",
        time=BASE + timedelta(seconds=i),
    )


def _values(server: VictoriaMetrics) -> list[tuple[int, float]]:
    (series,) = server.export("sensor_reading_value")
    return series.samples


async def test_points_of_each_kind_arrive_with_exact_values_tags_and_times(victoria: VictoriaMetrics) -> None:
    writer = TelemetryWriter(_config(victoria, flush_interval_s=0.05))
    writer.start()
    try:
        at = BASE + timedelta(milliseconds=250)
        writer.record(
            sensor_reading(
                site="lyon-nord", edge="edge-d1", sensor="t1", kind="temperature", value=3.25, unit="degC", time=at
            )
        )
        writer.record(read_rate(site="lyon-nord", edge="edge-d1", device="portal-1", reads_per_s=812.5, time=at))
        writer.record(device_health(site="lyon-nord", edge="edge-d1", device="s1", online=True, backlog=7, time=at))
        writer.record(kpi(site="lyon-nord", figures={"pallets_per_hour": 42, "door_utilisation": 0.625}, time=at))
        await eventually(lambda: writer.stats().written == 4, timeout=10, what="4 points written")
    finally:
        writer.close()
    got = {(s.labels["__name__"], tuple(sorted(s.labels.items()))): s.samples for s in victoria.export(".+")}
    ms = BASE_MS + 250
    edge = {"site": "lyon-nord", "edge": "edge-d1"}
    expected = {
        "sensor_reading_value": ({**edge, "sensor": "t1", "kind": "temperature", "unit": "degC"}, 3.25),
        "read_rate_per_s": ({**edge, "device": "portal-1"}, 812.5),
        "device_health_online": ({**edge, "device": "s1"}, 1.0),
        "device_health_backlog": ({**edge, "device": "s1"}, 7.0),
        "kpi_pallets_per_hour": ({"site": "lyon-nord"}, 42.0),
        "kpi_door_utilisation": ({"site": "lyon-nord"}, 0.625),
    }
    want = {
        (name, tuple(sorted({**labels, "__name__": name}.items()))): [(ms, value)]
        for name, (labels, value) in expected.items()
    }
    assert got == want
    assert writer.stats() == WriterStats(written=4, dropped=0, rejected=0, failed_attempts=0, pending=0, in_flight=0)


async def test_points_recorded_while_the_server_is_down_arrive_after_it_returns(victoria: VictoriaMetrics) -> None:
    writer = TelemetryWriter(
        _config(victoria, batch_size=10, flush_interval_s=0.05, retry_initial_s=0.05, retry_max_s=0.2)
    )
    writer.start()
    try:
        for i in range(50):
            writer.record(_reading(i))
        await eventually(lambda: writer.stats().written == 50, timeout=10, what="first 50 written")
        victoria.stop()
        for i in range(50, 100):
            writer.record(_reading(i))
        await eventually(lambda: writer.stats().failed_attempts >= 2, timeout=10, what="failed writes")
        victoria.start()
        await eventually(lambda: writer.stats().written == 100, timeout=20, what="all 100 written")
    finally:
        writer.close()
    stats = writer.stats()
    assert (stats.dropped, stats.rejected, stats.pending, stats.in_flight) == (0, 0, 0, 0)
    assert _values(victoria) == [(BASE_MS + i * 1000, i / 4) for i in range(100)]


async def test_a_full_buffer_drops_the_oldest_points_counted_and_logged(
    victoria: VictoriaMetrics, caplog: pytest.LogCaptureFixture
) -> None:
    victoria.stop()
    writer = TelemetryWriter(
        _config(victoria, batch_size=5, buffer_limit=20, flush_interval_s=60, retry_initial_s=0.05, retry_max_s=0.1)
    )
    writer.start()
    try:
        with caplog.at_level(logging.WARNING, logger="xdock.central.telemetry.writer"):
            for i in range(5):
                writer.record(_reading(i))
            await eventually(lambda: writer.stats().in_flight == 5, timeout=10, what="first batch in flight")
            for i in range(5, 40):
                writer.record(_reading(i))
            stats = writer.stats()
            assert (stats.dropped, stats.pending, stats.in_flight, stats.written) == (15, 20, 5, 0)
            victoria.start()
            await eventually(lambda: writer.stats().written == 25, timeout=20, what="25 kept points written")
    finally:
        writer.close()
    assert writer.stats().dropped == 15
    # the batch in flight (0-4) and the newest 20 (20-39) arrive; 5-19 were dropped
    assert _values(victoria) == [(BASE_MS + i * 1000, i / 4) for i in [*range(5), *range(20, 40)]]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        f"telemetry buffer full (20 points): dropping the oldest until {victoria.url} takes points again",
        f"telemetry: {victoria.url} takes points again; 15 dropped meanwhile",
    ]


async def test_closing_with_the_server_away_counts_what_was_left(victoria: VictoriaMetrics) -> None:
    victoria.stop()
    writer = TelemetryWriter(_config(victoria, batch_size=2, flush_interval_s=60, retry_initial_s=30, retry_max_s=30))
    writer.start()
    for i in range(7):
        writer.record(_reading(i))
    await eventually(lambda: writer.stats().failed_attempts == 1, timeout=10, what="first failed write")
    writer.close(timeout=10)
    stats = writer.stats()
    assert (stats.written, stats.dropped, stats.pending, stats.in_flight) == (0, 7, 0, 0)
    with pytest.raises(RuntimeError, match="telemetry writer is closed"):
        writer.record(_reading(8))

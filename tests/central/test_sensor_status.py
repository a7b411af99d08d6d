"""A sensor's status as the dashboard shows it: no_data, stale, breach or ok, first match wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from xdock.central.sensor_config import SensorConfig
from xdock.central.sensor_status import REPORT_PERIOD_S, sensor_view
from xdock.protocol.sensors import KIND_UNITS, SensorKind, SensorReading

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TEMP = SensorConfig(id="T1", kind="temperature", trailer="T-1")
HUMID = SensorConfig(id="H1", kind="humidity", area="S1")
DOOR = SensorConfig(id="D12-DOOR", kind="door_contact", door="D12")
PRES = SensorConfig(id="D12-PRES", kind="trailer_presence", door="D12")
OTHER_PRES = SensorConfig(id="D15-PRES", kind="trailer_presence", door="D15")
ALL = {s.id: s for s in (TEMP, HUMID, DOOR, PRES, OTHER_PRES)}


def _reading(sensor: SensorConfig, value: float, age_s: float = 0) -> SensorReading:
    kind: SensorKind = sensor.kind
    return SensorReading(edge_id="e1", seq=1, sensor_id=sensor.id, kind=kind, value=value, unit=KIND_UNITS[kind],
                         at=NOW - timedelta(seconds=age_s))


def test_report_periods_by_kind() -> None:
    assert dict(REPORT_PERIOD_S) == {"temperature": 300.0, "humidity": 300.0, "door_contact": 60.0,
                                     "trailer_presence": 60.0}


def test_never_heard_is_no_data_and_carries_the_period() -> None:
    view = sensor_view(TEMP, 8.0, {}, ALL, NOW)
    assert (view.status, view.reading, view.limit_c, view.report_period_s) == ("no_data", None, 8.0, 300.0)


@pytest.mark.parametrize(("sensor", "age_s", "status"), [
    (TEMP, 600, "ok"), (TEMP, 600.001, "stale"), (DOOR, 120, "ok"), (DOOR, 120.001, "stale"),
])
def test_stale_after_two_report_periods_without_news(sensor: SensorConfig, age_s: float, status: str) -> None:
    reading = _reading(sensor, 0.0, age_s)
    assert sensor_view(sensor, None, {sensor.id: reading}, ALL, NOW).status == status


@pytest.mark.parametrize(("value", "limit", "status"), [
    (8.0, 8.0, "ok"), (8.1, 8.0, "breach"), (30.0, None, "ok"),
])
def test_a_temperature_breaches_above_its_limit_only(value: float, limit: float | None, status: str) -> None:
    assert sensor_view(TEMP, limit, {"T1": _reading(TEMP, value)}, ALL, NOW).status == status


def test_humidity_never_breaches() -> None:
    assert sensor_view(HUMID, None, {"H1": _reading(HUMID, 100.0)}, ALL, NOW).status == "ok"


@pytest.mark.parametrize(("door", "presence", "status"), [
    (0.0, {}, "ok"),
    (1.0, {}, "breach"),
    (1.0, {"D12-PRES": 0.0}, "breach"),
    (1.0, {"D15-PRES": 1.0}, "breach"),  # a trailer at another door does not count
    (1.0, {"D12-PRES": 1.0}, "ok"),
])
def test_an_open_door_breaches_with_no_trailer_present(door: float, presence: dict[str, float], status: str) -> None:
    latest = {"D12-DOOR": _reading(DOOR, door)} | {k: _reading(ALL[k], v) for k, v in presence.items()}
    assert sensor_view(DOOR, None, latest, ALL, NOW).status == status


def test_a_stale_breach_shows_stale() -> None:
    assert sensor_view(TEMP, 8.0, {"T1": _reading(TEMP, 12.0, 601)}, ALL, NOW).status == "stale"

"""A sensor's status as the dashboard shows it: no_data, stale, breach or ok, first match wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from xdock.central.api.sensor_status import REPORT_PERIOD_S, offline_sources, sensor_view
from xdock.central.edges.liveness import DeviceLiveness, EdgeLiveness
from xdock.central.site_file.sensors import SensorConfig
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


def test_a_stale_breach_shows_stale_with_how_long_it_was_silent() -> None:
    view = sensor_view(TEMP, 8.0, {"T1": _reading(TEMP, 12.0, 600.2)}, ALL, NOW)
    assert (view.status, view.reason) == ("stale", "no reading for 601 s (reports at least every 300 s)")


def test_only_stale_carries_a_reason() -> None:
    latest = {"T1": _reading(TEMP, 12.0), "H1": _reading(HUMID, 50.0)}
    views = [sensor_view(s, 8.0 if s is TEMP else None, latest, ALL, NOW) for s in (TEMP, HUMID, DOOR)]
    assert [(v.status, v.reason) for v in views] == [("breach", None), ("ok", None), ("no_data", None)]


@pytest.mark.parametrize(("report_s", "age_s", "status", "period"), [
    (None, 120.001, "stale", 60.0),  # the kind's default
    (300.0, 120.001, "ok", 300.0),  # a door node that reports every 5 min
    (300.0, 600.0, "ok", 300.0),
    (300.0, 600.001, "stale", 300.0),
    (10.0, 20.001, "stale", 10.0),  # a sensor reporting more often than its kind's default is missed sooner
])
def test_a_sensors_own_report_period_decides_staleness(
    report_s: float | None, age_s: float, status: str, period: float
) -> None:
    door = SensorConfig(id="D12-DOOR", kind="door_contact", door="D12", report_s=report_s)
    view = sensor_view(door, None, {door.id: _reading(door, 0.0, age_s)}, ALL, NOW)
    assert (view.status, view.report_period_s) == (status, period)


def _edges() -> dict[str, EdgeLiveness]:
    e1 = EdgeLiveness("e1", online=False, devices={"probe": DeviceLiveness("probe", "modbus_sensor", True)})
    e2 = EdgeLiveness("e2", online=True, devices={"probe": DeviceLiveness("probe", "modbus_sensor", False)})
    node_lost = EdgeLiveness("node-t1", devices={"node-t1": DeviceLiveness("node-t1", "sensor_node", False,
                                                                             detail="link lost")})
    node_up = EdgeLiveness("node-t2", devices={"node-t2": DeviceLiveness("node-t2", "sensor_node", True)})
    return {e.id: e for e in (e1, e2, node_lost, node_up)}


def test_offline_sources_are_offline_edges_and_offline_sensor_nodes() -> None:
    assert offline_sources(_edges()) == {"e1": "edge e1 offline", "node-t1": "sensor node node-t1 offline: link lost"}


def test_a_sensor_whose_edge_or_node_is_offline_is_stale_at_once() -> None:
    fresh = _reading(TEMP, 12.0)
    offline = offline_sources(_edges())
    views = [
        sensor_view(TEMP, 8.0, {"T1": fresh.model_copy(update={"edge_id": edge})}, ALL, NOW, offline)
        for edge in ("e1", "node-t1", "e2", "node-t2")
    ]
    assert [(v.status, v.reason) for v in views] == [
        ("stale", "edge e1 offline"), ("stale", "sensor node node-t1 offline: link lost"),
        ("breach", None), ("breach", None),
    ]


def test_a_sensor_never_heard_stays_no_data_whatever_is_offline() -> None:
    assert sensor_view(TEMP, 8.0, {}, ALL, NOW, {"e1": "edge e1 offline"}).status == "no_data"

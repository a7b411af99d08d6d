"""Telemetry points and their line protocol (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from xdock.central.telemetry import PointError, TelemetryPoint, device_health, kpi, sensor_reading, to_line

AT = datetime(2026, 11, 29, 8, 0, 0, 123456, tzinfo=UTC)
AT_NS = 1795939200_123456000


def test_time_ns_is_exact_to_the_microsecond_in_any_zone() -> None:
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    assert TelemetryPoint("m", {}, {"v": 1}, AT).time_ns == AT_NS
    assert TelemetryPoint("m", {}, {"v": 1}, paris).time_ns == AT_NS


def test_line_protocol_of_each_field_type_with_sorted_tags() -> None:
    point = TelemetryPoint("m", {"z": "2", "a": "1"}, {"f": 1.5, "n": 3, "ok": True, "s": 'say "hi" \\ bye'}, AT)
    assert to_line(point) == f'm,a=1,z=2 f=1.5,n=3i,ok=true,s="say \\"hi\\" \\\\ bye" {AT_NS}'


def test_line_protocol_escapes_commas_spaces_and_equals() -> None:
    point = TelemetryPoint("cold room, A", {"door name": "D1=north,x"}, {"max temp": 4.0}, AT)
    assert to_line(point) == f"cold\\ room\\,\\ A,door\\ name=D1\\=north\\,x max\\ temp=4.0 {AT_NS}"


def test_builders_name_measurement_tags_and_fields() -> None:
    reading = sensor_reading(site="s", edge="e", sensor="t1", kind="temperature", value=3, unit="degC", time=AT)
    assert to_line(reading) == f"sensor_reading,edge=e,kind=temperature,sensor=t1,site=s,unit=degC value=3.0 {AT_NS}"
    health = device_health(site="s", edge="e", device="s1", online=False, backlog=12, time=AT)
    assert to_line(health) == f"device_health,device=s1,edge=e,site=s online=false,backlog=12i {AT_NS}"
    assert to_line(kpi(site="s", figures={"p50": 12.5}, time=AT)) == f"kpi,site=s p50=12.5 {AT_NS}"


@pytest.mark.parametrize(
    ("measurement", "tags", "fields", "time", "message"),
    [
        ("", {}, {"v": 1}, AT, "measurement: must not be empty"),
        ("m", {}, {"v": 1}, datetime(2026, 1, 1), "m.time: must be timezone-aware, got 2026-01-01T00:00:00"),
        ("m", {}, {}, AT, "m.fields: at least one field is required"),
        ("m", {"site": ""}, {"v": 1}, AT, "m.tags['site']: expected a non-empty string, got ''"),
        ("m", {}, {"v": float("nan")}, AT, "m.fields['v']: expected a finite number, got nan"),
        ("m", {}, {"": 1}, AT, "m.fields: empty field name"),
    ],
)
def test_bad_points_are_refused_naming_the_part(
    measurement: str, tags: dict[str, str], fields: dict[str, float], time: datetime, message: str
) -> None:
    with pytest.raises(PointError) as err:
        TelemetryPoint(measurement, tags, fields, time)
    assert str(err.value) == message


def test_device_health_of_a_device_carries_its_kind_and_counters_and_no_backlog() -> None:
    health = device_health(site="s", edge="e", device="R1", online=True, time=AT, kind="rfid_reader",
                           counters={"reads": 812, "bad_frames": 0})
    assert to_line(health) == (
        f"device_health,device=R1,edge=e,kind=rfid_reader,site=s online=true,reads=812i,bad_frames=0i {AT_NS}"
    )


@pytest.mark.parametrize("name", ["online", "backlog"])
def test_a_counter_named_like_a_health_field_is_refused(name: str) -> None:
    with pytest.raises(PointError) as error:
        device_health(site="s", edge="e", device="e", online=True, backlog=3, time=AT, counters={name: 1})
    assert str(error.value) == (
        f"device_health.fields[{name!r}]: a counter cannot take the place of the {name} field"
    )

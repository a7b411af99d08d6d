from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from xdock.protocol.messages import MessageError, decode, encode
from xdock.protocol.sensors import KIND_UNITS, SensorReading, is_binary
from xdock.protocol.topics import (
    TopicError,
    TopicName,
    parse_topic,
    sensor_reading_topic,
    sensor_reading_wildcard,
)

AT = datetime(2026, 11, 29, 6, 30, tzinfo=UTC)


def _payload(**changes: object) -> bytes:
    body: dict[str, object] = {
        "v": 1,
        "edge_id": "edge-d1",
        "seq": 7,
        "sensor_id": "t1",
        "kind": "temperature",
        "value": 4.5,
        "unit": "C",
        "at": "2026-11-29T06:30:00Z",
    }
    body.update(changes)
    return json.dumps(body).encode()


def test_round_trip_and_key() -> None:
    reading = SensorReading(edge_id="edge-d1", seq=7, sensor_id="t1", kind="temperature", value=4.5, unit="C", at=AT)
    assert decode(SensorReading, encode(reading)) == reading
    assert reading.key == ("edge-d1", 7)


@pytest.mark.parametrize(("kind", "value"), [("humidity", 55.0), ("door_contact", 1.0), ("trailer_presence", 0.0)])
def test_each_kind_with_its_unit(kind: str, value: float) -> None:
    reading = decode(SensorReading, _payload(kind=kind, value=value, unit=KIND_UNITS[kind]))
    assert (reading.kind, reading.value, reading.unit) == (kind, value, KIND_UNITS[kind])


def test_integer_value_is_a_number() -> None:
    assert decode(SensorReading, _payload(value=4)).value == 4.0


def test_binary_kinds() -> None:
    assert [is_binary(k) for k in ("temperature", "humidity", "door_contact", "trailer_presence")] == [
        False,
        False,
        True,
        True,
    ]


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"unit": "F"}, "Invalid SensorReading: field 'unit': a temperature reading is in 'C', got 'F'"),
        (
            {"value": 120},
            "Invalid SensorReading: field 'value': a temperature reading must be within -60.0 to 100.0, got 120.0",
        ),
        (
            {"kind": "humidity", "unit": "%RH", "value": -1},
            "Invalid SensorReading: field 'value': a humidity reading must be within 0.0 to 100.0, got -1.0",
        ),
        (
            {"kind": "door_contact", "unit": "open", "value": 0.5},
            "Invalid SensorReading: field 'value': a door_contact reading must be 0 or 1, got 0.5",
        ),
        ({"value": "4.5"}, "Invalid SensorReading: field 'value': Input should be a valid number"),
        ({"value": True}, "Invalid SensorReading: field 'value': Input should be a valid number"),
        ({"seq": 0}, "Invalid SensorReading: field 'seq': Input should be greater than or equal to 1"),
        ({"at": "2026-11-29T06:30:00"}, "Invalid SensorReading: field 'at': Input should have timezone info"),
        (
            {"sensor_id": "t/1"},
            "Invalid SensorReading: field 'sensor_id': Invalid id 't/1': expected 1-64 characters of A-Z a-z 0-9 _ -",
        ),
    ],
)
def test_refused_naming_the_field(changes: dict[str, object], text: str) -> None:
    with pytest.raises(MessageError) as caught:
        decode(SensorReading, _payload(**changes))
    assert str(caught.value) == text
    assert caught.value.reason == ("bad_identifier" if "sensor_id" in changes else "bad_payload")


def test_unknown_kind_names_the_kinds() -> None:
    with pytest.raises(MessageError, match=r"^Invalid SensorReading: field 'kind': Input should be 'temperature', "):
        decode(SensorReading, _payload(kind="smoke"))


def test_non_finite_value_refused() -> None:
    with pytest.raises(MessageError, match="field 'value'"):
        decode(SensorReading, _payload(value=float("nan")))


def test_wrong_version() -> None:
    with pytest.raises(MessageError) as caught:
        decode(SensorReading, _payload(v=2))
    assert caught.value.reason == "wrong_version"


def test_topic_round_trip() -> None:
    topic = sensor_reading_topic("lyon", "edge-d1", "t1")
    assert topic == "xdock/v1/lyon/edge/edge-d1/sensor/t1/reading"
    assert parse_topic(topic) == TopicName("sensor_reading", "lyon", "edge-d1", "t1")
    assert sensor_reading_wildcard("lyon") == "xdock/v1/lyon/edge/+/sensor/+/reading"


def test_topic_refuses_bad_sensor_id() -> None:
    with pytest.raises(TopicError, match=r"^Invalid sensor id 'a\+b'"):
        sensor_reading_topic("lyon", "e1", "a+b")
    with pytest.raises(TopicError, match="Unknown xdock v1 topic"):
        parse_topic("xdock/v1/lyon/edge/e1/sensor/t1/value")

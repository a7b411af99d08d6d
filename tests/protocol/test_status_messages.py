"""Status messages: the device kinds and the counters a device status carries, strictly decoded."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from xdock.protocol import messages, status_messages
from xdock.protocol.messages import DeviceStatus, MessageError, decode, encode

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def reader_status(**changes: object) -> DeviceStatus:
    fields: dict[str, object] = {
        "edge_id": "edge-d12", "device_id": "R1", "device_kind": "rfid_reader", "online": True, "at": AT,
        "detail": "10.0.0.7:5084", "heartbeat_s": 5.0,
        "counters": {"reads": 812, "reports": 40, "bad_frames": 1, "reconnects": 2, "clock_rebased": 0},
    }
    fields.update(changes)
    return DeviceStatus.model_validate(fields)


def test_status_messages_are_the_same_classes_through_messages() -> None:
    assert messages.DeviceStatus is status_messages.DeviceStatus
    assert messages.EdgeStatus is status_messages.EdgeStatus
    assert messages.CentralStatus is status_messages.CentralStatus


@pytest.mark.parametrize("kind", ["serial_scanner", "sensor_node", "rfid_reader", "modbus_sensor"])
def test_every_device_kind_round_trips(kind: str) -> None:
    status = reader_status(device_kind=kind)
    assert decode(DeviceStatus, encode(status)) == status


def test_counters_travel_as_a_json_object_and_are_left_out_when_absent() -> None:
    wire = json.loads(encode(reader_status()))
    assert wire["counters"] == {"reads": 812, "reports": 40, "bad_frames": 1, "reconnects": 2, "clock_rebased": 0}
    assert "counters" not in json.loads(encode(reader_status(counters=None)))
    assert decode(DeviceStatus, encode(reader_status(counters={}))).counters == {}


def test_sixteen_counters_and_the_largest_count_are_accepted() -> None:
    counters = {f"c{i}": 2**63 - 1 for i in range(16)}
    assert decode(DeviceStatus, encode(reader_status(counters=counters))).counters == counters


@pytest.mark.parametrize(
    ("counters", "message"),
    [
        ({"reads": -1}, "field 'counters.reads': Input should be greater than or equal to 0"),
        ({"reads": True}, "field 'counters.reads': Input should be a valid integer"),
        ({"reads": 5.0}, "field 'counters.reads': Input should be a valid integer"),
        ({"reads": "5"}, "field 'counters.reads': Input should be a valid integer"),
        ({"reads": 2**63}, "field 'counters.reads': Input should be less than or equal to 9223372036854775807"),
        ({"Reads": 5}, "field 'counters.Reads.[key]': String should match pattern '^[a-z][a-z0-9_]{0,31}$'"),
        ({"r" * 33: 5},
         f"field 'counters.{'r' * 33}.[key]': String should match pattern '^[a-z][a-z0-9_]{{0,31}}$'"),
        ({f"c{i}": 1 for i in range(17)},
         "field 'counters': Dictionary should have at most 16 items after validation, not more"),
        ([1, 2], "field 'counters': Input should be an object"),
    ],
)
def test_bad_counters_are_refused_naming_the_counter(counters: object, message: str) -> None:
    payload = json.dumps({**json.loads(encode(reader_status())), "counters": counters}).encode()
    with pytest.raises(MessageError) as err:
        decode(DeviceStatus, payload)
    assert (str(err.value), err.value.reason) == (f"Invalid DeviceStatus: {message}", "bad_payload")


def test_an_unknown_device_kind_is_refused() -> None:
    payload = encode(reader_status()).replace(b'"rfid_reader"', b'"printer"')
    with pytest.raises(MessageError) as err:
        decode(DeviceStatus, payload)
    assert str(err.value) == (
        "Invalid DeviceStatus: field 'device_kind': Input should be 'serial_scanner', 'sensor_node', 'rfid_reader'"
        " or 'modbus_sensor'"
    )

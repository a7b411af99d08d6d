from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from xdock.protocol.messages import MessageError, decode, encode
from xdock.protocol.passages import DoorPassage
from xdock.protocol.topics import TopicName, parse_topic, passage_topic, passage_wildcard

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def passage(**changes: object) -> DoorPassage:
    fields: dict[str, object] = {
        "edge_id": "edge-d12", "seq": 7, "device_id": "r1", "door": "D12", "sscc": "376130321000000019",
        "epc": "3155D0A9A0B8C63F01000000", "direction": "out", "at": AT, "reads": 42, "peak_rssi": -48,
    }
    fields.update(changes)
    return DoorPassage.model_validate(fields)


def test_topic() -> None:
    assert passage_topic("lyon", "e1") == "xdock/v1/lyon/edge/e1/passage"
    assert passage_wildcard("lyon") == "xdock/v1/lyon/edge/+/passage"
    assert parse_topic("xdock/v1/lyon/edge/e1/passage") == TopicName("passage", "lyon", "e1")


def test_round_trip() -> None:
    sent = passage()
    assert decode(DoorPassage, encode(sent)) == sent
    assert sent.key == ("edge-d12", 7)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("direction", "sideways", "field 'direction': Input should be 'in' or 'out'"),
        ("seq", "7", "field 'seq': Input should be a valid integer"),
        ("peak_rssi", -200, "field 'peak_rssi': Input should be greater than or equal to -128"),
        ("epc", "3074", "field 'epc': String should match pattern '^[0-9A-F]{24}$'"),
    ],
)
def test_strict_decoding_names_the_field(field: str, value: object, problem: str) -> None:
    body = passage().model_dump(mode="json")
    body[field] = value
    with pytest.raises(MessageError) as err:
        decode(DoorPassage, json.dumps(body).encode())
    assert str(err.value) == f"Invalid DoorPassage: {problem}"
    assert err.value.reason == "bad_payload"


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("sscc", "376130321000000012", "field 'sscc': Invalid SSCC check digit for '376130321000000012': expected 9, "
         "got 2"),
        ("epc", "3155D0A9A0B96CB986000000", "field 'epc': EPC '3155D0A9A0B96CB986000000' is the SSCC-96 of "
         "'376130321109103420', not of '376130321000000019'"),
        ("epc", "3074257BF7194E4000001A85", "field 'epc': EPC '3074257BF7194E4000001A85' is an SGTIN-96, not an "
         "SSCC-96"),
        ("epc", "31FC0000000000000000000F", "field 'epc': Invalid SSCC-96 EPC '31FC0000000000000000000F': partition 7 "
         "is not defined"),
        ("door", "D/12", "field 'door': Invalid id 'D/12': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    ],
)
def test_identifiers_are_refused_naming_the_field(field: str, value: object, problem: str) -> None:
    body = passage().model_dump(mode="json")
    body[field] = value
    with pytest.raises(MessageError) as err:
        decode(DoorPassage, json.dumps(body).encode())
    assert str(err.value) == f"Invalid DoorPassage: {problem}"
    assert err.value.reason == "bad_identifier"

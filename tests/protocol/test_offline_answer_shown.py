"""The offline answer an edge reports it gave after the scan left: its topic and its strict decoding."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from xdock.protocol.messages import MessageError, OfflineAnswerShown, decode, encode
from xdock.protocol.topics import TopicName, offline_answer_topic, offline_answer_wildcard, parse_topic

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def report(**changes: object) -> OfflineAnswerShown:
    fields: dict[str, object] = {
        "edge_id": "edge-d1", "seq": 9, "scan_seq": 7, "device_id": "s1", "sscc": "376130321000000019",
        "offline": {"plan_version": 3, "outcome": "staged", "area": "S1", "decided_at": AT},
    }
    fields.update(changes)
    return OfflineAnswerShown.model_validate(fields)


def test_topic() -> None:
    assert offline_answer_topic("lyon", "e1") == "xdock/v1/lyon/edge/e1/offline_answer"
    assert offline_answer_wildcard("lyon") == "xdock/v1/lyon/edge/+/offline_answer"
    assert parse_topic("xdock/v1/lyon/edge/e1/offline_answer") == TopicName("offline_answer", "lyon", "e1")


def test_round_trip() -> None:
    sent = report()
    assert decode(OfflineAnswerShown, encode(sent)) == sent
    assert (sent.key, sent.kind, sent.scan_seq) == (("edge-d1", 9), "offline_answer", 7)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("scan_seq", "7", "field 'scan_seq': Input should be a valid integer"),
        ("scan_seq", 0, "field 'scan_seq': Input should be greater than or equal to 1"),
        ("kind", "passage", "field 'kind': Input should be 'offline_answer'"),
        ("offline", {"plan_version": 3, "outcome": "lost", "decided_at": AT.isoformat()},
         "field 'offline.outcome': Input should be 'assigned' or 'staged'"),
        ("device_id", "s/1", "field 'device_id': Invalid id 's/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    ],
)
def test_strict_decoding_names_the_field(field: str, value: object, problem: str) -> None:
    body = report().model_dump(mode="json")
    body[field] = value
    with pytest.raises(MessageError) as err:
        decode(OfflineAnswerShown, json.dumps(body).encode())
    assert str(err.value) == f"Invalid OfflineAnswerShown: {problem}"


def test_an_unknown_field_is_refused() -> None:
    body = report().model_dump(mode="json") | {"correction": True}
    with pytest.raises(MessageError) as err:
        decode(OfflineAnswerShown, json.dumps(body).encode())
    assert str(err.value) == "Invalid OfflineAnswerShown: field 'correction': Extra inputs are not permitted"

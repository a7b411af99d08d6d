from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.protocol.topics import (
    TopicError,
    TopicName,
    cmd_topic,
    device_status_topic,
    edge_status_topic,
    parse_topic,
    scan_topic,
    scan_wildcard,
    status_wildcard,
)

ids = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)


def test_tree() -> None:
    assert scan_topic("lyon", "e1") == "xdock/v1/lyon/edge/e1/scan"
    assert edge_status_topic("lyon", "e1") == "xdock/v1/lyon/edge/e1/status"
    assert device_status_topic("lyon", "e1", "s1") == "xdock/v1/lyon/edge/e1/device/s1/status"
    assert cmd_topic("lyon", "e1") == "xdock/v1/lyon/edge/e1/cmd"
    assert scan_wildcard("lyon") == "xdock/v1/lyon/edge/+/scan"
    assert status_wildcard("lyon") == "xdock/v1/lyon/edge/+/#"


@given(ids, ids, ids)
def test_round_trip(site: str, edge: str, device: str) -> None:
    assert parse_topic(scan_topic(site, edge)) == TopicName("scan", site, edge)
    assert parse_topic(cmd_topic(site, edge)) == TopicName("cmd", site, edge)
    assert parse_topic(edge_status_topic(site, edge)) == TopicName("status", site, edge)
    assert parse_topic(device_status_topic(site, edge, device)) == TopicName("device_status", site, edge, device)


@pytest.mark.parametrize("bad", ["a/b", "a+b", "#", "", "x" * 65, "é"])
def test_ids_cannot_break_the_tree(bad: str) -> None:
    with pytest.raises(TopicError, match=r"^Invalid edge id .*: expected 1-64 characters of A-Z a-z 0-9 _ -$"):
        scan_topic("lyon", bad)


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("xdock/v2/lyon/edge/e1/scan", "Not an xdock v1 topic: 'xdock/v2/lyon/edge/e1/scan'"),
        ("xdock/v1/lyon/gate/e1/scan", "Not an xdock v1 topic: 'xdock/v1/lyon/gate/e1/scan'"),
        ("xdock/v1/lyon/edge/e1/scans", "Unknown xdock v1 topic 'xdock/v1/lyon/edge/e1/scans': expected .../scan, "
         "/status, /cmd, /routes, /passage, /offline_answer, /device/<id>/status or /sensor/<id>/reading"),
        ("xdock/v1/ly on/edge/e1/scan", "Invalid site id 'ly on': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    ],
)
def test_foreign_topics_are_refused(topic: str, message: str) -> None:
    with pytest.raises(TopicError) as err:
        parse_topic(topic)
    assert str(err.value) == message


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused(topic: str) -> None:
    with contextlib.suppress(TopicError):
        parse_topic(topic)

"""The generated ACL, read as Mosquitto reads it: every topic kind's publisher may write it and its reader
read it, under each user's own id only; nothing else is granted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from xdock.broker_config import BrokerUsers, UsersError, grants, render_acl
from xdock.protocol.topic_table import TOPIC_TABLE, AnyKind, Role, rule_for
from xdock.protocol.topics import (
    central_status_topic,
    cmd_topic,
    device_status_topic,
    edge_status_topic,
    offline_answer_topic,
    passage_topic,
    routes_topic,
    scan_topic,
    sensor_reading_topic,
)

SITE = "s1"
USERS = BrokerUsers.parse(SITE, ["e1", "e2"], ["n1", "n2"])
ROLE_OF: dict[str, Role] = dict(USERS)

BUILDERS: dict[str, Callable[[str], str]] = {
    "scan": lambda owner: scan_topic(SITE, owner),
    "status": lambda owner: edge_status_topic(SITE, owner),
    "device_status": lambda owner: device_status_topic(SITE, owner, owner),
    "sensor_reading": lambda owner: sensor_reading_topic(SITE, owner, "t1"),
    "passage": lambda owner: passage_topic(SITE, owner),
    "offline_answer": lambda owner: offline_answer_topic(SITE, owner),
    "cmd": lambda owner: cmd_topic(SITE, owner),
    "routes": lambda owner: routes_topic(SITE, owner),
    "central_status": lambda owner: central_status_topic(SITE),
}
"""Each kind's concrete topic for an owner's id, from the builders the edge and central use."""


def parse_acl(text: str) -> dict[str, list[tuple[str, str]]]:
    """``user -> [(access, filter)]`` as Mosquitto's acl_file reads it; any ``pattern`` line fails the test."""
    rules: dict[str, list[tuple[str, str]]] = {}
    user: str | None = None
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        assert words[0] in ("user", "topic"), f"unexpected ACL line {line!r}"
        if words[0] == "user":
            user = words[1]
            assert user not in rules, f"user {user} twice"
            rules[user] = []
        else:
            assert user is not None, f"topic line before any user: {line!r}"
            assert len(words) == 3, f"unexpected topic line {line!r}"
            rules[user].append((words[1], words[2]))
    return rules


def matches(topic_filter: str, topic: str) -> bool:
    """MQTT filter matching (``+`` one level, ``#`` the rest)."""
    want, have = topic_filter.split("/"), topic.split("/")
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(have) or level not in ("+", have[i]):
            return False
    return len(want) == len(have)


ACL = parse_acl(render_acl(USERS))


def may(user: str, access: str, topic: str) -> bool:
    return any(matches(flt, topic) and way in (access, "readwrite") for way, flt in ACL.get(user, []))


def test_every_user_has_its_rules_and_no_one_else_does() -> None:
    assert list(ACL) == ["central", "e1", "e2", "n1", "n2"]


def test_every_kind_of_the_table_has_a_topic_built_here() -> None:
    assert sorted(rule.kind for rule in TOPIC_TABLE) == sorted(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_each_kind_is_granted_to_its_publishers_and_readers_on_their_own_topics(name: AnyKind) -> None:
    kind = rule_for(name)
    build = BUILDERS[name]
    for user, role in USERS:
        owner = "e1" if role == "central" else user
        topic = build(owner)
        assert may(user, "write", topic) is (role in kind.publishers), (user, topic)
        assert may(user, "read", topic) is (role in kind.readers), (user, topic)
    publishers = [u for u, r in USERS if r in kind.publishers]
    readers = [u for u, r in USERS if r in kind.readers]
    assert publishers, f"topic kind {kind.kind}: no user may publish it"
    assert readers, f"topic kind {kind.kind}: no user may read it"


@pytest.mark.parametrize("kind", sorted(set(BUILDERS) - {"central_status"}))
def test_no_edge_or_node_may_touch_another_ones_topics(kind: str) -> None:
    for user, other in (("e2", "e1"), ("n1", "e1"), ("n1", "n2"), ("e1", "n1")):
        topic = BUILDERS[kind](other)
        assert (may(user, "write", topic), may(user, "read", topic)) == (False, False), (user, topic)


@pytest.mark.parametrize("user", ["e1", "n1"])
def test_only_central_writes_commands_routes_and_its_status(user: str) -> None:
    for topic in (cmd_topic(SITE, "e1"), routes_topic(SITE, "e1"), central_status_topic(SITE),
                  cmd_topic(SITE, "n1"), routes_topic(SITE, "n1")):
        assert may(user, "write", topic) is False, (user, topic)
    assert may("central", "write", cmd_topic(SITE, "n1")) is True


def test_a_sensor_node_may_not_publish_what_only_an_edge_does() -> None:
    for topic in (scan_topic(SITE, "n1"), passage_topic(SITE, "n1"), edge_status_topic(SITE, "n1")):
        assert may("n1", "write", topic) is False, topic


def test_nothing_of_another_site_is_granted() -> None:
    assert not any(may(user, access, scan_topic("s2", "e1")) for user in ACL for access in ("read", "write"))
    assert not any(may(user, access, central_status_topic("s2")) for user in ACL for access in ("read", "write"))


def test_grants_are_exactly_the_tables_filters() -> None:
    assert grants(SITE, "sensor_node", "n1") == {
        "xdock/v1/s1/edge/n1/device/+/status": "write",
        "xdock/v1/s1/edge/n1/sensor/+/reading": "write",
    }
    assert len(grants(SITE, "edge", "e1")) == 9
    assert len(grants(SITE, "central", "central")) == 9


@pytest.mark.parametrize(("edges", "nodes", "message"), [
    (["e1", "e/2"], [], "Invalid edge id 'e/2': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    (["e1"], ["n+"], "Invalid sensor node id 'n+': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    (["central"], [], "Invalid edge id 'central': already taken by central's user"),
    (["e1", "e1"], [], "Invalid edge id 'e1': already taken by the edge id 'e1'"),
    (["e1"], ["e1"], "Invalid sensor node id 'e1': already taken by the edge id 'e1'"),
    ([], ["n1"], "No edge given: expected at least one --edge ID"),
])
def test_bad_or_clashing_ids_are_refused_by_name(edges: list[str], nodes: list[str], message: str) -> None:
    with pytest.raises(UsersError) as refused:
        BrokerUsers.parse(SITE, edges, nodes)
    assert str(refused.value) == message


ids = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True).filter(lambda i: i != "central")


@given(ids, ids, st.booleans(), st.booleans())
def test_whatever_the_ids_no_one_gets_anothers_topics(mine: str, theirs: str, i_am_a_node: bool,
                                                     they_are_a_node: bool) -> None:
    assume(mine != theirs and "e0" not in (mine, theirs))
    edges = [u for u, node in ((mine, i_am_a_node), (theirs, they_are_a_node)) if not node]
    nodes = [u for u, node in ((mine, i_am_a_node), (theirs, they_are_a_node)) if node]
    acl = parse_acl(render_acl(BrokerUsers.parse(SITE, edges or ["e0"], nodes)))
    granted = [flt for _, flt in acl[mine]]
    for kind, build in BUILDERS.items():
        if kind != "central_status":
            assert not any(matches(flt, build(theirs)) for flt in granted), (kind, granted)

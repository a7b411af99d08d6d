"""The topic table: one row per topic kind, the roles the contract gives each, and the tree drawn in topics.py."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from xdock.protocol import topics
from xdock.protocol.topic_table import ROLES, TOPIC_TABLE, AnyKind, rule_for
from xdock.protocol.topics import TopicError

CONTRACT: dict[str, tuple[set[str], set[str]]] = {
    "scan": ({"edge"}, {"central"}),
    "status": ({"edge"}, {"central"}),
    "device_status": ({"edge", "sensor_node"}, {"central"}),
    "sensor_reading": ({"edge", "sensor_node"}, {"central"}),
    "passage": ({"edge"}, {"central"}),
    "offline_answer": ({"edge"}, {"central"}),
    "cmd": ({"central"}, {"edge"}),
    "routes": ({"central"}, {"edge"}),
    "central_status": ({"central"}, {"edge"}),
}
"""Who publishes and who reads each kind, as the edge, central and sensor node code does."""


def test_every_topic_kind_has_exactly_one_row() -> None:
    kinds = [rule.kind for rule in TOPIC_TABLE]
    assert sorted(kinds) == sorted(get_args(AnyKind)) == sorted(CONTRACT)
    assert len(set(kinds)) == len(kinds)


@pytest.mark.parametrize("kind", sorted(CONTRACT))
def test_each_kind_is_published_and_read_by_the_roles_the_contract_names(kind: AnyKind) -> None:
    rule = rule_for(kind)
    assert (set(rule.publishers), set(rule.readers)) == CONTRACT[kind]
    assert set(rule.publishers) | set(rule.readers) <= set(ROLES)


def test_a_kind_without_a_row_is_named() -> None:
    with pytest.raises(KeyError, match="No topic rule for kind 'gossip'"):
        rule_for("gossip")  # type: ignore[arg-type]


def test_filters_give_an_edge_or_a_node_its_own_id_and_central_every_id() -> None:
    device = rule_for("device_status")
    assert device.topic_filter("s1", "central", "central") == "xdock/v1/s1/edge/+/device/+/status"
    assert device.topic_filter("s1", "edge", "e1") == "xdock/v1/s1/edge/e1/device/+/status"
    assert device.topic_filter("s1", "sensor_node", "n1") == "xdock/v1/s1/edge/n1/device/+/status"
    assert rule_for("central_status").topic_filter("s1", "edge", "e1") == "xdock/v1/s1/central/status"


@pytest.mark.parametrize(("site", "user", "message"), [
    ("s1", "e/1", "Invalid edge id 'e/1'"),
    ("s1", "#", "Invalid edge id '#'"),
    ("s 1", "e1", "Invalid site id 's 1'"),
])
def test_filters_refuse_ids_that_could_widen_them(site: str, user: str, message: str) -> None:
    with pytest.raises(TopicError, match=re.escape(message)):
        rule_for("scan").topic_filter(site, "edge", user)


def test_the_tree_in_the_topics_docstring_is_the_table() -> None:
    assert topics.__doc__ is not None
    drawn = [re.split(r"\s{2,}", line.strip()) for line in topics.__doc__.splitlines()
             if line.startswith(("    edge/", "    central/"))]
    expected = [
        [rule.pattern,
         f"{', '.join(r.replace('_', ' ') for r in rule.publishers)} -> "
         f"{', '.join(r.replace('_', ' ') for r in rule.readers)}",
         rule.message,
         f"QoS {rule.qos}" + (", retained" if rule.retained else "") + (", Last Will" if rule.will else "")]
        for rule in TOPIC_TABLE
    ]
    assert drawn == expected

"""The table of every v1 topic kind: its topic, who publishes it, who reads it, its message, QoS and retain flag.

It is the one source of the broker's access list (``xdock broker-config`` renders it per user), of the
table in ``docs/broker-config.md`` and of the tree drawn in :mod:`xdock.protocol.topics` (tests hold
both to it). Three roles speak on the broker, each logged in under its own user name:

``central``      the site's central, user ``central``;
``edge``         an edge agent, user = its edge id;
``sensor_node``  an MQTT sensor node, user = its node id, which is also the edge segment of its topics
                 (a node is its own pseudo-edge, see :mod:`xdock.firmware_mocks.mqtt_sensor_node`).

In a :attr:`TopicRule.pattern`, ``{edge}`` is the edge segment: an edge or a sensor node may use only
its own id there, central any. ``{device}`` and ``{sensor}`` stand for any one id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from xdock.protocol.topics import ROOT, Kind, check_id

__all__ = ["ROLES", "TOPIC_TABLE", "AnyKind", "Role", "TopicRule", "rule_for"]

Role = Literal["central", "edge", "sensor_node"]
ROLES: tuple[Role, ...] = get_args(Role)

AnyKind = Literal[Kind, "central_status"]
"""Every topic kind: the edge topics :func:`~xdock.protocol.topics.parse_topic` knows, and central's status."""

_PLACEHOLDER = re.compile(r"\{(edge|device|sensor)\}")


@dataclass(frozen=True)
class TopicRule:
    """One topic kind and who may do what with it."""

    kind: AnyKind
    pattern: str
    """The topic below ``xdock/v1/{site}/``, with ``{edge}``, ``{device}`` or ``{sensor}`` for its ids."""
    publishers: tuple[Role, ...]
    readers: tuple[Role, ...]
    message: str
    """The message model carried (see :mod:`xdock.protocol.messages`)."""
    qos: int
    retained: bool
    will: bool = False
    """Also the publisher's MQTT Last Will (published by the broker when the publisher vanishes)."""

    def topic_filter(self, site: str, role: Role, user: str) -> str:
        """The filter this rule grants ``user`` (of ``role``) at ``site``: its own id in ``{edge}`` unless central."""
        own = "+" if role == "central" else check_id(f"{role.replace('_', ' ')} id", user)

        def fill(match: re.Match[str]) -> str:
            return own if match.group(1) == "edge" else "+"

        return f"{ROOT}/{check_id('site id', site)}/{_PLACEHOLDER.sub(fill, self.pattern)}"

    def full_pattern(self) -> str:
        """The whole topic with placeholders, as the docs show it."""
        return f"{ROOT}/{{site}}/{self.pattern}"


_UPLINK_EDGE: tuple[Role, ...] = ("edge",)
_UPLINK_ANY: tuple[Role, ...] = ("edge", "sensor_node")
_CENTRAL: tuple[Role, ...] = ("central",)

TOPIC_TABLE: tuple[TopicRule, ...] = (
    TopicRule("scan", "edge/{edge}/scan", _UPLINK_EDGE, _CENTRAL, "ScanEvent", 1, retained=False),
    TopicRule("status", "edge/{edge}/status", _UPLINK_EDGE, _CENTRAL, "EdgeStatus", 1, retained=True, will=True),
    TopicRule("device_status", "edge/{edge}/device/{device}/status", _UPLINK_ANY, _CENTRAL, "DeviceStatus", 1,
              retained=True, will=True),
    TopicRule("sensor_reading", "edge/{edge}/sensor/{sensor}/reading", _UPLINK_ANY, _CENTRAL, "SensorReading", 1,
              retained=False),
    TopicRule("passage", "edge/{edge}/passage", _UPLINK_EDGE, _CENTRAL, "DoorPassage", 1, retained=False),
    TopicRule("offline_answer", "edge/{edge}/offline_answer", _UPLINK_EDGE, _CENTRAL, "OfflineAnswerShown", 1,
              retained=False),
    TopicRule("cmd", "edge/{edge}/cmd", _CENTRAL, _UPLINK_EDGE, "Assignment | Feedback", 1, retained=False),
    TopicRule("routes", "edge/{edge}/routes", _CENTRAL, _UPLINK_EDGE, "RouteSnapshot", 1, retained=True),
    TopicRule("central_status", "central/status", _CENTRAL, _UPLINK_EDGE, "CentralStatus", 1, retained=True,
              will=True),
)
"""Every topic kind, once. A sensor node's device status is its own liveness (device id = node id)."""


def rule_for(kind: AnyKind) -> TopicRule:
    """The table's row for ``kind``; raise ``KeyError`` naming it if there is none."""
    for rule in TOPIC_TABLE:
        if rule.kind == kind:
            return rule
    raise KeyError(f"No topic rule for kind {kind!r}")

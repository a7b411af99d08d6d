"""The MQTT topic tree, version 1.

Every topic starts with ``xdock/v1/{site}/`` so several sites can share one broker and a later
version of the contract can live beside this one. Below that root, every topic kind, who publishes
and who reads it (from :data:`xdock.protocol.topic_table.TOPIC_TABLE`, the source of the broker's
ACL; a test holds these lines to it)::

    edge/{edge}/scan                     edge -> central               ScanEvent              QoS 1
    edge/{edge}/status                   edge -> central               EdgeStatus             QoS 1, retained, Last Will
    edge/{edge}/device/{device}/status   edge, sensor node -> central  DeviceStatus           QoS 1, retained, Last Will
    edge/{edge}/sensor/{sensor}/reading  edge, sensor node -> central  SensorReading          QoS 1
    edge/{edge}/passage                  edge -> central               DoorPassage            QoS 1
    edge/{edge}/offline_answer           edge -> central               OfflineAnswerShown     QoS 1
    edge/{edge}/cmd                      central -> edge               Assignment | Feedback  QoS 1
    edge/{edge}/routes                   central -> edge               RouteSnapshot          QoS 1, retained
    central/status                       central -> edge               CentralStatus          QoS 1, retained, Last Will

Site, edge, device and sensor ids are restricted to ``[A-Za-z0-9_-]`` (1-64 chars) so they can never
smuggle a ``/``, ``+`` or ``#`` into a topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from xdock.protocol import identifiers

__all__ = [
    "ROOT",
    "TopicError",
    "TopicName",
    "central_status_topic",
    "check_id",
    "cmd_topic",
    "device_status_topic",
    "edge_status_topic",
    "offline_answer_topic",
    "offline_answer_wildcard",
    "parse_topic",
    "passage_topic",
    "passage_wildcard",
    "routes_topic",
    "scan_topic",
    "scan_wildcard",
    "sensor_reading_topic",
    "sensor_reading_wildcard",
    "status_wildcard",
]

ROOT = "xdock/v1"

Kind = Literal["scan", "status", "device_status", "cmd", "routes", "sensor_reading", "passage", "offline_answer"]


class TopicError(ValueError):
    """A topic or id that does not belong to the v1 tree."""


def check_id(what: str, value: str) -> str:
    """Return ``value`` if it is a valid site/edge/device id (:func:`xdock.protocol.identifiers.check_id`),
    else raise naming ``what``."""
    try:
        return identifiers.check_id(what, value)
    except identifiers.IdentifierError as exc:
        raise TopicError(str(exc)) from exc


def _edge(site: str, edge: str) -> str:
    return f"{ROOT}/{check_id('site id', site)}/edge/{check_id('edge id', edge)}"


def scan_topic(site: str, edge: str) -> str:
    return f"{_edge(site, edge)}/scan"


def edge_status_topic(site: str, edge: str) -> str:
    return f"{_edge(site, edge)}/status"


def device_status_topic(site: str, edge: str, device: str) -> str:
    return f"{_edge(site, edge)}/device/{check_id('device id', device)}/status"


def sensor_reading_topic(site: str, edge: str, sensor: str) -> str:
    return f"{_edge(site, edge)}/sensor/{check_id('sensor id', sensor)}/reading"


def passage_topic(site: str, edge: str) -> str:
    return f"{_edge(site, edge)}/passage"


def offline_answer_topic(site: str, edge: str) -> str:
    return f"{_edge(site, edge)}/offline_answer"


def cmd_topic(site: str, edge: str) -> str:
    return f"{_edge(site, edge)}/cmd"


def routes_topic(site: str, edge: str) -> str:
    return f"{_edge(site, edge)}/routes"


def central_status_topic(site: str) -> str:
    return f"{ROOT}/{check_id('site id', site)}/central/status"


def scan_wildcard(site: str) -> str:
    """What central subscribes to for every edge's scans at ``site``."""
    return f"{ROOT}/{check_id('site id', site)}/edge/+/scan"


def sensor_reading_wildcard(site: str) -> str:
    """What central subscribes to for every sensor reading of every edge at ``site``."""
    return f"{ROOT}/{check_id('site id', site)}/edge/+/sensor/+/reading"


def passage_wildcard(site: str) -> str:
    """What central subscribes to for every edge's RFID door passages at ``site``."""
    return f"{ROOT}/{check_id('site id', site)}/edge/+/passage"


def offline_answer_wildcard(site: str) -> str:
    """What central subscribes to for the offline answers every edge at ``site`` reports shown."""
    return f"{ROOT}/{check_id('site id', site)}/edge/+/offline_answer"


def status_wildcard(site: str) -> str:
    """Edge and device status topics of every edge at ``site``."""
    return f"{ROOT}/{check_id('site id', site)}/edge/+/#"


@dataclass(frozen=True)
class TopicName:
    """A parsed v1 topic."""

    kind: Kind
    site: str
    edge: str
    device: str | None = None
    """The device id of a device status topic, the sensor id of a sensor reading topic."""


def parse_topic(topic: str) -> TopicName:
    """Split a v1 topic into its parts; raise :class:`TopicError` naming the topic otherwise."""
    parts = topic.split("/")
    if len(parts) < 6 or f"{parts[0]}/{parts[1]}" != ROOT or parts[3] != "edge":
        raise TopicError(f"Not an xdock v1 topic: {topic!r}")
    site, edge = parts[2], parts[4]
    check_id("site id", site)
    check_id("edge id", edge)
    tail = parts[5:]
    single: dict[str, Kind] = {"scan": "scan", "status": "status", "cmd": "cmd", "routes": "routes",
                               "passage": "passage", "offline_answer": "offline_answer"}
    if len(tail) == 1 and tail[0] in single:
        return TopicName(single[tail[0]], site, edge)
    if len(tail) == 3 and tail[0] == "device" and tail[2] == "status":
        return TopicName("device_status", site, edge, check_id("device id", tail[1]))
    if len(tail) == 3 and tail[0] == "sensor" and tail[2] == "reading":
        return TopicName("sensor_reading", site, edge, check_id("sensor id", tail[1]))
    raise TopicError(
        f"Unknown xdock v1 topic {topic!r}: expected .../scan, /status, /cmd, /routes, /passage, /offline_answer,"
        " /device/<id>/status or /sensor/<id>/reading"
    )

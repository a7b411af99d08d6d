"""Uplinks checked before central applies them: the topic is a v1 topic of this site and of the right
kind, the payload decodes strictly, and the edge (and sensor) named inside matches the topic's.

A refusal carries a stable reason key: ``bad_topic`` (not a v1 topic of that kind, or a bad id in
it), ``unknown_site`` (another site's topic), ``oversized`` (over the payload limit),
``wrong_version`` (``v`` is not 1), ``bad_identifier`` (an SSCC or ship-to GLN with a wrong check
digit, a malformed postal code or id, a passage's EPC that is not its SSCC's: see
:mod:`xdock.protocol.identifiers`), ``bad_payload`` (not JSON, wrong types, missing or extra
fields), ``edge_mismatch`` (``edge_id`` differs from the topic's edge). The site file declares no
edges, so any well-formed edge id is accepted: an edge is known once it speaks.
"""

from __future__ import annotations

from typing import TypeVar

from xdock.protocol.messages import MessageError, OfflineAnswerShown, ScanEvent, decode
from xdock.protocol.passages import DoorPassage
from xdock.protocol.sensors import SensorReading
from xdock.protocol.topics import TopicError, TopicName, parse_topic

_Uplink = TypeVar("_Uplink", ScanEvent, DoorPassage, SensorReading, OfflineAnswerShown)
Uplink = ScanEvent | DoorPassage | SensorReading | OfflineAnswerShown

__all__ = ["Uplink", "UplinkDecoder", "UplinkRefusedError", "refusal_reason"]


class UplinkRefusedError(ValueError):
    """An uplink refused for a reason its decoder cannot see (the topic's site or edge)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def refusal_reason(exc: Exception) -> str:
    """The stable key of why an uplink was refused (see the module docstring)."""
    if isinstance(exc, UplinkRefusedError | MessageError):
        return exc.reason
    return "bad_topic"


class UplinkDecoder:
    """Decodes one site's uplinks; raises ``TopicError``, ``MessageError`` or :class:`UplinkRefusedError`."""

    def __init__(self, site: str) -> None:
        self.site = site

    def uplink(self, topic: str, payload: bytes) -> Uplink:
        """``payload`` by its topic's kind, the topic parsed once: a passage, an offline answer reported, a
        sensor reading, anything else a scan."""
        name = parse_topic(topic)
        if name.kind == "passage":
            return self._decoded(topic, name, payload, "passage", DoorPassage)
        if name.kind == "offline_answer":
            return self._decoded(topic, name, payload, "offline_answer", OfflineAnswerShown)
        if name.kind == "sensor_reading":
            reading = self._decoded(topic, name, payload, "sensor_reading", SensorReading)
            if reading.sensor_id != name.device:
                raise UplinkRefusedError(f"Invalid SensorReading: field 'sensor_id': {reading.sensor_id!r} published "
                                         f"on {topic!r}", reason="edge_mismatch")
            return reading
        return self._decoded(topic, name, payload, "scan", ScanEvent)

    def _decoded(self, topic: str, name: TopicName, payload: bytes, kind: str, model: type[_Uplink]) -> _Uplink:
        """``payload`` as ``model`` when ``topic`` (parsed: ``name``) is this site's ``kind`` topic of the edge
        it names."""
        if name.kind != kind:
            raise TopicError(f"Not a {kind} topic: {topic!r}")
        if name.site != self.site:
            raise UplinkRefusedError(
                f"{kind.capitalize()} for site {name.site!r} reached central of site {self.site!r}",
                reason="unknown_site",
            )
        message = decode(model, payload)
        if message.edge_id != name.edge:
            raise UplinkRefusedError(
                f"Invalid {model.__name__}: field 'edge_id': {message.edge_id!r} published on {topic!r}",
                reason="edge_mismatch",
            )
        return message

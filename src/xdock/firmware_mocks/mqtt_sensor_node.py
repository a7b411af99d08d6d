"""An MQTT sensor node: a few dock sensors behind one radio, publishing readings to the broker itself.

A node is its own pseudo-edge: its id is the ``edge_id`` of its readings and the edge segment of its
topics, so central takes its readings exactly like an edge's (idempotency key ``(node_id, seq)``):

* readings on ``xdock/v1/{site}/edge/{node}/sensor/{sensor}/reading`` (QoS 1);
* its liveness on ``xdock/v1/{site}/edge/{node}/device/{node}/status``: a retained
  :class:`~xdock.protocol.messages.DeviceStatus` (``device_kind`` ``sensor_node``) online at
  connect, and the same topic offline as its MQTT Last Will, so a node that loses power or link
  shows offline without saying goodbye; a clean :meth:`SensorNode.__aexit__` publishes offline too.

Each sensor is sampled every ``sample_s`` of the injected clock and reported on change (by at least
its ``deadband``; any change for door contact and trailer presence) and at least every
``max_interval_s`` (the node's own simple schedule: firmware does not share the edge's policy code).
Values come from a :class:`ValueScript`: steps ``(seconds after start, value)`` over the clock.

``seq`` survives a restart through a small file holding a high-water mark reserved in blocks of
``seq_block``: a restarted node starts after the last reserved block, so it never repeats a key
(a crash only leaves a gap, which central does not mind).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import aiomqtt

from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.protocol.messages import DeviceStatus, encode
from xdock.protocol.sensors import KIND_UNITS, SensorKind, SensorReading, is_binary
from xdock.protocol.topics import check_id, device_status_topic, sensor_reading_topic
from xdock.transport.broker import DEFAULT_LINK, BrokerLink, mqtt_client
from xdock.transport.connection_end import connection_end

__all__ = ["NodeSensor", "SensorNode", "SeqFile", "ValueScript", "reefer_logger"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValueScript:
    """A sensor's value over time: each step holds from its offset (seconds after start) to the next."""

    steps: Sequence[tuple[float, float]]

    def __post_init__(self) -> None:
        if not self.steps or self.steps[0][0] != 0:
            raise ValueError("ValueScript steps must start at offset 0")
        offsets = [offset for offset, _ in self.steps]
        if offsets != sorted(offsets):
            raise ValueError(f"ValueScript step offsets must increase, got {offsets}")

    def value_at(self, elapsed_s: float) -> float:
        value = self.steps[0][1]
        for offset, step_value in self.steps:
            if offset > elapsed_s:
                break
            value = step_value
        return value


@dataclass(frozen=True)
class NodeSensor:
    """One sensor of a node and its report schedule."""

    sensor_id: str
    kind: SensorKind
    script: ValueScript
    deadband: float = 0.0
    """A change smaller than this is not reported (0 for the state kinds: any change)."""
    max_interval_s: float = 300.0
    """An unchanged value is reported again after this long."""

    def __post_init__(self) -> None:
        check_id("sensor id", self.sensor_id)
        if self.deadband < 0 or (is_binary(self.kind) and self.deadband != 0):
            raise ValueError(f"NodeSensor {self.sensor_id} deadband: must be >= 0 (0 for {self.kind}), "
                             f"got {self.deadband}")
        if not self.max_interval_s > 0:
            raise ValueError(f"NodeSensor {self.sensor_id} max_interval_s: must be > 0, got {self.max_interval_s}")


def reefer_logger(prefix: str, temperatures: ValueScript, humidity: ValueScript) -> list[NodeSensor]:
    """A trailer reefer logger: temperature (half a degree, every 5 min) and humidity (2 %RH, every 5 min)."""
    return [
        NodeSensor(f"{prefix}-TEMP", "temperature", temperatures, deadband=0.5, max_interval_s=300.0),
        NodeSensor(f"{prefix}-RH", "humidity", humidity, deadband=2.0, max_interval_s=300.0),
    ]


@dataclass
class SeqFile:
    """The node's sequence numbers, kept across restarts by a reserved high-water mark in ``path``."""

    path: Path
    block: int = 100
    _next: int = field(default=0, init=False)
    _reserved: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = "1"
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"seq file {self.path}: expected a positive integer, got {text[:20]!r}")
        self._next = self._reserved = int(text)

    def take(self) -> int:
        """The next seq, reserving a new block on disk first when the current one is used up."""
        if self._next >= self._reserved:
            self._reserved = self._next + self.block
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(f"{self._reserved}\n", encoding="ascii")
            os.replace(tmp, self.path)
        seq = self._next
        self._next += 1
        return seq


@dataclass
class _Reported:
    value: float
    at: datetime


class SensorNode:
    """A node connected to the broker: ``async with SensorNode(...) as node: await node.run()``."""

    def __init__(
        self, site: str, node_id: str, sensors: Sequence[NodeSensor], clock: Clock, seq_file: Path, *,
        host: str = "127.0.0.1", port: int = 1883, sample_s: float = 10.0, seq_block: int = 100,
        username: str | None = None, password: str | None = None, link: BrokerLink = DEFAULT_LINK,
        tls: bool = False,
    ) -> None:
        """``username``/``password``: the broker log-in (a site's broker knows a node by its id); ``tls``: speak
        TLS to the broker (``mqtts://``) with ``link``'s CA and client certificate."""
        check_id("site id", site)
        check_id("node id", node_id)
        ids = [s.sensor_id for s in sensors]
        if len(set(ids)) != len(ids):
            raise ValueError(f"SensorNode {node_id}: duplicate sensor ids in {ids}")
        self.site, self.node_id, self.sensors, self.clock = site, node_id, list(sensors), clock
        self.sample_s = sample_s
        self.seq = SeqFile(seq_file, seq_block)
        self.status_topic = device_status_topic(site, node_id, node_id)
        self.published = 0
        self._started = clock.now()
        self._reported: dict[str, _Reported] = {}
        self._client = mqtt_client(
            BrokerUrl(host, port, tls=tls, username=username, password=password), link,
            identifier=f"xdock-node-{node_id}", keepalive=5,
            will=aiomqtt.Will(self.status_topic, self._status(online=False, detail="link lost"), qos=1, retain=True),
        )

    def _status(self, *, online: bool, detail: str = "") -> bytes:
        return encode(DeviceStatus(edge_id=self.node_id, device_id=self.node_id, device_kind="sensor_node",
                                   online=online, at=self.clock.now(), detail=detail))

    async def __aenter__(self) -> Self:
        await self._client.__aenter__()
        await self._client.publish(self.status_topic, self._status(online=True), qos=1, retain=True)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self._client.publish(self.status_topic, self._status(online=False, detail="shut down"),
                                       qos=1, retain=True)
        finally:
            try:
                await self._client.__aexit__(exc_type, exc, tb)
            finally:
                connection_end(self._client)

    async def step(self) -> list[SensorReading]:
        """Sample every sensor at the clock's now; publish and return the readings that are due."""
        now = self.clock.now()
        elapsed = (now - self._started).total_seconds()
        due = []
        for sensor in self.sensors:
            value = sensor.script.value_at(elapsed)
            last = self._reported.get(sensor.sensor_id)
            if last is not None:
                moved = abs(value - last.value)
                changed = moved > 0 and moved >= sensor.deadband
                if not changed and (now - last.at).total_seconds() < sensor.max_interval_s:
                    continue
            self._reported[sensor.sensor_id] = _Reported(value, now)
            due.append(SensorReading(edge_id=self.node_id, seq=self.seq.take(), sensor_id=sensor.sensor_id,
                                     kind=sensor.kind, value=value, unit=KIND_UNITS[sensor.kind], at=now))
        for reading in due:
            topic = sensor_reading_topic(self.site, self.node_id, reading.sensor_id)
            await self._client.publish(topic, encode(reading), qos=1)
            self.published += 1
            log.debug("node %s published %s = %s", self.node_id, reading.sensor_id, reading.value)
        return due

    async def run(self) -> None:
        """Sample every ``sample_s`` seconds of the clock until cancelled."""
        while True:
            await self.step()
            await self.clock.sleep(self.sample_s)

"""The edge's MQTT link: publishes uplink messages in order, receives commands.

One reconnect loop owns the connection. Uplink messages wait in an in-memory queue while the
broker is away and go out in order, each confirmed by the broker (QoS 1) before the next. The
session is persistent (fixed client id, ``clean_session=False``) so answers published while the
link was down arrive when it returns. A Last Will marks the edge offline (retained).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiomqtt

from xdock import __version__
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.protocol.messages import Assignment, EdgeStatus, Feedback, MessageError, decode_downlink, encode
from xdock.protocol.topics import cmd_topic, edge_status_topic
from xdock.transport.cancel import stop_if_cancelled
from xdock.transport.mqtt_socket import no_delay

__all__ = ["Outgoing", "Uplink"]

log = logging.getLogger(__name__)

DownlinkHandler = Callable[[Assignment | Feedback], Awaitable[None]]


@dataclass(frozen=True)
class Outgoing:
    topic: str
    payload: bytes
    retain: bool = False


class Uplink:
    """MQTT connection of one edge agent."""

    def __init__(
        self, site: str, edge_id: str, door: str, broker: BrokerUrl, clock: Clock, on_downlink: DownlinkHandler,
        *, reconnect_max: float = 2.0,
    ) -> None:
        self.site = site
        self.edge_id = edge_id
        self.door = door
        self.broker = broker
        self.clock = clock
        self.on_downlink = on_downlink
        self.reconnect_max = reconnect_max
        self.connected = asyncio.Event()
        self.rejected_downlinks = 0
        self._queue: deque[Outgoing] = deque()
        self._wakeup = asyncio.Event()

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        """Queue a message; it goes out, in order, as soon as the broker is reachable."""
        self._queue.append(Outgoing(topic, payload, retain))
        self._wakeup.set()

    @property
    def backlog(self) -> int:
        return len(self._queue)

    async def run(self) -> None:
        delay = 0.1
        while True:
            lost: BaseException | None = None
            try:
                await self._session()
            except* aiomqtt.MqttError as group:
                lost = group.exceptions[0]
            self.connected.clear()
            stop_if_cancelled()
            log.warning("edge %s: broker %s lost (%s); retrying in %.1f s", self.edge_id, self.broker, lost, delay)
            await asyncio.sleep(delay)
            delay = min(self.reconnect_max, delay * 2)

    def _status(self, online: bool) -> bytes:
        return encode(EdgeStatus(edge_id=self.edge_id, online=online, door=self.door, at=self.clock.now(),
                                 version=__version__))

    async def _session(self) -> None:
        status = edge_status_topic(self.site, self.edge_id)
        will = aiomqtt.Will(status, encode(EdgeStatus(edge_id=self.edge_id, online=False, door=self.door)), 1, True)
        async with aiomqtt.Client(
            self.broker.host, self.broker.port, identifier=f"xdock-edge-{self.site}-{self.edge_id}",
            clean_session=False, will=will, keepalive=10,
            username=self.broker.username, password=self.broker.password,
        ) as client:
            no_delay(client)
            await client.subscribe(cmd_topic(self.site, self.edge_id), qos=1)
            await client.publish(status, self._status(True), qos=1, retain=True)
            self.connected.set()
            log.info("edge %s connected to %s", self.edge_id, self.broker)
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._send(client))
                tasks.create_task(self._receive(client))

    async def _send(self, client: aiomqtt.Client) -> None:
        while True:
            while self._queue:
                head = self._queue[0]
                await client.publish(head.topic, head.payload, qos=1, retain=head.retain)
                self._queue.popleft()
            self._wakeup.clear()
            await self._wakeup.wait()

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
            try:
                downlink = decode_downlink(payload)
            except MessageError as exc:
                self.rejected_downlinks += 1
                log.warning("edge %s: rejected command on %s: %s", self.edge_id, message.topic, exc)
                continue
            await self.on_downlink(downlink)

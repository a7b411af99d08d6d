"""The edge's MQTT link: scans out of the durable outbox, statuses, commands and routing snapshots in.

One reconnect loop owns the connection. The session is persistent (fixed client id; kept on MQTT 5
as on 3.1.1 by :func:`~xdock.transport.broker.mqtt_client`) so answers published while the link was
down arrive when it returns; a Last Will marks the edge offline (retained).

Scans: :meth:`Uplink.submit` records a scan in the :class:`~xdock.edge.outbox.Outbox` (on disk
before it returns) and queues it; the broker's acknowledgement (QoS 1) marks it sent. Up to
``window`` publishes are in flight at once, so a slow link still drains fast. What goes next is
decided by :class:`~xdock.edge.drain.DrainQueue`: scans recorded while the link is up go first, in
``seq`` order; scans recorded while it was down (or by an earlier run, or unacknowledged when it
dropped) follow in ``seq`` order, at most ``drain_rate`` per second. Live scans may overtake the
backlog; central keys by ``(edge_id, seq)``, so order does not change what it applies, and a scan
published twice (acknowledgement lost with the link) is applied once.

A scan the broker refuses (MQTT 5 PUBACK reason code 0x80 or above, e.g. 0x87 when its ACL does not
let this edge publish there) stays in the outbox unsent and is tried again with back-off
(:class:`~xdock.edge.drain.DrainQueue`); it is counted by reason and the edge's status reports the
problem while it waits (:class:`~xdock.edge.refusals.BrokerRefusals`), so central can show it.

Statuses (retained, latest value per topic) do not go through the outbox: the latest of each is
published on every connect and whenever it changes. A clean stop (the task cancelled: SIGTERM,
Ctrl-C) publishes the edge's status ``online: false`` (with the time and the backlog left) before
disconnecting, so central marks the edge offline at once; the Last Will is for a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

import aiomqtt

from xdock.edge.drain import DrainQueue
from xdock.edge.heartbeat import edge_status
from xdock.edge.outbox import Outbox, OutboxRow
from xdock.edge.refusals import BrokerRefusals
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.protocol.messages import (
    Assignment,
    CentralStatus,
    Feedback,
    MessageError,
    RouteSnapshot,
    decode,
    decode_downlink,
    encode,
)
from xdock.protocol.topics import central_status_topic, cmd_topic, edge_status_topic, routes_topic
from xdock.transport.acked import AckedClient, PublishRefusedError
from xdock.transport.backoff import Backoff, BackoffPolicy
from xdock.transport.broker import DEFAULT_LINK, BrokerLink, connected, mqtt_client
from xdock.transport.mqtt_socket import no_delay
from xdock.transport.reconnect import keep_connected
from xdock.transport.session import last_word
from xdock.transport.waiting import take_waiting

__all__ = ["Downlinks", "Uplink", "UplinkOptions"]

log = logging.getLogger(__name__)

_GOODBYE_S = 1.0
"""Seconds a clean stop waits for the broker to take the offline status."""
_RECEIVE_AT_ONCE = 64
"""Messages from central handled one after the other, beyond the first, without waiting for the iterator."""


class Downlinks(Protocol):
    """Where the uplink hands what central sends."""

    async def on_command(self, message: Assignment | Feedback) -> None: ...

    def on_routes(self, snapshot: RouteSnapshot) -> None: ...

    def on_central_status(self, status: CentralStatus) -> None: ...


@dataclass(frozen=True)
class UplinkOptions:
    window: int = 64
    """Publishes in flight (sent, not yet acknowledged) at once."""
    drain_rate: float = 200.0
    """Backlog scans published per second at most."""
    heartbeat_s: float = 5.0
    """Period of the edge's status, announced in it."""
    reconnect: BackoffPolicy = field(default_factory=BackoffPolicy)
    """Waits between connection attempts (bounded exponential)."""
    link: BrokerLink = DEFAULT_LINK
    """MQTT version and TLS CA of the connection to the broker."""
    refused_retry_s: float = 1.0
    """Seconds before a scan the broker refused is tried again (doubling with each refusal)."""
    refused_retry_max_s: float = 60.0
    """Longest wait before a refused scan is tried again, in seconds."""


class Uplink:
    """MQTT connection of one edge agent."""

    def __init__(
        self, site: str, edge_id: str, door: str, broker: BrokerUrl, clock: Clock, outbox: Outbox,
        downlinks: Downlinks, options: UplinkOptions | None = None,
    ) -> None:
        self.site = site
        self.edge_id = edge_id
        self.door = door
        self.broker = broker
        self.clock = clock
        self.outbox = outbox
        self.downlinks = downlinks
        self.options = options or UplinkOptions()
        self.connected = asyncio.Event()
        self.rejected_downlinks = 0
        self.refusals = BrokerRefusals()
        self.drain = DrainQueue(
            rate=self.options.drain_rate, window=self.options.window, retry_s=self.options.refused_retry_s,
            retry_max_s=self.options.refused_retry_max_s,
        )
        self.drain.add_backlog(outbox.unsent_at_open())
        self._statuses: dict[str, bytes] = {}
        self._dirty: set[str] = set()
        self._wakeup = asyncio.Event()
        self._backoff = Backoff(self.options.reconnect)
        self._topics = {
            cmd_topic(site, edge_id): self._on_command,
            routes_topic(site, edge_id): self._on_routes,
            central_status_topic(site): self._on_central_status,
        }

    async def submit(self, seq: int, topic: str, payload: bytes) -> OutboxRow:
        """Record a scan durably (returns once it is on disk), then queue it for the broker."""
        row = await self.outbox.record(seq, topic, payload)
        if self.connected.is_set():
            self.drain.add_live(row)
        else:
            self.drain.add_backlog([row])
        self._wakeup.set()
        return row

    def publish_status(self, topic: str, payload: bytes) -> None:
        """Publish a retained status as soon as the broker is reachable; only the latest per topic counts."""
        self._statuses[topic] = payload
        self._dirty.add(topic)
        self._wakeup.set()

    def publish_edge_status(self) -> None:
        """This edge's retained status, online, with its outbox backlog."""
        status = edge_status(
            self.edge_id, self.door, online=True, at=self.clock.now(), heartbeat_s=self.options.heartbeat_s,
            backlog=self.outbox.unacked, refused=self.refusals.counts, problem=self.refusals.problem,
        )
        self.publish_status(edge_status_topic(self.site, self.edge_id), encode(status))

    @property
    def backlog(self) -> int:
        """Scans recorded and not yet acknowledged by the broker."""
        return self.outbox.unacked

    async def run(self) -> None:
        """Keep the link up until cancelled: reconnect with a bounded back-off, say offline on a clean stop."""
        await keep_connected(self._session, backoff=self._backoff, log=log, on_lost=self._link_down,
                             describe=f"edge {self.edge_id}: broker {self.broker}", user=self.broker.username)

    def _link_down(self) -> None:
        self.connected.clear()
        self.drain.link_lost()

    async def _session(self) -> None:
        offline = edge_status(self.edge_id, self.door, online=False, at=None, heartbeat_s=None, backlog=None)
        will = aiomqtt.Will(edge_status_topic(self.site, self.edge_id), encode(offline), 1, True)
        session = mqtt_client(
            self.broker, self.options.link, identifier=f"xdock-edge-{self.site}-{self.edge_id}", persistent=True,
            will=will, max_inflight=self.options.window,
        )
        async with connected(session, self.broker, in_flight=2 * self.options.window) as client:
            no_delay(client)
            for topic in self._topics:
                await client.subscribe(topic, qos=1)
            self._dirty.update(self._statuses)
            self.publish_edge_status()
            self.connected.set()
            log.info("edge %s connected to %s (%d scans to send, after %d failed attempts)", self.edge_id, self.broker,
                     self.outbox.unacked, self._backoff.succeeded())
            # The body keeps receiving until the link fails: a child failing while the body still runs
            # is the case in which Python 3.11's TaskGroup un-cancels this task again.
            try:
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(self._send(client, tasks))
                    await self._receive(client)
            except asyncio.CancelledError:
                await self._goodbye(client)
                raise

    async def _goodbye(self, client: aiomqtt.Client) -> None:
        """Say offline (retained) before the clean disconnect of a stop."""
        offline = edge_status(self.edge_id, self.door, online=False, at=self.clock.now(), heartbeat_s=None,
                              backlog=self.outbox.unacked)
        if await last_word(client, edge_status_topic(self.site, self.edge_id), encode(offline), timeout=_GOODBYE_S):
            log.info("edge %s: told the broker it is going offline", self.edge_id)

    async def _send(self, client: AckedClient, tasks: asyncio.TaskGroup) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wakeup.clear()
            for topic in sorted(self._dirty):
                tasks.create_task(self._publish_status(client, topic, self._statuses[topic]))
            self._dirty.clear()
            while (row := self.drain.take(loop.time())) is not None:
                tasks.create_task(self._publish(client, row))
            due = self.drain.next_due(loop.time())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(due):
                    await self._wakeup.wait()

    async def _publish(self, client: AckedClient, row: OutboxRow) -> None:
        try:
            await client.deliver(row.topic, row.payload)
        except PublishRefusedError as refused:
            now = asyncio.get_running_loop().time()
            problem = self.refusals.refused(row.seq, refused)
            retry = self.drain.refused(row.seq, now)
            if self.refusals.worth_telling(problem, now):
                log.warning("edge %s: %s (seq %d, reason code 0x%02X; %d refused messages wait); trying again in "
                            "%.3g s", self.edge_id, problem, row.seq, refused.code, self.refusals.waiting, retry)
            self.publish_edge_status()
            return
        self.drain.acked(row.seq)
        self.outbox.mark_sent(row.seq)
        if self.refusals.problem is not None:
            self.refusals.accepted(row.seq)
            if self.refusals.problem is None:
                log.info("edge %s: the broker takes every refused message now", self.edge_id)
                self.publish_edge_status()
        self._wakeup.set()

    async def _publish_status(self, client: aiomqtt.Client, topic: str, payload: bytes) -> None:
        try:
            await client.publish(topic, payload, qos=1, retain=True)
        except aiomqtt.MqttError:
            if self._statuses.get(topic) == payload:
                self._dirty.add(topic)  # sent again on the next connect
            raise

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for first in client.messages:
            # Those already waiting too: aiomqtt's iterator costs a task and a few loop turns per message.
            for message in [first, *take_waiting(client, _RECEIVE_AT_ONCE)]:
                await self._dispatch(message)

    async def _dispatch(self, message: aiomqtt.Message) -> None:
        payload = message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
        handler = self._topics.get(message.topic.value)
        if handler is None:
            log.warning("edge %s: message on unexpected topic %s", self.edge_id, message.topic)
            return
        try:
            await handler(payload)
        except MessageError as exc:
            self.rejected_downlinks += 1
            log.warning("edge %s: rejected message on %s: %s", self.edge_id, message.topic, exc)

    async def _on_command(self, payload: bytes) -> None:
        await self.downlinks.on_command(decode_downlink(payload))

    async def _on_routes(self, payload: bytes) -> None:
        snapshot = decode(RouteSnapshot, payload)
        if snapshot.edge_id != self.edge_id:
            raise MessageError(f"Invalid RouteSnapshot: field 'edge_id': {snapshot.edge_id!r} is not this edge")
        self.downlinks.on_routes(snapshot)

    async def _on_central_status(self, payload: bytes) -> None:
        self.downlinks.on_central_status(decode(CentralStatus, payload))

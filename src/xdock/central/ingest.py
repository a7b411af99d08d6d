"""Scan ingestion over MQTT: subscribe to every edge's scans, apply each, answer the edge.

Central keeps a persistent MQTT session (fixed client id, ``clean_session=False``) and
acknowledges a scan to the broker only after its effect is stored and the answer published, so
a scan in flight when central dies is redelivered on restart and recognised by its key.

A payload that is not a valid scan is never retried forever: it is acknowledged, counted by
reason, and kept in the event log as a ``rejected_uplink`` event so nothing vanishes unseen.

Edge and device statuses (QoS 0 for central: only the retained last state matters, delivered again
on every subscribe) go to :class:`Liveness`, told when central listens and when it cannot hear.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field

import aiomqtt

from xdock.central.liveness import Liveness, status_subscriptions
from xdock.central.scans import ScanService
from xdock.central.store import StoreError
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.protocol.messages import MessageError, ScanEvent, decode, encode
from xdock.protocol.topics import TopicError, cmd_topic, parse_topic, scan_wildcard
from xdock.transport.cancel import stop_if_cancelled
from xdock.transport.mqtt_socket import no_delay

__all__ = ["Ingest", "IngestStats"]

log = logging.getLogger(__name__)
_KEEP_PAYLOAD = 4096


@dataclass
class IngestStats:
    received: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    connects: int = 0


class Ingest:
    """The MQTT side of central for one site."""

    def __init__(
        self, site: str, broker: BrokerUrl, service: ScanService, clock: Clock, *,
        client_id: str | None = None, reconnect_max: float = 2.0, max_batch: int = 256,
        liveness: Liveness | None = None,
    ) -> None:
        self.site = site
        self.broker = broker
        self.service = service
        self.clock = clock
        self.client_id = client_id or f"xdock-central-{site}"
        self.reconnect_max = reconnect_max
        self.max_batch = max_batch
        self.stats = IngestStats()
        self.connected = asyncio.Event()
        self.liveness = liveness

    async def run(self) -> None:
        """Serve until cancelled, reconnecting with capped back-off when the broker goes away."""
        delay = 0.1
        while True:
            try:
                await self._session()
            except aiomqtt.MqttError as exc:
                self.connected.clear()
                if self.liveness is not None:
                    self.liveness.deaf()
                stop_if_cancelled()
                log.warning("broker %s unreachable or lost (%s); retrying in %.1f s", self.broker, exc, delay)
                await asyncio.sleep(delay)
                delay = min(self.reconnect_max, delay * 2)
            else:
                delay = 0.1

    async def _session(self) -> None:
        async with aiomqtt.Client(
            self.broker.host, self.broker.port, identifier=self.client_id, clean_session=False,
            username=self.broker.username, password=self.broker.password, keepalive=10,
        ) as client:
            # The broker must not consider a scan delivered before its effect is stored.
            client._client.manual_ack_set(True)
            no_delay(client)
            await client.subscribe(scan_wildcard(self.site), qos=1)
            if self.liveness is not None:
                self.liveness.listening()
                for status_filter in status_subscriptions(self.site):
                    await client.subscribe(status_filter, qos=0)
            self.stats.connects += 1
            self.connected.set()
            log.info("central for site %s subscribed on %s", self.site, self.broker)
            messages = client.messages
            async for first in messages:
                # Everything already waiting is applied together: one disk sync for the batch.
                batch = [first]
                while len(messages) and len(batch) < self.max_batch:
                    batch.append(await anext(messages))
                await self._handle(client, batch)
                for message in batch:
                    client._client.ack(message.mid, message.qos)

    async def _handle(self, client: aiomqtt.Client, batch: list[aiomqtt.Message]) -> None:
        events: list[ScanEvent] = []
        for message in batch:
            self.stats.received += 1
            topic = str(message.topic)
            payload = message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
            if self.liveness is not None and topic.endswith("/status"):
                try:
                    self.liveness.handle(topic, payload, retained=message.retain)
                except (TopicError, MessageError) as exc:
                    self._reject(topic, payload, exc)
                continue
            try:
                events.append(self._scan(topic, payload))
            except (TopicError, MessageError) as exc:
                self._reject(topic, payload, exc)
        if not events:
            return
        try:
            results = self.service.apply_batch(events)
        except StoreError:
            log.exception("cannot store %d scans; they stay unacknowledged", len(events))
            raise
        for event, applied in zip(events, results, strict=True):
            await client.publish(cmd_topic(self.site, event.edge_id), encode(applied.reply), qos=1)

    def _scan(self, topic: str, payload: bytes) -> ScanEvent:
        name = parse_topic(topic)
        if name.site != self.site:
            raise TopicError(f"Scan for site {name.site!r} reached central of site {self.site!r}")
        event = decode(ScanEvent, payload)
        if event.edge_id != name.edge:
            raise MessageError(f"Invalid ScanEvent: field 'edge_id': {event.edge_id!r} published on {topic!r}")
        return event

    def _reject(self, topic: str, payload: bytes, exc: Exception) -> None:
        reason = type(exc).__name__
        self.stats.rejected[reason] += 1
        log.warning("rejected uplink on %s: %s", topic, exc)
        body = {"topic": topic, "error": str(exc), "payload": payload[:_KEEP_PAYLOAD].decode("utf-8", "replace"),
                "payload_bytes": len(payload)}
        with self.service.store.transaction() as tx:
            tx.append_event(self.clock.now(), "rejected_uplink", body)

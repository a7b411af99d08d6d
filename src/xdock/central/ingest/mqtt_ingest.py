"""Scan ingestion over MQTT: subscribe to every edge's scans, apply each, answer the edge.

Central keeps a persistent MQTT session (fixed client id; :func:`~xdock.transport.broker.mqtt_client`
keeps it on MQTT 5 as on 3.1.1) and
acknowledges a scan to the broker only after its effect is stored and the answer published, so
a scan in flight when central dies is redelivered on restart and recognised by its key.

A payload that is not a valid scan is never retried forever: it is acknowledged and handed to
:class:`~xdock.central.ingest.refusals.UplinkRefusals` (:mod:`xdock.central.ingest.uplinks` checks each
and names the reason), which counts it per edge and reason, logs the first of each per minute and
keeps a bounded sample, all in memory, written to the store now and then as a few counter rows: junk
never costs a store commit or a log line per message, so it neither stalls live answers nor fills
the disk.

A replayed scan (same ``(edge_id, seq)``) is applied once; a replay is answered with the stored
answer and counted as a duplicate.

Batches and the answer pipeline: every message already waiting on the broker (up to ``max_batch``)
is taken with the first as one batch, and the batch's scans are applied in one store transaction
(one disk sync: :meth:`~xdock.central.site.live_site.LiveSite.apply_scans`). Once that commit is
done, the batch's answers are published and, when the broker has acknowledged every one, the batch
is acknowledged to the broker, in the order the batches came. Central does not wait for those
acknowledgements before it applies the next batch: up to ``_ANSWERING`` batches' answers are on
their way at once, so the broker's round trip is not added to every batch's time and central's one
loop goes on applying scans meanwhile. An answer never leaves before its scan's commit, and a scan
is never acknowledged before its answer: a crash at any point leaves the scans not yet acknowledged
with the broker, and their redelivery gets the stored answers.

Clock skew: central decides on its own clock, and ``scanned_at`` is only the edge's claim, so a
scan is never refused or held for its time. When ``scanned_at`` is more than ``skew_tolerance``
(5 minutes) ahead of central's clock, or behind it, the scan is still applied, counted as
``clock_skew`` and a ``clock_skew`` event records the skew in seconds. A scan that carries an
offline decision is known to have waited in the edge's outbox, so only its being *ahead* counts;
a late scan without one may be a skewed clock or a delayed delivery, and is counted (the edge's
status shows its backlog).

Offline answers an edge reports it gave after their scan had left (``.../edge/{edge}/offline_answer``)
are handed to the site core after the batch's scans and passages
(:meth:`~xdock.central.site.live_site.LiveSite.apply_offline_answer`: once per key, counted as kept or
corrected offline answers).

RFID door passages (``.../edge/{edge}/passage``, routed by their topic's kind) are checked
and refused the same way, applied after the batch's scans by the site core
(:meth:`~xdock.central.site.live_site.LiveSite.apply_passage`, once per key), and a mis-load's STOP is published
on the edge's command topic before the passage is acknowledged.

Edge and device statuses (QoS 0 for central: only the retained last state matters, delivered again
on every subscribe) go to :class:`Liveness`, told when central listens and when it cannot hear, and
then to :class:`~xdock.central.edges.device_telemetry.DeviceTelemetry` (health and read-rate points).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta

import aiomqtt

from xdock.central.edges.device_telemetry import DeviceTelemetry
from xdock.central.edges.liveness import Liveness, status_subscriptions
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.ingest.uplinks import UplinkDecoder, UplinkRefusedError
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import NotLeaderError, StoreError
from xdock.observability.latency import ANSWER_BOUNDS_S, Latencies
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.protocol.messages import MessageError, OfflineAnswerShown, ScanEvent, encode
from xdock.protocol.passages import DoorPassage
from xdock.protocol.sensors import SensorReading
from xdock.protocol.topics import (
    TopicError,
    cmd_topic,
    offline_answer_wildcard,
    passage_wildcard,
    scan_wildcard,
    sensor_reading_wildcard,
)
from xdock.transport.aiomqtt_private import ack, manual_acks
from xdock.transport.backoff import Backoff, BackoffPolicy
from xdock.transport.broker import DEFAULT_LINK, BrokerLink, connected, mqtt_client
from xdock.transport.confirmed import publish_confirmed
from xdock.transport.mqtt_socket import no_delay
from xdock.transport.reconnect import keep_connected
from xdock.transport.waiting import take_waiting

__all__ = ["Ingest", "IngestStats"]

log = logging.getLogger(__name__)

_ANSWERING = 4
"""Batches whose answers may await the broker's acknowledgement while central applies the next batch."""


@dataclass(frozen=True)
class _Answers:
    """What a batch, once stored, sends: the commands to publish, and how many of them answer scans."""

    commands: list[tuple[str, bytes]]
    scans: int
    received_at: float


@dataclass
class IngestStats:
    received: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    """Rejected uplinks by reason since central started (the totals: :class:`UplinkRefusals`)."""
    connects: int = 0
    duplicates: int = 0
    """Scans received again and answered with the stored answer."""
    clock_skew: int = 0
    """Scans applied whose ``scanned_at`` was further from central's clock than the tolerance."""
    answered: int = 0
    """Answers to scans published and acknowledged by the broker (a scan received again is answered again)."""
    answer_latency: Latencies = field(default_factory=lambda: Latencies(ANSWER_BOUNDS_S))
    """From a scan's batch taken from the broker to its answer acknowledged by the broker (monotonic time)."""


class Ingest:
    """The MQTT side of central for one site."""

    def __init__(
        self, site: LiveSite, broker: BrokerUrl, clock: Clock, *, refusals: UplinkRefusals,
        client_id: str | None = None, reconnect: BackoffPolicy | None = None, max_batch: int = 256,
        skew_tolerance: timedelta = timedelta(minutes=5),
        liveness: Liveness | None = None, will: aiomqtt.Will | None = None,
        around_session: Callable[[aiomqtt.Client], AbstractAsyncContextManager[None]] | None = None,
        device_telemetry: DeviceTelemetry | None = None, link: BrokerLink = DEFAULT_LINK,
    ) -> None:
        """``site``: the site core every scan, passage, reading and offline answer is handed to;
        ``refusals``: counts and keeps what is refused; ``liveness``: takes edge and device statuses (not
        subscribed to when ``None``); ``will``: central's Last Will; ``around_session``: entered once
        subscribed, left before the client disconnects (e.g.
        :meth:`~xdock.central.edge_routing.publisher.RoutesPublisher.session`); ``device_telemetry``:
        records health and read-rate points of every status liveness accepts; ``link``: MQTT version and
        TLS CA of the connection to ``broker``."""
        self.live_site = site
        self.site = site.config.site
        self.broker = broker
        self.link = link
        self.clock = clock
        self.client_id = client_id or f"xdock-central-{self.site}"
        self._backoff = Backoff(reconnect or BackoffPolicy())
        self.max_batch = max_batch
        self.skew_tolerance = skew_tolerance
        self.stats = IngestStats()
        self.uplinks = UplinkDecoder(self.site)
        self.refusals = refusals
        self.connected = asyncio.Event()
        self.liveness = liveness
        self.will = will
        self.around_session = around_session
        self.device_telemetry = device_telemetry

    async def run(self) -> None:
        """Serve until cancelled, reconnecting with a bounded back-off when the broker is down or goes away."""
        await keep_connected(self._session, backoff=self._backoff, describe=f"broker {self.broker}", log=log,
                             user=self.broker.username, on_lost=self._link_down)

    def _link_down(self) -> None:
        self.connected.clear()
        if self.liveness is not None:
            self.liveness.deaf()

    async def _session(self) -> None:
        session = mqtt_client(self.broker, self.link, identifier=self.client_id, persistent=True, will=self.will)
        # In flight at most: one batch's answers, and the routes publisher's snapshots beside them.
        async with connected(session, self.broker, in_flight=(_ANSWERING + 1) * self.max_batch) as client, \
                AsyncExitStack() as around:
            # The broker must not consider a scan delivered before its effect is stored.
            manual_acks(client)
            no_delay(client)
            await client.subscribe(scan_wildcard(self.site), qos=1)
            await client.subscribe(passage_wildcard(self.site), qos=1)
            await client.subscribe(offline_answer_wildcard(self.site), qos=1)
            await client.subscribe(sensor_reading_wildcard(self.site), qos=1)
            if self.liveness is not None:
                self.liveness.listening()
                for status_filter in status_subscriptions(self.site):
                    await client.subscribe(status_filter, qos=0)
            self.stats.connects += 1
            self.connected.set()
            log.info("central for site %s subscribed on %s (after %d failed attempts)", self.site, self.broker,
                     self._backoff.succeeded())
            if self.around_session is not None:
                await around.enter_async_context(self.around_session(client))
            await self._serve(client)

    async def _serve(self, client: aiomqtt.Client) -> None:
        """Apply batch after batch; each one's answers are published, then the batch acknowledged, meanwhile."""
        answering: deque[asyncio.Task[None]] = deque()
        async with asyncio.TaskGroup() as tasks:
            async for first in client.messages:
                # Everything already waiting is applied together: one disk sync for the batch.
                received_at = time.monotonic()
                batch = [first, *take_waiting(client, self.max_batch - 1)]
                answers = self._apply(batch, received_at)
                before = answering[-1] if answering else None
                answering.append(tasks.create_task(self._answer_then_ack(client, batch, answers, before)))
                while answering and answering[0].done():
                    answering.popleft()
                if len(answering) >= _ANSWERING:
                    await asyncio.wait([answering[0]])

    async def _answer_then_ack(
        self, client: aiomqtt.Client, batch: Sequence[aiomqtt.Message], answers: _Answers,
        before: asyncio.Task[None] | None,
    ) -> None:
        """Publish a stored batch's answers; once the broker has them and the batch ``before`` is acknowledged,
        acknowledge this one (MQTT wants acknowledgements in the order the messages came)."""
        await self._answer(client, answers)
        if before is not None:
            await before
        for message in batch:
            ack(client, message)

    async def _handle(
        self, client: aiomqtt.Client, batch: list[aiomqtt.Message], received_at: float | None = None,
    ) -> None:
        """Apply ``batch`` (taken from the broker at ``received_at``, ``time.monotonic()``; now if not given) and
        publish its answers; return once the broker has them all."""
        await self._answer(client, self._apply(batch, time.monotonic() if received_at is None else received_at))

    async def _answer(self, client: aiomqtt.Client, answers: _Answers) -> None:
        """Publish ``answers``; return once the broker acknowledged every one."""
        await publish_confirmed(client, answers.commands)
        if answers.scans:
            latency = time.monotonic() - answers.received_at
            self.stats.answered += answers.scans
            for _ in range(answers.scans):
                self.stats.answer_latency.observe(latency)

    def _apply(self, batch: list[aiomqtt.Message], received_at: float) -> _Answers:
        """Store the effect of ``batch`` (one transaction for its scans); the commands it answers with."""
        events: list[ScanEvent] = []
        passages: list[DoorPassage] = []
        readings: list[SensorReading] = []
        reports: list[OfflineAnswerShown] = []
        for message in batch:
            self.stats.received += 1
            topic = str(message.topic)
            payload = message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
            if self.liveness is not None and topic.endswith("/status"):
                self._status(self.liveness, topic, payload, retained=message.retain)
                continue
            try:
                uplink = self.uplinks.uplink(topic, payload)
            except (TopicError, MessageError, UplinkRefusedError) as exc:
                self._reject(topic, payload, exc)
                continue
            if isinstance(uplink, DoorPassage):
                passages.append(uplink)
            elif isinstance(uplink, SensorReading):
                readings.append(uplink)
            elif isinstance(uplink, OfflineAnswerShown):
                reports.append(uplink)
            else:
                events.append(uplink)
        commands = self._apply_scans(events) if events else []
        scans = len(commands)
        if passages:
            commands += self._apply_passages(passages)
        for report in reports:
            self.live_site.apply_offline_answer(report)  # a StoreError leaves the batch unacknowledged, redelivered
        for reading in readings:
            self.live_site.apply_reading(reading)  # a StoreError leaves the batch unacknowledged, redelivered
        return _Answers(commands, scans, received_at)

    def _status(self, liveness: Liveness, topic: str, payload: bytes, *, retained: bool) -> None:
        """A status to liveness, then, once accepted, to device telemetry."""
        try:
            status = liveness.handle(topic, payload, retained=retained)
        except (TopicError, MessageError) as exc:
            self._reject(topic, payload, exc)
            return
        if self.device_telemetry is not None:
            self.device_telemetry.record(status)

    def _apply_scans(self, events: list[ScanEvent]) -> list[tuple[str, bytes]]:
        """Apply the batch's scans in one transaction; their answers, in the scans' order."""
        try:
            results = self.live_site.apply_scans(events)
        except NotLeaderError as exc:  # deposed: the new leader gets them from the site's session
            log.warning("%d scans left unacknowledged: %s", len(events), exc)
            raise
        except StoreError as exc:  # the message names the store and the database's error: no traceback
            log.error("cannot store %d scans; they stay unacknowledged: %s", len(events), exc)  # noqa: TRY400
            raise
        self.stats.duplicates += sum(applied.duplicate for applied in results)
        self._note_skew([e for e, applied in zip(events, results, strict=True) if not applied.duplicate])
        return [(cmd_topic(self.site, event.edge_id), encode(applied.reply))
                for event, applied in zip(events, results, strict=True)]

    def _apply_passages(self, passages: list[DoorPassage]) -> list[tuple[str, bytes]]:
        """Apply RFID door passages (after the batch's scans); the STOP for each mis-load, to its edge."""
        replies = []
        for passage in passages:
            try:
                result = self.live_site.apply_passage(passage)
            except NotLeaderError as exc:
                log.warning("passage %s/%d left unacknowledged: %s", passage.edge_id, passage.seq, exc)
                raise
            except StoreError as exc:
                log.error("cannot store passage %s/%d; it stays unacknowledged: %s",  # noqa: TRY400
                          passage.edge_id, passage.seq, exc)
                raise
            if result.reply is not None:
                replies.append((cmd_topic(self.site, passage.edge_id), encode(result.reply)))
        return replies

    def _note_skew(self, events: list[ScanEvent]) -> None:
        """Count and record the applied scans whose time is too far from central's (see the module docstring)."""
        now = self.clock.now()
        skewed = []
        for event in events:
            skew = event.scanned_at - now
            if skew > self.skew_tolerance or (-skew > self.skew_tolerance and event.offline is None):
                skewed.append((event, skew.total_seconds()))
        if not skewed:
            return
        self.stats.clock_skew += len(skewed)
        self.live_site.record_clock_skew(skewed)

    def _reject(self, topic: str, payload: bytes, exc: Exception) -> None:
        self.stats.rejected[self.refusals.refuse(topic, payload, exc)] += 1

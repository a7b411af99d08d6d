"""Central pushes every edge its routing snapshot, and tells all edges whether central is there.

Snapshots (:mod:`xdock.central.edge_routing.snapshots`) go retained, QoS 1, to ``.../edge/{edge}/routes`` on central's
own MQTT session (the ingest's client, through :meth:`RoutesPublisher.session`), so an edge that
connects later still finds its last table. An edge is known from its scans and from its retained
status (which names its door); more may be declared at start.

When: after each connect (everything, again, at the next look; central's online status at once),
and whenever the content changes: a scan assigned a pallet, a re-plan or rematch was taken, a
trailer stopped taking pallets (its departure minus the handling time passed), a new edge appeared.
Changes are looked for at most once per ``min_interval`` seconds of site time (so a burst of scans
makes one publish per edge), and only edges whose table differs get a new snapshot; a full look
happens every ``refresh`` seconds anyway. The free-position shares are kept from look to look
(:class:`~xdock.central.edge_routing.shares.ShareBook`), so a pallet sent to a trailer changes no edge's
table until central's reserve of that trailer is used up.

Each snapshot names the edge's offline decisions central has applied
(:class:`~xdock.central.edge_routing.offline_applied.AppliedOffline`); applying one takes the position off that
edge's share when central keeps the pallet on the trailer, and changes that edge's snapshot. The
publisher hands its book to the scan service with ``connected`` (which edges central hears now): central's
own decisions leave the shares of the other edges alone, and cut those of connected edges when they need
their room; the cut edge gets its smaller share at the next look (at most ``min_interval`` later).

``plan_version`` grows by one for each look that changed any table; it is kept in the store's meta
(before anything is published with it), so it grows across restarts. The retained
:class:`~xdock.protocol.messages.CentralStatus` on ``.../central/status`` says ``online=true`` with
the current version while the session is up; its Last Will, and a clean stop, say ``online=false``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiomqtt

from xdock.central.edge_routing.offline_applied import OFFLINE_APPLIED_KEY, AppliedOffline
from xdock.central.edge_routing.shares import Connected, ShareBook
from xdock.central.edge_routing.snapshots import RouteTable, destination_matches, open_trailers, route_tables
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import Clock
from xdock.protocol.messages import Assignment, CentralStatus, RouteSnapshot, ScanEvent, encode
from xdock.protocol.topics import central_status_topic, routes_topic
from xdock.transport.confirmed import publish_confirmed
from xdock.transport.session import last_word

__all__ = ["PLAN_VERSION_KEY", "PublisherStats", "RoutesPublisher"]

log = logging.getLogger(__name__)

PLAN_VERSION_KEY = "plan_version"
"""Name of the plan version in the store's meta."""
_GOODBYE_S = 1.0
_JUST_AFTER = timedelta(milliseconds=1)


@dataclass
class PublisherStats:
    looks: int = 0
    """Times the tables were computed."""
    versions: int = 0
    """Looks that changed at least one table (each bumped the plan version)."""
    snapshots: int = 0
    """Snapshots handed to the broker."""
    last_bytes: int = 0
    """Size of the last snapshot published."""


class RoutesPublisher:
    """Keeps each known edge's routing snapshot current on the broker, and central's retained status."""

    def __init__(
        self, site: LiveSite, store: Store, clock: Clock, *, min_interval: float = 1.0, refresh: float = 30.0,
        per_destination: int = 1, edges: Mapping[str, str] | None = None,
        edges_from: Callable[[], Iterable[tuple[str, str | None]]] | None = None, shares: ShareBook | None = None,
        connected: Connected | None = None,
    ) -> None:
        """``edges``: edge id → door declared at start; ``edges_from``: more (id, door) pairs looked at on each
        tick, e.g. the edges whose status central heard; ``shares``: how free positions are handed out
        (a :class:`ShareBook` with its defaults when ``None``); ``connected``: whether central hears an edge now
        (its status online, heartbeats fresh, no backlog), so central may cut its share (``None``: no edge)."""
        if min_interval <= 0 or refresh <= 0:
            raise ValueError(f"min_interval and refresh must be positive, got {min_interval} and {refresh}")
        self.live_site = site
        self.store = store
        self.leader: tuple[str, int] | None = None
        """This central's id and epoch when it leads among several (named in central's status)."""
        self.deposed = False
        """Set when another central took the lead: a stop then says nothing (the new leader's status stands)."""
        self.clock = clock
        self.site = site.config.site
        self.min_interval = min_interval
        self.refresh = refresh
        self.per_destination = per_destination
        self._destinations = destination_matches(site.config.destinations)
        self._chilled_max_c = site.config.rules.chilled_max_c
        """The site rule every snapshot carries, so edges deciding alone apply the site file's value."""
        self.edges: dict[str, str] = dict(edges or {})
        self._edges_from = edges_from
        stored = store.meta(PLAN_VERSION_KEY)
        self.version = int(stored) if stored is not None else 0
        self.stats = PublisherStats()
        self.shares = shares if shares is not None else ShareBook()
        self.applied_offline = AppliedOffline.loads(store.meta(OFFLINE_APPLIED_KEY))
        self._named: dict[str, list[int]] = {}
        """Per edge, the applied offline decisions its current snapshot names."""
        self._tables: dict[str, RouteTable] = {}
        self._snapshots: dict[str, RouteSnapshot] = {}
        self._sent: set[str] = set()
        """Edges whose current snapshot the broker has (on this connection)."""
        self._dirty = True
        self._next_look: datetime | None = None
        self._client: aiomqtt.Client | None = None
        self._status_sent: int | None = None
        site.on_scan(self._scanned)
        site.on_plan_changed(self.touch)
        site.respect_shares(self.shares, connected)

    # -- what changes the tables -------------------------------------------------------------------

    def _scanned(self, event: ScanEvent, reply: Assignment) -> None:
        self.edge_seen(event.edge_id, event.door)
        told = event.offline
        if told is not None and told.outcome == "assigned" and told.trailer is not None:
            self.applied_offline.add(event.edge_id, told.trailer, event.seq)
            if reply.outcome == "assigned" and reply.trailer == told.trailer:
                self.shares.consume(told.trailer, event.edge_id)
        self._dirty = True

    def touch(self) -> None:
        """The plan may have changed: look again at the next tick."""
        self._dirty = True

    def edge_seen(self, edge_id: str, door: str | None) -> None:
        """An edge and the door it serves; a new edge or a new door gets its snapshot at the next tick."""
        if door is not None and self.edges.get(edge_id) != door:
            self.edges[edge_id] = door
            self._dirty = True

    def due(self, now: datetime) -> bool:
        """Whether a look is needed now: something changed, a trailer stopped taking pallets, or ``refresh`` passed."""
        if self._edges_from is not None:
            for edge_id, door in self._edges_from():
                self.edge_seen(edge_id, door)
        return self._dirty or self._next_look is None or now >= self._next_look

    # -- computing ---------------------------------------------------------------------------------

    def update(self, now: datetime) -> list[RouteSnapshot]:
        """Recompute every edge's table; one version bump if any changed; the snapshots the broker lacks."""
        floor = self.live_site.floor()
        open_now = open_trailers(floor, self.live_site.trailer_doors(), now)
        tables = route_tables(floor, open_now, self._destinations, self.edges, per_destination=self.per_destination,
                              shares=self.shares)
        self.applied_offline.keep_only(o.trailer.id for o in open_now)
        named = {edge_id: self.applied_offline.of(edge_id) for edge_id in tables}
        changed = {edge_id: table for edge_id, table in tables.items()
                   if self._tables.get(edge_id) != table or self._named.get(edge_id) != named[edge_id]}
        self.stats.looks += 1
        if changed:
            self.version += 1
            self.stats.versions += 1
            with self.store.transaction() as tx:
                tx.put_meta(PLAN_VERSION_KEY, str(self.version))
                tx.put_meta(OFFLINE_APPLIED_KEY, self.applied_offline.dumps())
            for edge_id, table in changed.items():
                self._tables[edge_id] = table
                self._named[edge_id] = named[edge_id]
                self._snapshots[edge_id] = table.snapshot(
                    edge_id, self.version, now, chilled_max_c=self._chilled_max_c, applied_offline=named[edge_id]
                )
                self._sent.discard(edge_id)
        self._dirty = False
        # A trailer is offered while its departure is at least the handling time away.
        closing = [o.trailer.departure - floor.rules.handling + _JUST_AFTER for o in open_now]
        self._next_look = min([now + timedelta(seconds=self.refresh), *closing])
        return [self._snapshots[e] for e in self.edges if e not in self._sent]

    def snapshot(self, edge_id: str) -> RouteSnapshot | None:
        """The last snapshot made for ``edge_id``."""
        return self._snapshots.get(edge_id)

    @property
    def on_air(self) -> bool:
        """Whether central's MQTT session is up (a snapshot made now can reach the edges)."""
        return self._client is not None

    def status(self, *, online: bool) -> CentralStatus:
        central, epoch = self.leader or (None, None)
        return CentralStatus(online=online, at=self.clock.now(), plan_version=self.version, leader=central, epoch=epoch)

    def will(self) -> aiomqtt.Will:
        """The Last Will of central's session: ``online=false``, retained."""
        return aiomqtt.Will(central_status_topic(self.site), encode(CentralStatus(online=False)), qos=1, retain=True)

    # -- publishing --------------------------------------------------------------------------------

    async def publish_due(self) -> int:
        """Look now and publish, together, what the broker lacks; return how many snapshots went out.

        Gives up at once if the connection is lost meanwhile: the next session publishes everything.
        """
        pending = self.update(self.clock.now())
        client = self._client
        if client is None:
            return 0
        messages = [(routes_topic(self.site, snap.edge_id), encode(snap)) for snap in pending]
        version = self.version
        if self._status_sent != version:
            messages.append((central_status_topic(self.site), encode(self.status(online=True))))
        try:
            await publish_confirmed(client, messages, retain=True)
        except aiomqtt.MqttError as exc:
            log.warning("routing snapshots not published (%s); again on reconnect", exc)
            return 0
        if self._client is not client:
            return 0  # that session ended meanwhile; the next one publishes everything
        self._status_sent = version
        for snap, (_, payload) in zip(pending, messages, strict=False):
            self._sent.add(snap.edge_id)
            self.stats.snapshots += 1
            self.stats.last_bytes = len(payload)
        return len(pending)

    async def run(self) -> None:
        """Look every ``min_interval`` seconds of site time and publish what changed, until cancelled."""
        while True:
            await self.clock.sleep(self.min_interval)
            if self.due(self.clock.now()):
                await self.publish_due()

    @asynccontextmanager
    async def session(self, client: aiomqtt.Client) -> AsyncIterator[None]:
        """Around one connected MQTT session: online at once (edges must know before central answers them),
        every snapshot at the next look (never holding up the caller), offline on a clean stop."""
        self._client = client
        self._sent.clear()
        self._dirty = True
        try:
            version = self.version
            try:
                await publish_confirmed(
                    client, [(central_status_topic(self.site), encode(self.status(online=True)))], retain=True
                )
                self._status_sent = version
            except aiomqtt.MqttError as exc:
                self._status_sent = None
                log.warning("could not say central is online (%s)", exc)
            yield
        except asyncio.CancelledError:
            await self._goodbye(client)
            raise
        finally:
            self._client = None

    async def _goodbye(self, client: aiomqtt.Client) -> None:
        if self.deposed:
            log.info("not telling the broker central is going offline: this central no longer leads (a standby"
                     " takes over)")
            return
        status = encode(self.status(online=False))
        if await last_word(client, central_status_topic(self.site), status, timeout=_GOODBYE_S):
            log.info("told the broker central is going offline")

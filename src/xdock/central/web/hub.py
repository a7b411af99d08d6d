"""The live hub: fans central's changes out to every connected screen.

Each WebSocket client holds a :class:`Subscription` (a queue of pre-encoded JSON messages). The hub
listens to :meth:`ScanService.on_applied` and :meth:`ScanService.on_plan_changed`: a scan becomes
one small ``pallet`` message (the pallet and the fill of the trailers it left and joined), encoded
once for all clients, and the messages of ``flush_s`` seconds leave together in one frame (a JSON
array), so a busy floor costs each screen tens of frames a second, not one per scan. A plan change
(or an override, through :meth:`resync`) sends a fresh snapshot. While anyone is connected, a
ticker sends the site time every ``tick_s`` seconds, with the KPIs and the alerts when they changed.

What the screens derive from the event log (loads and mis-loads however confirmed, departures, and
whether the alerts changed) comes from one :class:`~xdock.central.store.event_tail.EventTail`, read
once and then only for the events appended since. Each tick reads the new events: a pallet loaded
through an RFID door passage becomes a ``pallet`` message, a stored mis-load refreshes the KPIs, and
the alerts table is read again only when an alert event (raised, acknowledged, cleared) came in.

Receiving against advance shipping notices (see :func:`~xdock.central.web.views.receiving_view`): a scan
changes the receiving of the truck at its door (a pallet over) and of the truck that announced it (received,
mismatched). The hub notes those trucks (a door's truck from its own map of the trucks at doors, kept on each
truck change) and each tick sends one ``receiving`` message per truck noted, so a busy door costs one
receiving a second, not one per scan. A truck change notes every truck listed too: a despatch advice gives
its truck pallets after the truck's change is told (its snapshot may not count them yet).

A client that falls ``max_backlog`` frames behind is dropped (its socket closed); it reconnects
and gets a snapshot, so a slow screen never holds up ingestion or grows memory. A subscription
closed with a code and a reason (a sign-in that no longer holds, see
:mod:`~xdock.central.web.live_guard`) gets no more messages and its socket closes with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime
from typing import Any

from xdock.central.alerts.book import ALERT_EVENTS
from xdock.central.site.asns import Receiving
from xdock.central.site.departures import DepartureLog
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import AlertRow, EventRow, InboundTruckRow
from xdock.central.web.views import (
    alert_view,
    confirmations_view,
    kpis_now,
    kpis_view,
    pallet_view,
    receiving_view,
    recently_unloaded,
    snapshot,
    trailer_view,
)
from xdock.protocol.messages import Assignment, ScanEvent

__all__ = ["CLOSE_RESYNC", "LiveHub", "Subscription"]

log = logging.getLogger(__name__)

_OPEN_ALERTS_SHOWN = 200
_CLEARED_ALERTS_SHOWN = 20
_KPI_REFRESH_TICKS = 10
_LOAD_EVENTS = frozenset({"loaded", "misload", "misload_prevented"})
CLOSE_RESYNC = 1012
"""WebSocket close code when the hub drops a client: "service restart", come back and resynchronise."""


class Subscription:
    """One screen's queue of messages; ``None`` in the queue means it was closed (with ``close_code``)."""

    def __init__(self, max_backlog: int) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(max_backlog)
        self.closed = False
        self.close_code = CLOSE_RESYNC
        self.close_reason = ""

    def push(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("live client %d messages behind; dropping it (it will resynchronise)", self.queue.qsize())
            self.close()

    def close(self, code: int = CLOSE_RESYNC, reason: str = "") -> None:
        """Send nothing more; the socket closes with ``code`` and ``reason`` (the first close wins)."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.close_reason = reason
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class LiveHub:
    """Live updates of one site for the dashboard."""

    def __init__(
        self, site: LiveSite, *, dwell_red_s: float = 1800.0, tick_s: float = 1.0, flush_s: float = 0.02,
        max_backlog: int = 1000,
    ) -> None:
        if tick_s <= 0:
            raise ValueError(f"tick_s must be positive, got {tick_s}")
        self.site = site
        self.state = site.state
        self.clock = site.clock
        self.loads = site.loads
        self.tail = site.loads.tail
        """The one reader of the event log the load book, the departures and the hub share."""
        self.dwell_red_s = dwell_red_s
        self.tick_s = tick_s
        self.flush_s = flush_s
        self.max_backlog = max_backlog
        self.departures = DepartureLog(self.tail)
        self._subs: set[Subscription] = set()
        self._trailer_of: dict[str, str | None] = {s: r.trailer for s, r in self.state.pallets.items()}
        self._inbound: dict[str, int] = {}
        for row in self.state.pallets.values():
            self._inbound[row.inbound_door] = self._inbound.get(row.inbound_door, 0) + 1
        self._ticker: asyncio.Task[None] | None = None
        self._pending: list[str] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._kpis_dirty = True
        self._alerts_seen: list[dict[str, Any]] | None = None
        self._alerts_dirty = True
        self._rfid_loaded: dict[str, None] = {}
        """Pallets loaded through an RFID door passage whose ``pallet`` message is still to send."""
        self._at_door: dict[str, str] = {}
        """The truck at each inbound door (door → truck id), kept on each truck change."""
        self._receiving_due: set[str] = set()
        """Trucks whose ``receiving`` message the next tick sends."""
        self._trucks_seen(site.inbound_trucks())
        self.tail.follow(self._take)
        self.tail.refresh()  # the log so far, once, for every follower
        site.on_scan(self._on_scan)
        site.on_plan_changed(self.resync)
        site.on_trucks_changed(self._trucks_changed)

    @property
    def clients(self) -> int:
        return len(self._subs)

    def subscribe(self) -> Subscription:
        """A new screen; call :meth:`snapshot_text` right after (no await between) for its first message."""
        sub = Subscription(self.max_backlog)
        self._subs.add(sub)
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="live-ticker")
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)
        sub.close()
        if not self._subs and self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def close_all(self) -> None:
        """Disconnect every screen (they reconnect and resynchronise from a snapshot)."""
        for sub in list(self._subs):
            sub.close()

    async def aclose(self) -> None:
        """Disconnect everyone and stop the ticker."""
        self.close_all()
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker

    def alerts(self) -> list[AlertRow]:
        """The alerts the screens list: every open one (up to a few hundred), newest first, then the latest
        cleared ones; so an old open alert is never pushed out by newer cleared ones."""
        alerts = self.site.alerts
        return alerts.listed(open_only=True, limit=_OPEN_ALERTS_SHOWN) + alerts.listed(
            open_only=False, limit=_CLEARED_ALERTS_SHOWN)

    def kpis(self) -> dict[str, Any]:
        """The dashboard's KPIs now (``GET /api/v1/kpis`` serves them to a WMS or a script)."""
        return kpis_view(kpis_now(
            self.state, self.loads, self.clock.now(), self.departures.refresh(),
            left_behind=self.departures.left_behind(), trucks=self.site.inbound_trucks()))

    def snapshot_text(self) -> str:
        alerts = self.alerts()
        now = self.clock.now()
        trucks = self.site.inbound_trucks()
        body = snapshot(self.state, self.loads, alerts, now, dwell_red_s=self.dwell_red_s,
                        departed_at=self.departures.refresh(), trucks=trucks,
                        left_behind=self.departures.left_behind(), receiving=self._receiving_of(trucks, now))
        body["inbound"] = dict(self._inbound)
        body["closed"] = sorted(self.site.closed_doors())
        return json.dumps(body)

    def _broadcast(self, message: dict[str, Any]) -> None:
        """Queue ``message`` for every screen; messages within ``flush_s`` leave together, in one frame."""
        if not self._subs:
            return
        self._pending.append(json.dumps(message))
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(self.flush_s, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        text = pending[0] if len(pending) == 1 else "[" + ",".join(pending) + "]"
        for sub in list(self._subs):
            sub.push(text)

    def pallet_changed(self, sscc: str) -> None:
        """Tell every screen that ``sscc`` changed (a scan applied, a load confirmed)."""
        self._kpis_dirty = True
        row = self.state.pallets.get(sscc)
        if row is None:
            return
        before = self._trailer_of.get(sscc)
        if sscc not in self._trailer_of:
            self._inbound[row.inbound_door] = self._inbound.get(row.inbound_door, 0) + 1
        self._trailer_of[sscc] = row.trailer
        if not self._subs:
            return
        trailers = [
            trailer_view(self.state, self.state.trailers[t], self.loads)
            for t in dict.fromkeys((before, row.trailer)) if t is not None and t in self.state.trailers
        ]
        self._broadcast({
            "type": "pallet", "pallet": pallet_view(row, self.loads), "trailers": trailers,
            "inbound": {row.inbound_door: self._inbound[row.inbound_door]},
        })

    def _on_scan(self, event: ScanEvent, _reply: Assignment) -> None:
        self.pallet_changed(event.sscc)
        if not self._subs:
            return
        at_door = self._at_door.get(event.door)
        if at_door is not None:
            self._receiving_due.add(at_door)
        notice = self.site.announced_pallet(event.sscc)
        if notice is not None:
            self._receiving_due.add(notice.truck)

    def _announced_trucks(self) -> set[str]:
        """The trucks advance shipping notices announced pallets on."""
        return {p.truck for p in self.state.announced.values()}

    def _receiving_of(self, trucks: list[InboundTruckRow], now: datetime) -> dict[str, Receiving]:
        """The receiving of the trucks the dashboard lists (waiting, at a door, lately unloaded) that advance
        shipping notices announced."""
        announced = self._announced_trucks()
        listed = [t for t in trucks if t.state != "unloaded"] + recently_unloaded(trucks, now)
        return {t.id: self.site.receiving(t.id) for t in listed if t.id in announced}

    def _trucks_seen(self, trucks: list[InboundTruckRow]) -> None:
        """Keep the truck at each door (the latest arrived, should two be marked at one door)."""
        at_doors = sorted((t.arrived_at, t.door, t.id) for t in trucks
                          if t.state == "arrived" and t.door is not None and t.arrived_at is not None)
        self._at_door = {door: truck for _, door, truck in at_doors}

    def _trucks_changed(self) -> None:
        """An inbound truck changed: note who is at which door, send a snapshot, and have the next tick send
        the receiving of every truck listed (an advice's pallets join the site after its truck's change)."""
        trucks = self.site.inbound_trucks()
        self._trucks_seen(trucks)
        if self._subs:
            now = self.clock.now()
            self._receiving_due.update(t.id for t in trucks if t.state != "unloaded")
            self._receiving_due.update(t.id for t in recently_unloaded(trucks, now))
        self.resync()

    def _send_receiving(self) -> None:
        """One ``receiving`` message per truck noted since the last tick (those with advance shipping notices)."""
        if not self._receiving_due:
            return
        due, self._receiving_due = self._receiving_due, set()
        announced = self._announced_trucks()
        for truck in sorted(due & announced):
            self._broadcast({"type": "receiving", "truck": truck,
                             "receiving": receiving_view(self.site.receiving(truck))})

    def _take(self, event: EventRow) -> None:
        """Follow the event log (see the module doc); a handheld's load is sent by its endpoint at once."""
        if event.kind in ALERT_EVENTS:
            self._alerts_dirty = True
        elif event.kind in _LOAD_EVENTS:
            self._kpis_dirty = True
            if event.kind == "loaded" and event.body.get("via") == "rfid" and event.sscc and self._subs:
                self._rfid_loaded[event.sscc] = None

    def catch_up(self) -> None:
        """Read the events appended to the log; tell every screen about pallets loaded through RFID portals."""
        self.tail.refresh()
        loaded, self._rfid_loaded = self._rfid_loaded, {}
        for sscc in loaded:
            self.pallet_changed(sscc)

    def resync(self) -> None:
        """Send every screen a fresh snapshot (the plan, a door or a trailer changed)."""
        self._kpis_dirty = True
        self._trailer_of = {s: r.trailer for s, r in self.state.pallets.items()}
        self._flush()
        if self._subs:
            text = self.snapshot_text()
            for sub in list(self._subs):
                sub.push(text)

    async def _tick(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(self.tick_s)
            ticks += 1
            self.catch_up()
            self._send_receiving()
            message: dict[str, Any] = {"type": "tick", "now": self.clock.now().isoformat()}
            if self._kpis_dirty or ticks % _KPI_REFRESH_TICKS == 0:
                self._kpis_dirty = False
                message["kpis"] = self.kpis()
                message["confirmations"] = confirmations_view(self.loads)
            if self._alerts_dirty:
                self._alerts_dirty = False
                alerts = [alert_view(a) for a in self.alerts()]
                if alerts != self._alerts_seen:
                    self._alerts_seen = alerts
                    message["alerts"] = alerts
            self._broadcast(message)

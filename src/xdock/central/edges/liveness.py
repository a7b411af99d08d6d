"""Which edges and devices are alive: statuses in, offline marks and alerts out.

Each edge publishes a retained :class:`EdgeStatus` (its Last Will says ``online=false``) and a
retained :class:`DeviceStatus` per device, and republishes them every ``heartbeat_s`` seconds while
online. Central marks an edge or device offline, and raises an alert, when

- a status says ``online=false`` (the Last Will after a lost connection, or a clean shutdown), at once;
- or no status came for two heartbeat periods (checked by :meth:`Liveness.run` on the injected clock).

An MQTT sensor node publishes straight to the broker as its own pseudo-edge: its one
:class:`DeviceStatus` (device id = edge id, kind ``sensor_node``) and no edge status, no door; it is
a device with its own status (:attr:`EdgeLiveness.sensor_node`), named as such in its alerts.

A status that comes back online clears the alert.

An edge status may also report a problem: the broker refuses some of the edge's messages (MQTT 5
PUBACK reason code 0x80 or above; they wait in its outbox). Central keeps it with the counts by
reason, and raises a ``broker_refusal`` alert (``edge-d12: broker refuses passage: not authorised``)
until a status of that edge reports no problem. While an edge is offline its devices are not
judged (the edge's alert covers them); once it is back, each device has two of its own periods to
report before it is marked offline.

When a status was heard: a live message counts at its arrival; a retained one (delivered on
subscribing, e.g. at central's start) at its own ``at``, so a stale last state is recognised at
once. While central's link to the broker is down nothing is judged; after it returns, silence is
counted from the moment central listens again, unless a fresh status tells better.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from xdock.central.alerts.book import Alerts, device_subject
from xdock.protocol.clock import Clock
from xdock.protocol.messages import DeviceStatus, EdgeStatus, MessageError, decode
from xdock.protocol.topics import ROOT, TopicError, check_id, parse_topic

__all__ = ["DeviceLiveness", "EdgeLiveness", "Liveness", "status_subscriptions"]

log = logging.getLogger(__name__)

_DEVICE_NAMES = {
    "serial_scanner": "scanner", "sensor_node": "sensor node", "rfid_reader": "RFID reader",
    "modbus_sensor": "Modbus sensor",
}


def status_subscriptions(site: str) -> list[str]:
    """The two topic filters of every edge's and every device's status at ``site`` (nothing else)."""
    edges = f"{ROOT}/{check_id('site id', site)}/edge/+"
    return [f"{edges}/status", f"{edges}/device/+/status"]


@dataclass
class DeviceLiveness:
    """What central knows of one device behind an edge."""

    id: str
    kind: str
    online: bool
    last_seen: datetime | None = None
    """When it last said it was online."""
    detail: str = ""
    heartbeat_s: float | None = None
    watch_from: datetime | None = None
    """Silence before this instant does not count (central was not listening, or the edge was away)."""
    counters: dict[str, int] | None = None
    """Its latest counters (cumulative since its driver started), from the last status that carried them."""


@dataclass
class EdgeLiveness:
    """What central knows of one edge agent; ``online`` is ``None`` until its own status arrives."""

    id: str
    online: bool | None = None
    last_seen: datetime | None = None
    """When it last said it was online."""
    door: str | None = None
    version: str | None = None
    heartbeat_s: float | None = None
    backlog: int | None = None
    watch_from: datetime | None = None
    devices: dict[str, DeviceLiveness] = field(default_factory=dict)
    refused: dict[str, int] | None = None
    """Its messages the broker refused since the agent started, by reason, from its last status."""
    problem: str | None = None
    """What the broker refuses it now (its last status's problem), e.g. ``broker refuses scan: not authorised``."""

    @property
    def sensor_node(self) -> DeviceLiveness | None:
        """The sensor node this pseudo-edge is (no edge status of its own, its one device its own id, of kind
        ``sensor_node``); ``None`` for an edge agent."""
        node = self.devices.get(self.id)
        if self.online is not None or node is None or node.kind != "sensor_node" or len(self.devices) != 1:
            return None
        return node


def _seconds(delta: timedelta) -> str:
    value = delta.total_seconds()
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _deadline(last_seen: datetime | None, watch_from: datetime | None, heartbeat_s: float | None) -> datetime | None:
    if heartbeat_s is None or (last_seen is None and watch_from is None):
        return None
    base = max(t for t in (last_seen, watch_from) if t is not None)
    return base + timedelta(seconds=2 * heartbeat_s)


class Liveness:
    """Live/offline state of one site's edges and devices, raising and clearing :class:`Alerts`."""

    def __init__(self, site: str, clock: Clock, alerts: Alerts, *, idle_check_s: float = 1.0) -> None:
        if idle_check_s <= 0:
            raise ValueError(f"idle_check_s must be positive, got {idle_check_s}")
        self.site = check_id("site id", site)
        self.clock = clock
        self.alerts = alerts
        self.idle_check_s = idle_check_s
        """How often to look when no edge has told its heartbeat yet."""
        self.edges: dict[str, EdgeLiveness] = {}
        self._listening = True
        self._wake = asyncio.Event()

    # -- input -------------------------------------------------------------------------------------

    def handle(self, topic: str, payload: bytes, *, retained: bool) -> EdgeStatus | DeviceStatus:
        """Take one message of a status topic and return it decoded; raise :class:`TopicError`/:class:`MessageError`
        if it is not one."""
        name = parse_topic(topic)
        if name.site != self.site:
            raise TopicError(f"Status for site {name.site!r} reached central of site {self.site!r}")
        if name.kind == "status":
            edge_status = decode(EdgeStatus, payload)
            if edge_status.edge_id != name.edge:
                raise MessageError(
                    f"Invalid EdgeStatus: field 'edge_id': {edge_status.edge_id!r} published on {topic!r}"
                )
            self.edge_status(edge_status, retained=retained)
            return edge_status
        if name.kind == "device_status":
            status = decode(DeviceStatus, payload)
            if (status.edge_id, status.device_id) != (name.edge, name.device):
                raise MessageError(
                    f"Invalid DeviceStatus: fields 'edge_id', 'device_id': {status.edge_id!r}, {status.device_id!r}"
                    f" published on {topic!r}"
                )
            self.device_status(status, retained=retained)
            return status
        raise TopicError(f"Not a status topic: {topic!r}")

    def _heard_at(self, at: datetime | None, retained: bool) -> datetime:
        now = self.clock.now()
        return min(at, now) if retained and at is not None else now

    def edge_status(self, status: EdgeStatus, *, retained: bool = False) -> None:
        """An edge's status: update what is known, mark it online or offline."""
        now = self.clock.now()
        self._wake.set()
        edge = self.edges.setdefault(status.edge_id, EdgeLiveness(status.edge_id))
        edge.door = status.door or edge.door
        edge.version = status.version or edge.version
        edge.heartbeat_s = status.heartbeat_s or edge.heartbeat_s
        edge.backlog = status.backlog if status.backlog is not None else edge.backlog
        edge.watch_from = None
        if status.online:
            self._refusals(edge, status, now)
            heard = self._heard_at(status.at, retained)
            edge.last_seen = heard if edge.last_seen is None else max(edge.last_seen, heard)
            if edge.online is not True:
                for device in edge.devices.values():
                    device.watch_from = now
            edge.online = True
            self.alerts.clear("edge_offline", edge.id, now, edge_id=edge.id)
            return
        edge.online = False
        since = f", last seen {_seconds(now - edge.last_seen)} s ago" if edge.last_seen is not None else ""
        message = f"{self._edge_name(edge)} offline{since}"
        self.alerts.raise_alert("edge_offline", edge.id, now, message, edge_id=edge.id)

    def _refusals(self, edge: EdgeLiveness, status: EdgeStatus, now: datetime) -> None:
        """An online status tells what the broker refuses the edge, if anything: keep it, raise or clear the alert."""
        edge.refused = dict(status.refused) if status.refused else None
        edge.problem = status.problem
        if status.problem is None:
            self.alerts.clear("broker_refusal", edge.id, now, edge_id=edge.id)
        else:
            self.alerts.raise_alert("broker_refusal", edge.id, now, f"{edge.id}: {status.problem}", edge_id=edge.id)

    def device_status(self, status: DeviceStatus, *, retained: bool = False) -> None:
        """A device's status: update what is known, mark it online or offline."""
        now = self.clock.now()
        self._wake.set()
        edge = self.edges.setdefault(status.edge_id, EdgeLiveness(status.edge_id))
        device = edge.devices.setdefault(status.device_id, DeviceLiveness(status.device_id, status.device_kind, False))
        device.kind = status.device_kind
        device.detail = status.detail
        device.counters = dict(status.counters) if status.counters is not None else device.counters
        device.heartbeat_s = status.heartbeat_s or device.heartbeat_s
        device.watch_from = None
        subject = device_subject(edge.id, device.id)
        if status.online:
            heard = self._heard_at(status.at, retained)
            device.last_seen = heard if device.last_seen is None else max(device.last_seen, heard)
            device.online = True
            self.alerts.clear("device_offline", subject, now, edge_id=edge.id)
            return
        device.online = False
        why = f": {status.detail}" if status.detail else ""
        self.alerts.raise_alert(
            "device_offline", subject, now, f"{self._device_name(edge, device)} offline{why}", edge_id=edge.id
        )

    def listening(self) -> None:
        """Central hears the broker again: judge silence only from now on (until statuses tell better)."""
        now = self.clock.now()
        self._listening = True
        for edge in self.edges.values():
            edge.watch_from = now
            for device in edge.devices.values():
                device.watch_from = now

    def deaf(self) -> None:
        """Central lost the broker: silence says nothing about the edges until it hears again."""
        self._listening = False

    def heard(self, edge_id: str) -> bool:
        """Whether central hears ``edge_id`` now: listening, its last status online with a heartbeat period
        and no backlog (every scan it recorded reached the broker), and its two periods not passed. An edge
        heard is not deciding alone; read-only (the watchdog's :meth:`check` marks and alerts)."""
        edge = self.edges.get(edge_id)
        if not self._listening or edge is None or edge.online is not True or edge.backlog:
            return False
        deadline = _deadline(edge.last_seen, edge.watch_from, edge.heartbeat_s)
        return deadline is not None and self.clock.now() < deadline

    def edges_online(self) -> int:
        """Edge agents whose last status says online (sensor nodes, which have none of their own, not counted)."""
        return sum(edge.online is True for edge in self.edges.values())

    def devices_online(self) -> dict[str, int]:
        """Devices whose last status says online, by kind (only kinds central has heard of)."""
        counts: dict[str, int] = {}
        for edge in self.edges.values():
            for device in edge.devices.values():
                counts[device.kind] = counts.get(device.kind, 0) + device.online
        return counts

    # -- judging silence ---------------------------------------------------------------------------

    def check(self) -> int:
        """Mark offline (and raise an alert for) every edge or device silent for two heartbeats; return how many."""
        if not self._listening:
            return 0
        now = self.clock.now()
        marked = 0
        for edge in self.edges.values():
            if edge.online is True:
                deadline = _deadline(edge.last_seen, edge.watch_from, edge.heartbeat_s)
                if deadline is not None and now >= deadline:
                    edge.online = False
                    quiet_since = edge.last_seen or edge.watch_from or now
                    message = f"{self._edge_name(edge)} silent for {_seconds(now - quiet_since)} s"
                    self.alerts.raise_alert("edge_offline", edge.id, now, message, edge_id=edge.id)
                    marked += 1
            if edge.online is False:
                continue
            for device in edge.devices.values():
                deadline = _deadline(device.last_seen, device.watch_from, device.heartbeat_s)
                if device.online and deadline is not None and now >= deadline:
                    device.online = False
                    quiet_since = device.last_seen or device.watch_from or now
                    message = f"{self._device_name(edge, device)} silent for {_seconds(now - quiet_since)} s"
                    self.alerts.raise_alert("device_offline", device_subject(edge.id, device.id), now, message,
                                            edge_id=edge.id)
                    marked += 1
        return marked

    def next_check_in(self) -> float:
        """Seconds of site time until the next look: half the shortest heartbeat, or sooner if a deadline falls."""
        now = self.clock.now()
        heartbeats: list[float] = []
        deadlines: list[datetime] = []
        for edge in self.edges.values():
            if edge.online is True and edge.heartbeat_s is not None:
                heartbeats.append(edge.heartbeat_s)
                deadlines.append(_deadline(edge.last_seen, edge.watch_from, edge.heartbeat_s) or now)
            if edge.online is False:
                continue
            for device in edge.devices.values():
                if device.online and device.heartbeat_s is not None:
                    heartbeats.append(device.heartbeat_s)
                    deadlines.append(_deadline(device.last_seen, device.watch_from, device.heartbeat_s) or now)
        wait = min(heartbeats, default=2 * self.idle_check_s) / 2
        if deadlines:
            wait = min(wait, (min(deadlines) - now).total_seconds())
        return max(wait, 0.001)

    async def run(self) -> None:
        """The watchdog: look, then wait on the clock (or for the next status, which may bring a shorter
        heartbeat), until cancelled."""
        while True:
            self.check()
            self._wake.clear()
            sleep = asyncio.ensure_future(self.clock.sleep(self.next_check_in()))
            wake = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleep, wake}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleep.cancel()
                wake.cancel()

    # -- names -------------------------------------------------------------------------------------

    @staticmethod
    def _edge_name(edge: EdgeLiveness) -> str:
        return f"edge {edge.id}" + (f" (door {edge.door})" if edge.door else "")

    def _device_name(self, edge: EdgeLiveness, device: DeviceLiveness) -> str:
        kind = _DEVICE_NAMES.get(device.kind, device.kind)
        return f"{kind} {device.id}" if edge.sensor_node is device else f"{kind} {device.id} on {self._edge_name(edge)}"

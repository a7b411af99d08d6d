"""Device health and read rates at central: telemetry points from every edge and device status.

Ingest hands over each status that :class:`~xdock.central.edges.liveness.Liveness` accepted:

* an :class:`EdgeStatus` becomes a ``device_health`` point (device = the edge id, kind ``edge``)
  with ``online``, the outbox ``backlog`` when the status tells it, and the publishes the broker
  refused by reason (``refused_not_authorised``...) when it tells some;
* a :class:`DeviceStatus` becomes a ``device_health`` point (tagged with its kind) with ``online``
  and each of its counters as an integer field;
* a device whose status counts ``reads`` (an RFID reader) or ``scans`` (a scanner) also gets a
  ``read_rate`` point: the counter's increase divided by the increase of the statuses' ``at``,
  from the previous status of that device. The first status of a device gives no rate, only a
  baseline; a counter lower than before (its driver restarted) or an ``at`` not later than before
  (a retained status heard again, an edge clock set back) starts the baseline over; a rate is never
  negative.

A point is stamped with the status' ``at`` (central's clock for a Last Will, which has none).
Counters are cumulative since the edge's driver started, so a lost status only widens one period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from xdock.central.telemetry import PointError, TelemetrySink, device_health, read_rate
from xdock.protocol.clock import Clock
from xdock.protocol.messages import DeviceStatus, EdgeStatus

__all__ = ["RATE_COUNTERS", "DeviceTelemetry", "DeviceTelemetryStats"]

log = logging.getLogger(__name__)

RATE_COUNTERS = ("reads", "scans")
"""The counters a read rate is taken from, the first one a status carries."""


@dataclass
class DeviceTelemetryStats:
    health_points: int = 0
    rate_points: int = 0
    restarts: int = 0
    """Baselines started over: a counter went down, or a status was not later than the one before."""
    refused: int = 0
    """Statuses whose point could not be made (e.g. a counter named like a health field)."""


@dataclass(frozen=True)
class _Baseline:
    counter: str
    count: int
    at: datetime


class DeviceTelemetry:
    """Turns the statuses of one site's edges and devices into telemetry points (see the module docstring)."""

    def __init__(self, site: str, sink: TelemetrySink, clock: Clock) -> None:
        self.site = site
        self.sink = sink
        self.clock = clock
        self.stats = DeviceTelemetryStats()
        self._baselines: dict[tuple[str, str], _Baseline] = {}

    def record(self, status: EdgeStatus | DeviceStatus) -> None:
        """Record the points of one status."""
        if isinstance(status, EdgeStatus):
            refused = {f"refused_{reason}": count for reason, count in (status.refused or {}).items()}
            self._health(status.edge_id, status.edge_id, status.online, status.at or self.clock.now(),
                         kind="edge", backlog=status.backlog, counters=refused or None)
            return
        self._health(status.edge_id, status.device_id, status.online, status.at, kind=status.device_kind,
                     counters=status.counters)
        self._rate(status)

    def _health(
        self, edge: str, device: str, online: bool, at: datetime, *, kind: str, backlog: int | None = None,
        counters: dict[str, int] | None = None,
    ) -> None:
        try:
            point = device_health(site=self.site, edge=edge, device=device, online=online, time=at, backlog=backlog,
                                  kind=kind, counters=counters)
        except PointError as exc:
            self.stats.refused += 1
            log.warning("no health point for %s/%s: %s", edge, device, exc)
            return
        self.sink.record(point)
        self.stats.health_points += 1

    def _rate(self, status: DeviceStatus) -> None:
        key = (status.edge_id, status.device_id)
        counters = status.counters or {}
        counter = next((name for name in RATE_COUNTERS if name in counters), None)
        if counter is None:
            self._baselines.pop(key, None)
            return
        now = _Baseline(counter, counters[counter], status.at)
        before = self._baselines.get(key)
        self._baselines[key] = now
        if before is None or before.counter != counter or before == now:  # first, or the same status heard again
            return
        seconds = (now.at - before.at).total_seconds()
        if now.count < before.count or seconds <= 0:
            self.stats.restarts += 1
            log.info("read rate of %s/%s starts over (%s %d → %d, %.3f s)", *key, counter, before.count, now.count,
                     seconds)
            return
        self.sink.record(read_rate(site=self.site, edge=status.edge_id, device=status.device_id,
                                   reads_per_s=(now.count - before.count) / seconds, time=status.at))
        self.stats.rate_points += 1

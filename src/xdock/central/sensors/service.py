"""Sensor readings at central: applied once by key, the latest kept per sensor, alerts raised and cleared.

:class:`SensorService` takes each :class:`~xdock.protocol.sensors.SensorReading` from ingest:

* a reading whose ``(edge_id, seq)`` was applied before (also before a restart: the store's
  ``applied`` table) is a duplicate and changes nothing;
* otherwise it becomes the latest value of its sensor (a late reading older than the latest one is
  stored, never made the latest), and a telemetry point is recorded when central has a sink;
* conditions are then evaluated on central's clock (:meth:`SensorService.evaluate`, also called
  periodically by :meth:`SensorService.run` so a grace can expire with no new reading).

Alerts (thresholds from the site file, :mod:`xdock.central.site_file.sensors`):

``cold_chain_breach`` (subject: the sensor id)
    the latest temperature is above the watched trailer's or area's limit, continuously for the
    sensor's ``grace_s``; cleared by a reading at or below the limit.
``door_open_no_trailer`` (subject: the door id)
    the door's contact reads open while no trailer presence sensor of that door reads present,
    for the door contact's ``grace_s``; cleared when the door closes or a trailer is present.
``pallet_dwell`` (subject: the SSCC)
    a pallet has been ``staged`` for longer than ``staging_dwell_minutes`` (since its last
    change, ``updated_at``); cleared when it leaves staging.

A condition's grace is counted on central's clock from when central first saw it hold, so an edge
clock that is off cannot shorten or stretch it. Readings of sensors absent from the site file are
kept and written to telemetry, and raise nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from xdock.central.alerts.book import AlertKind, Alerts
from xdock.central.site_file.config import SiteConfig
from xdock.central.site_file.sensors import SensorConfig
from xdock.central.store.database import PalletRow, Store
from xdock.central.telemetry import TelemetrySink, sensor_reading
from xdock.protocol.clock import Clock
from xdock.protocol.sensors import SensorReading

__all__ = ["SensorService", "SensorStats", "temperature_limit", "trailer_present"]

log = logging.getLogger(__name__)
_APPLIED_REPLY = "sensor_reading"


@dataclass
class SensorStats:
    applied: int = 0
    duplicates: int = 0
    late: int = 0
    """Readings stored but older than the sensor's latest one."""


def temperature_limit(sensor: SensorConfig, site: SiteConfig) -> float | None:
    """The °C limit of a temperature sensor, or ``None`` when what it watches has none (ambient)."""
    if sensor.max_c is not None:
        return sensor.max_c
    if sensor.trailer is not None:
        trailer = next((t for t in site.trailers if t.id == sensor.trailer), None)
        return site.rules.chilled_max_c if trailer is not None and trailer.reefer else None
    area = next((a for a in site.areas if a.id == sensor.area), None)
    if area is None or area.temp == "ambient":
        return None
    return site.rules.chilled_max_c if area.temp == "chilled" else site.rules.frozen_max_c


def trailer_present(door: str | None, latest: Mapping[str, SensorReading], sensors: Mapping[str, SensorConfig]) -> bool:
    """Whether a trailer presence sensor of ``sensors`` (by id) at ``door`` reads present in ``latest``."""
    return any(
        s.kind == "trailer_presence" and s.door == door and (r := latest.get(s.id)) is not None and r.value == 1.0
        for s in sensors.values()
    )


class SensorService:
    """Latest readings and sensor alerts of one site."""

    def __init__(
        self, site: SiteConfig, store: Store, alerts: Alerts, clock: Clock, *,
        pallets: Callable[[], Mapping[str, PalletRow]], telemetry: TelemetrySink | None = None,
    ) -> None:
        """``pallets``: the site's live pallets by SSCC, for the staging dwell rule; ``telemetry``: where
        readings are recorded as points (``None``: nowhere)."""
        self.site = site
        self.store = store
        self.alerts = alerts
        self.clock = clock
        self.pallets = pallets
        self.telemetry = telemetry
        self.stats = SensorStats()
        self._sensors: dict[str, SensorConfig] = {s.id: s for s in site.sensors}
        self._latest: dict[str, SensorReading] = {}
        self._since: dict[tuple[str, str], datetime] = {}

    def latest(self) -> Mapping[str, SensorReading]:
        """The newest reading of each sensor heard from, by sensor id."""
        return dict(self._latest)

    def apply(self, reading: SensorReading) -> bool:
        """Take one reading; ``False`` when its key was applied before (nothing changes)."""
        now = self.clock.now()
        if self.store.applied_reply(reading.edge_id, reading.seq) is not None:
            self.stats.duplicates += 1
            return False
        with self.store.transaction() as tx:
            tx.mark_applied(reading.edge_id, reading.seq, _APPLIED_REPLY, now)
        self.stats.applied += 1
        current = self._latest.get(reading.sensor_id)
        if current is not None and reading.at < current.at:
            self.stats.late += 1
        else:
            self._latest[reading.sensor_id] = reading
        if self.telemetry is not None:
            self.telemetry.record(sensor_reading(
                site=self.site.site, edge=reading.edge_id, sensor=reading.sensor_id, kind=reading.kind,
                value=reading.value, unit=reading.unit, time=reading.at,
            ))
        self.evaluate()
        return True

    def evaluate(self) -> None:
        """Raise the alerts whose condition outlasted its grace, clear those whose condition ended."""
        now = self.clock.now()
        for sensor in self._sensors.values():
            if sensor.kind == "temperature":
                self._cold_chain(sensor, now)
            elif sensor.kind == "door_contact":
                self._door(sensor, now)
        self._dwell(now)

    def _cold_chain(self, sensor: SensorConfig, now: datetime) -> None:
        limit = temperature_limit(sensor, self.site)
        reading = self._latest.get(sensor.id)
        held = limit is not None and reading is not None and reading.value > limit
        watched = sensor.trailer or sensor.area
        message = (f"cold chain breach: {watched} at {reading.value:.1f} °C above {limit:.1f} °C "
                   f"(sensor {sensor.id})") if held and reading is not None and limit is not None else ""
        self._condition("cold_chain_breach", sensor.id, held, sensor.grace_s, now, message)

    def _door(self, sensor: SensorConfig, now: datetime) -> None:
        door = sensor.door or ""
        contact = self._latest.get(sensor.id)
        held = contact is not None and contact.value == 1.0 and not trailer_present(door, self._latest, self._sensors)
        message = f"door {door} open with no trailer present (sensor {sensor.id})" if held else ""
        self._condition("door_open_no_trailer", door, held, sensor.grace_s, now, message)

    def _dwell(self, now: datetime) -> None:
        limit = timedelta(minutes=self.site.staging_dwell_minutes)
        staged = {sscc: row for sscc, row in self.pallets().items() if row.state == "staged"}
        for sscc, row in staged.items():
            if now - row.updated_at >= limit:
                minutes = (now - row.updated_at).total_seconds() / 60
                self.alerts.raise_alert(
                    "pallet_dwell", sscc, now,
                    f"pallet {sscc} staged in {row.target or 'staging'} for {minutes:.0f} min "
                    f"(limit {self.site.staging_dwell_minutes:g} min)",
                )
        for alert in self.alerts.open_alerts():
            if alert.kind == "pallet_dwell" and alert.subject not in staged:
                self.alerts.clear("pallet_dwell", alert.subject, now)

    def _condition(
        self, kind: AlertKind, subject: str, held: bool, grace_s: float, now: datetime, message: str
    ) -> None:
        key = (kind, subject)
        if not held:
            self._since.pop(key, None)
            if self.alerts.is_open(kind, subject):
                self.alerts.clear(kind, subject, now)
            return
        since = self._since.setdefault(key, now)
        if (now - since).total_seconds() >= grace_s:
            self.alerts.raise_alert(kind, subject, now, message)

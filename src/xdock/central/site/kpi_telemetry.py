"""Sends the supervisor's KPIs as a telemetry point every ``interval_s`` seconds of site time.

The figures are computed on the event loop (they read the live state, which lives there); the
point is only queued on the sink, whose writer talks to the server from its own thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from xdock.central.site.kpis import Kpis
from xdock.central.telemetry.points import TelemetryPoint, kpi
from xdock.central.telemetry.sink import TelemetrySink
from xdock.protocol.clock import Clock

__all__ = ["KpiReporter", "kpi_point"]

_log = logging.getLogger(__name__)


def kpi_point(site: str, figures: Kpis, time: datetime) -> TelemetryPoint:
    """The KPIs as one ``kpi`` point; figures not known yet (``None``) are left out."""
    values: dict[str, float | int | None] = {
        "pallets_per_hour": figures.pallets_per_hour,
        "dock_to_dock_p50_min": figures.dock_to_dock_p50_min,
        "dock_to_dock_p90_min": figures.dock_to_dock_p90_min,
        "door_utilisation": figures.door_utilisation,
        "busy_doors": figures.busy_doors,
        "travel_m": figures.travel_m,
        "wrong_door_scans_stopped": figures.wrong_door_scans_stopped,
        "portal_misloads": figures.portal_misloads,
        "loaded": figures.loaded,
        "departed_today": figures.departed_today,
        "departed_on_time": figures.departed_on_time,
        "on_time_departures": figures.on_time_departures,
        "late_departures": figures.late_departures,
        "late_pallets": figures.late_pallets,
        "truck_wait_p90_min": figures.truck_wait_p90_min,
        "trucks_waiting": figures.trucks_waiting,
        "longest_wait_min": figures.longest_wait_min,
    }
    return kpi(site=site, figures={k: v for k, v in values.items() if v is not None}, time=time)


class KpiReporter:
    """Records ``kpi_point(site, figures(), clock.now())`` on ``sink`` every ``interval_s`` (site time)."""

    def __init__(
        self, site: str, figures: Callable[[], Kpis], sink: TelemetrySink, clock: Clock, interval_s: float = 60.0
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"KPI telemetry interval_s: expected a positive number of seconds, got {interval_s}")
        self._site = site
        self._figures = figures
        self._sink = sink
        self._clock = clock
        self._interval_s = interval_s
        self.sent = 0
        """Points recorded so far."""

    def report(self) -> None:
        """Record the KPIs as they are now."""
        self._sink.record(kpi_point(self._site, self._figures(), self._clock.now()))
        self.sent += 1

    async def run(self) -> None:
        """Report once per interval until cancelled."""
        _log.info("KPI telemetry every %g s of site time", self._interval_s)
        while True:
            await self._clock.sleep(self._interval_s)
            self.report()

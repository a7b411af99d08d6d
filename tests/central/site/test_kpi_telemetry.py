"""KPIs sent as telemetry every interval of site time."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from support.waiting import eventually
from xdock.central.site.kpi_telemetry import KpiReporter, kpi_point
from xdock.central.site.kpis import Kpis
from xdock.central.telemetry import LocalTelemetry, to_line
from xdock.protocol.clock import ManualClock

AT = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
FIGURES = Kpis(
    pallets_per_hour=42,
    series=(40.0, 42.0),
    series_start=AT,
    bucket_minutes=15,
    dock_to_dock_p50_min=12.5,
    dock_to_dock_p90_min=None,
    dock_to_dock_basis="assigned",
    dock_to_dock_count=3,
    door_utilisation=0.5,
    busy_doors=1,
    outbound_doors=2,
    travel_m=46.0,
    wrong_door_scans_stopped=1,
    portal_misloads=2,
    loaded=0,
)


def test_kpi_point_leaves_out_figures_not_known_yet() -> None:
    assert to_line(kpi_point("lyon", FIGURES, AT)) == (
        "kpi,site=lyon pallets_per_hour=42i,dock_to_dock_p50_min=12.5,door_utilisation=0.5,busy_doors=1i,"
        "travel_m=46.0,wrong_door_scans_stopped=1i,portal_misloads=2i,loaded=0i,departed_today=0i,departed_on_time=0i,"
        "late_departures=0i,late_pallets=0i,trucks_waiting=0i "
        f"{int(AT.timestamp()) * 1_000_000_000}"
    )


async def test_a_point_every_interval_of_site_time() -> None:
    clock = ManualClock(AT)
    store = LocalTelemetry()
    reporter = KpiReporter("lyon", lambda: FIGURES, store, clock, interval_s=60)
    task = asyncio.create_task(reporter.run())
    try:
        await eventually(lambda: reporter.sent >= 3, what="three KPI points")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    points = store.query("kpi")[:3]
    assert [p.time for p in points] == [AT + timedelta(minutes=m) for m in (1, 2, 3)]
    assert all(p.fields["pallets_per_hour"] == 42 for p in points)


def test_a_non_positive_interval_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^KPI telemetry interval_s: expected a positive number of seconds, got 0$"):
        KpiReporter("lyon", lambda: FIGURES, LocalTelemetry(), ManualClock(AT), interval_s=0)

"""``xdock central --telemetry-url`` sends its KPIs to a real VictoriaMetrics through the v2 write API."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from pathlib import Path

import pytest
from victoria_server import VictoriaMetrics

from support.sites import site_yaml
from support.waiting import eventually
from xdock.central.telemetry import TOKEN_ENV
from xdock.testing import CentralProcess, Mosquitto

SIM_START = "2026-11-23T08:00:00+00:00"
SIM_START_MS = int(datetime.fromisoformat(SIM_START).timestamp()) * 1000
SITE = site_yaml(id="it", timezone="UTC")


async def test_central_sends_kpis_every_minute_of_site_time(
    mosquitto: Mosquitto, victoria: VictoriaMetrics, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    token = tmp_path / "token"
    token.write_text("unused-by-victoria-metrics\n")
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    central = CentralProcess(site, mosquitto.url, tmp_path / "c.db", sim_start=SIM_START)
    central.args += [
        "--sim-speed",
        "600",
        "--telemetry-url",
        victoria.url,
        "--telemetry-bucket",
        "dock",
        "--telemetry-token-file",
        str(token),
    ]
    await asyncio.to_thread(central.start)
    try:
        await eventually(
            lambda: sum(len(s.samples) for s in victoria.export("kpi_door_utilisation")) >= 2,
            timeout=20,
            what="two KPI points in VictoriaMetrics",
        )
    finally:
        await asyncio.to_thread(central.stop)
    (series,) = victoria.export("kpi_door_utilisation")
    assert series.labels == {"__name__": "kpi_door_utilisation", "site": "it"}
    times = [ms for ms, _ in series.samples]
    # the first a minute of site time after the start, then a minute or more apart (never sooner)
    assert times[0] >= SIM_START_MS + 60_000
    assert all(b - a >= 60_000 for a, b in itertools.pairwise(times))
    assert {value for _, value in series.samples} == {0.0}
    (pallets,) = victoria.export("kpi_pallets_per_hour")
    assert {value for _, value in pallets.samples} == {0.0}

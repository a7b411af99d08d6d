"""Central's metrics read from its live objects at scrape time: the re-plan, liveness and alerts families."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from support.scans import scan
from support.scrape import Samples, documented_names, exported_names, labels, parse
from support.sites import inbound, outbound, site_config, trailer
from xdock.central.api.metrics import CentralMetrics
from xdock.central.edges.liveness import Liveness
from xdock.central.ingest.mqtt_ingest import Ingest
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.planning.replanner import Replanner
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus

SITE = site_config(
    id="m1", timezone="UTC",
    doors=[inbound(), outbound("DA", 4000, 0)], trailers=[trailer("A", "DA", capacity=10, departure="16:00")],
)
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ON = labels(site="m1")


@pytest.fixture
async def replanner() -> AsyncIterator[Replanner]:
    async with Replanner(time_limit=1.0) as planner:
        yield planner


def central_metrics(tmp_path: Path, replanner: Replanner) -> tuple[CentralMetrics, LiveSite, Liveness, PlanningLoop]:
    clock = ManualClock(START)
    tmp_path.mkdir(exist_ok=True)
    store = Store(tmp_path / "c.db")
    site = LiveSite(SITE, store, clock)
    liveness = Liveness("m1", clock, site.alerts)
    ingest = Ingest(site, BrokerUrl("127.0.0.1"), clock, refusals=UplinkRefusals(store, clock, "m1"),
                    liveness=liveness)
    planning = PlanningLoop(site, replanner, clock, interval=30)
    return CentralMetrics(site, ingest=ingest, liveness=liveness, planning=planning), site, liveness, planning


def scraped(metrics: CentralMetrics) -> Samples:
    return parse(generate_latest(metrics.registry).decode())


async def test_replan_liveness_and_alerts_are_read_at_scrape_time(tmp_path: Path, replanner: Replanner) -> None:
    metrics, site, liveness, planning = central_metrics(tmp_path, replanner)
    before = scraped(metrics)
    assert before[("xdock_replan_duration_seconds_count", ON)] == 0
    assert ("xdock_replan_objective_m", ON) not in before
    assert before[("xdock_broker_connected", ON)] == 0
    assert before[("xdock_alerts_open", ON | labels(kind="edge_offline"))] == 0

    site.apply_scan(scan(1, at=START))
    result = await planning.run_once()
    liveness.edge_status(EdgeStatus(edge_id="e1", online=True, door="D1", at=START, heartbeat_s=5.0, backlog=0))
    for device, online in (("s1", True), ("s2", False)):
        liveness.device_status(DeviceStatus(edge_id="e1", device_id=device, device_kind="serial_scanner",
                                            online=online, at=START, heartbeat_s=5.0))
    site.alerts.raise_alert("misload", "DA", START, "pallet at the wrong door")

    after = scraped(metrics)
    assert after[("xdock_scans_applied_total", ON)] == 1
    assert after[("xdock_scans_answered_total", ON)] == 0  # applied in process, not answered over MQTT
    assert after[("xdock_replan_duration_seconds_count", ON)] == 1
    assert after[("xdock_replan_objective_m", ON)] == result.cost_m
    assert after[("xdock_edges_online", ON)] == 1
    assert after[("xdock_devices_online", ON | labels(kind="serial_scanner"))] == 1
    assert after[("xdock_alerts_open", ON | labels(kind="misload"))] == 1
    assert after[("xdock_alerts_open", ON | labels(kind="edge_offline"))] == 0
    assert after[("xdock_leader", ON)] == 1


async def test_two_centrals_in_one_process_keep_their_own_registries(tmp_path: Path, replanner: Replanner) -> None:
    first, site, _, _ = central_metrics(tmp_path / "a", replanner)
    second, _, _, _ = central_metrics(tmp_path / "b", replanner)
    site.apply_scan(scan(1, at=START))
    assert scraped(first)[("xdock_scans_applied_total", ON)] == 1
    assert scraped(second)[("xdock_scans_applied_total", ON)] == 0


async def test_central_serves_exactly_the_metrics_its_doc_lists(tmp_path: Path, replanner: Replanner) -> None:
    metrics, _, _, _ = central_metrics(tmp_path, replanner)
    assert exported_names(metrics.registry) == documented_names("Central")
    assert len(documented_names("Central")) == 12

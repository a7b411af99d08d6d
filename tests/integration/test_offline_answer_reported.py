"""A scan in flight when central went down, answered offline, then corrected: central records the correction.

Real Mosquitto, central in process on its store, edge agent in process with a mock scanner on a pty.
The scan leaves while central counts as online, central is down before it answers, the edge answers
the worker from its routing snapshot; central, back, decides otherwise: the worker sees ``CHANGE:``
and central counts an ``offline_corrected`` whose event says ``correction: true``.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import httpx

from support.inproc_central import get_json, running_central
from support.sites import site_config, staging
from support.waiting import eventually
from xdock.central.app import Central, CentralConfig
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import ScaledClock, SystemClock
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import CentralStatus, DestinationMatch, RouteSnapshot, encode
from xdock.protocol.topics import central_status_topic, routes_topic
from xdock.testing import Mosquitto

SITE = site_config(id="it", timezone="UTC", areas=[staging()])
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
EDGE = "edge-d1"
NOW = datetime.now(UTC)
# The edge's snapshot has no trailer for Lyon (yet central has one): offline, the pallet goes to staging.
SNAPSHOT = RouteSnapshot(edge_id=EDGE, plan_version=1, made_at=NOW + timedelta(days=400), chilled_max_c=8.0,
                         destinations=[DestinationMatch(id="LYON", postal_codes=["69*"])], routes=[], staging="S1")
PALLET = sscc_with_check_digit("03761303250000001")


def central_on(broker: Mosquitto, db: Path) -> AbstractAsyncContextManager[tuple[Central, httpx.AsyncClient]]:
    return running_central(CentralConfig(SITE, broker.url, db, api_port=None, replan_interval=None),
                           ScaledClock(START))


async def test_a_correction_of_an_offline_answer_given_after_the_scan_left_is_recorded(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    async with central_on(mosquitto, db):
        pass  # central's persistent session now holds its subscriptions
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="setup") as client:
        # Central was killed an instant ago: its Last Will has not reached the edge yet.
        await client.publish(central_status_topic("it"), encode(CentralStatus(online=True, at=NOW)), qos=1,
                             retain=True)
        await client.publish(routes_topic("it", EDGE), encode(SNAPSHOT), qos=1, retain=True)
    scanner = MockScanner(link=tmp_path / "scanner-d1", name="d1")
    scanner.open()
    agent = EdgeAgent(EdgeConfig(site="it", edge_id=EDGE, door="D1", broker=mosquitto.url,
                                 scanners=(ScannerPort("s1", str(tmp_path / "scanner-d1")),),
                                 state_dir=tmp_path / "edge", answer_timeout=1.0), SystemClock())
    task = asyncio.create_task(agent.run())
    try:
        await eventually(lambda: agent.drivers["s1"].online and agent.router.snapshot == SNAPSHOT
                         and agent.central_online is True, 10, "edge ready")
        scanner.scan(build_label(PALLET, ship_to_postal="69003"))
        await eventually(lambda: agent.stats.published == 1, 5, "scan sent")
        agent.on_central_status(CentralStatus(online=False, at=NOW))  # the Will arrives before central's answer
        assert await scanner.wait_for_display("S1 STAGING (offline)") == "S1 STAGING (offline)"

        async with central_on(mosquitto, db) as (central, http):
            assert await scanner.wait_for_display("CHANGE: D12 T-LYON-1") == "CHANGE: D12 T-LYON-1"
            assert scanner.beeps == ["good", "error"]
            await eventually(lambda: central.site.stats.offline_corrected == 1, 10, "correction counted")
            stats = await get_json(http, "/api/v1/stats")
            assert (stats["offline_kept"], stats["offline_corrected"]) == (0, 1)
            events = await get_json(http, "/api/v1/events")
            [scan] = [e for e in events if e["kind"] == "scan"]
            [corrected] = [e for e in events if e["kind"] == "offline_corrected"]
            assert (scan["seq"], scan["body"]["answer"]["correction"]) == (1, False)
            assert (corrected["sscc"], corrected["edge_id"], corrected["seq"]) == (PALLET, EDGE, 1)
            assert corrected["body"]["correction"] is True
            assert corrected["body"]["central"] == {"outcome": "assigned", "door": "D12", "trailer": "T-LYON-1"}
            assert (agent.stats.corrections, agent.stats.offline_reports) == (1, 1)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        scanner.close()

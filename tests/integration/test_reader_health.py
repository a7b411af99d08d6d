"""Device health end to end: an edge agent reading an emulated LLRP reader on TCP → Mosquitto → central (in
process), whose local telemetry holds the reader's health and read-rate points, and whose liveness raises an alert
naming the reader when it drops."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

from support.inproc_central import get_json, running_central
from support.sites import outbound, site_config
from support.waiting import eventually
from xdock.central.app import Central, CentralConfig
from xdock.central.telemetry import LocalTelemetry
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig
from xdock.edge.portals import PortalReader
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock
from xdock.firmware_mocks.llrp_tags import TagPass, TagPopulation
from xdock.protocol.clock import SystemClock
from xdock.protocol.epc import Sscc96
from xdock.testing import Mosquitto

SITE = site_config(id="it", timezone="UTC", doors=[outbound()], destinations=[], trailers=[])
PALLET = Sscc96.from_sscc("376130321109103420", company_prefix_length=7).encode()


def ring(central: Central) -> LocalTelemetry:
    """Central's ring of recent telemetry (always kept, InfluxDB or not)."""
    return central.telemetry.recent


async def test_a_readers_health_and_read_rate_reach_centrals_telemetry(mosquitto: Mosquitto, tmp_path: Path) -> None:
    clock = SystemClock()
    # A pallet parked in view of a neighbour-facing antenna: read on every round, never a passage.
    tags = TagPopulation([TagPass(PALLET, antenna_id=3, start_s=0.0, end_s=3600.0, peak_rssi=-70)])
    reader = LlrpReaderMock(tags, clock=clock)
    await reader.start()
    address = f"127.0.0.1:{reader.port}"
    config = CentralConfig(SITE, mosquitto.url, tmp_path / "c.db", api_port=None, replan_interval=None)
    task: asyncio.Task[None] | None = None
    try:
        async with running_central(config, clock) as (central, http):
            edge = EdgeAgent(EdgeConfig(
                site="it", edge_id="edge-d12", door="D12", broker=mosquitto.url, scanners=(),
                readers=(PortalReader("R1", "127.0.0.1", reader.port),), heartbeat_s=0.2, state_dir=tmp_path / "edge",
            ), clock)
            task = asyncio.create_task(edge.run())
            telemetry = ring(central)
            await eventually(lambda: len(telemetry.query("read_rate", tags={"device": "R1"})) >= 2, 10,
                             "two read rates of R1")
            rates = telemetry.query("read_rate", tags={"device": "R1"})
            assert {(p.tags["site"], p.tags["edge"]) for p in rates} == {("it", "edge-d12")}
            assert all(float(p.fields["per_s"]) >= 0 for p in rates)
            assert any(float(p.fields["per_s"]) > 0 for p in rates)
            health = telemetry.query("device_health", tags={"device": "R1"})
            assert health[0].tags == {"site": "it", "edge": "edge-d12", "device": "R1", "kind": "rfid_reader"}
            assert set(health[-1].fields) == {"online", "reads", "reports", "bad_frames", "reconnects", "non_sscc",
                                              "keepalives", "clock_rebased"}
            assert (health[-1].fields["online"], health[-1].fields["clock_rebased"]) == (True, 0)
            edge_health = telemetry.query("device_health", tags={"device": "edge-d12"})
            assert (edge_health[-1].tags["kind"], edge_health[-1].fields) == ("edge", {"online": True, "backlog": 0})
            # The rate is the increase of reads over the increase of the statuses' time.
            statuses = [p for p in health if p.time <= rates[-1].time][-2:]
            reads = int(statuses[1].fields["reads"]) - int(statuses[0].fields["reads"])
            seconds = (statuses[1].time - statuses[0].time) / timedelta(seconds=1)
            assert rates[-1].fields["per_s"] == reads / seconds

            await reader.close()
            await eventually(lambda: bool(central.store.alerts(open_only=True)), 10, "reader alert")
            [alert] = await get_json(http, "/api/v1/alerts?open=true")
            assert (alert["kind"], alert["subject"], alert["message"]) == (
                "device_offline", "edge-d12/R1", f"RFID reader R1 on edge edge-d12 (door D12) offline: {address}"
            )
            assert telemetry.query("device_health", tags={"device": "R1"})[-1].fields["online"] is False
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await reader.close()

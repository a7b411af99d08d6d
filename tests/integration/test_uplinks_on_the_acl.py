"""Every uplink kind reaches central through a broker running its site's generated config (ACL on).

The shipped ACL once had no rule for RFID passages nor sensor readings: Mosquitto dropped them, the
edge counted them sent and central applied nothing. Here every client logs in as itself: central (a
real process), an edge agent with two LLRP portal readers and a Modbus probe, the inbound edge's scan
and an MQTT sensor node; central must apply the scan, the passage and every reading, and hear the
edge's and its devices' status.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt

from support.scans import scan as scan_event
from support.sites import PARIS, inbound, outbound, sensor, site_yaml, trailer
from support.waiting import eventually
from xdock.broker_config import BrokerUsers
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig
from xdock.edge.portals import PortalReader
from xdock.edge.sensor_probes import ModbusProbe
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock
from xdock.firmware_mocks.llrp_tags import TagPass
from xdock.firmware_mocks.modbus_sensor import MockModbusSensor
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode, ValueScript
from xdock.protocol.clock import ScaledClock
from xdock.protocol.epc import Sscc96
from xdock.protocol.messages import encode
from xdock.protocol.modbus_probe import ProbeSample
from xdock.protocol.topics import scan_topic
from xdock.testing import CentralProcess
from xdock.testing.site_broker import SiteBroker, site_broker

SITE = site_yaml(
    id="it",
    timezone="UTC",
    doors=[inbound(), outbound("D14", 60, 30)],
    destinations=[PARIS],
    trailers=[trailer("T-PARIS-1", "D14", "PARIS", departure="17:00")],
    sensors=[
        sensor("t-d14-temp", "temperature", trailer="T-PARIS-1"),
        sensor("t-d14-rh", "humidity", trailer="T-PARIS-1"),
        sensor("T-PARIS-1-TEMP", "temperature", trailer="T-PARIS-1"),
    ],
)
PALLET = "376130321109103420"
EPC = Sscc96.from_sscc(PALLET, company_prefix_length=7).encode()


def _login(broker: SiteBroker, user: str) -> tuple[str, str]:
    return user, broker.password_file(user).read_text().strip()


def _pallet(central: CentralProcess) -> dict[str, object]:
    pallets: list[dict[str, object]] = central.get("/api/v1/pallets")
    return next((p for p in pallets if p["sscc"] == PALLET), {})


def _sensor_values(central: CentralProcess) -> dict[str, tuple[object, object]]:
    return {s["id"]: (s["value"], s["edge"]) for s in central.get("/api/v1/sensors")}


async def test_a_scan_a_passage_and_every_reading_reach_central_through_the_acl(tmp_path: Path) -> None:
    site = site_broker(tmp_path, BrokerUsers.parse("it", ["edge-in", "edge-out"], ["node-t1"]))
    await asyncio.to_thread(site.broker.start)
    site_file = tmp_path / "site.yaml"
    site_file.write_text(SITE)
    central = CentralProcess(site_file, site.url("central"), tmp_path / "central.db",
                             sim_start="2026-11-23T08:00:00+00:00", password_file=site.password_file("central"))
    clock = ScaledClock(datetime.now(UTC))
    reader = LlrpReaderMock(clock=clock)
    task: asyncio.Task[None] | None = None
    try:
        await asyncio.to_thread(central.start)
        await reader.start()
        user, password = _login(site, "edge-in")
        async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(-2.5, 61.2)), \
                aiomqtt.Client("127.0.0.1", site.broker.port, identifier="edge-in", username=user,
                               password=password) as inbound:
            scan = scan_event(edge="edge-in", at=clock.now(), sscc=PALLET, postal="75011")
            await inbound.publish(scan_topic("it", "edge-in"), encode(scan), qos=1)
            await eventually(lambda: _pallet(central).get("state") == "assigned", 10, "pallet assigned")

            edge_password = _login(site, "edge-out")[1]
            config = EdgeConfig(
                site="it", edge_id="edge-out", door="D14",
                broker=replace(site.url("edge-out"), password=edge_password), scanners=(),
                readers=(PortalReader("r14", "127.0.0.1", reader.port),),
                probes=(ModbusProbe.parse(f"t-d14={tmp_path / 'probe'}"),), state_dir=tmp_path / "edge",
            )
            agent = EdgeAgent(config, clock)
            task = asyncio.create_task(agent.run())
            async with asyncio.timeout(10):
                await agent.uplink.connected.wait()
            await eventually(lambda: len(reader.rospecs.active()) > 0, 10, "reader inventorying")
            t = reader.script_time() + 0.1
            reader.tags.add(
                TagPass(EPC, antenna_id=2, start_s=t, end_s=t + 0.25, peak_rssi=-50, falloff_db_per_s=40),
                TagPass(EPC, antenna_id=1, start_s=t + 0.2, end_s=t + 0.45, peak_rssi=-50, falloff_db_per_s=40),
            )
            reader.wake()

            node_user, node_password = _login(site, "node-t1")
            node = SensorNode("it", "node-t1", [NodeSensor("T-PARIS-1-TEMP", "temperature", ValueScript([(0, 3.5)]))],
                              clock, tmp_path / "node.seq", port=site.broker.port, username=node_user,
                              password=node_password)
            async with node:
                await node.step()

            await eventually(lambda: _pallet(central).get("state") == "loaded", 15, "pallet loaded by its passage")
            await eventually(lambda: len([v for v, _ in _sensor_values(central).values() if v is not None]) == 3,
                             15, "every reading applied")
            assert _sensor_values(central) == {
                "t-d14-temp": (-2.5, "edge-out"), "t-d14-rh": (61.2, "edge-out"),
                "T-PARIS-1-TEMP": (3.5, "node-t1"),
            }
            await eventually(lambda: agent.uplink.backlog == 0, 10, "outbox drained")
            edges = {e["id"]: e for e in central.get("/api/v1/edges")}
            assert edges["edge-out"]["online"] is True
            assert {d["id"] for d in edges["edge-out"]["devices"]} >= {"r14", "t-d14"}
            assert agent.stats.passages == 1
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await reader.close()
        await asyncio.to_thread(central.stop)
        await asyncio.to_thread(site.broker.stop)
    log = (tmp_path / "mosquitto" / "mosquitto.log").read_text()
    assert "not authorised" not in log

"""Sensor node → real Mosquitto → central ingest → site core: readings applied once, alerts raised and cleared."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt

from support.sites import destination, outbound, sensor, site_config, trailer
from support.waiting import eventually
from xdock.central.ingest.mqtt_ingest import Ingest
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode, ValueScript, reefer_logger
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import encode
from xdock.protocol.sensors import SensorReading
from xdock.protocol.topics import sensor_reading_topic
from xdock.testing import Mosquitto

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SITE = site_config(
    id="it",
    timezone="UTC",
    doors=[outbound(x=20)],
    destinations=[destination(postal_codes=[])],
    trailers=[trailer(reefer=True)],
    sensors=[
        sensor("T1-TEMP", "temperature", trailer="T-LYON-1", grace_s=120),
        sensor("T1-RH", "humidity", trailer="T-LYON-1"),
        sensor("D12-DOOR", "door_contact", door="D12", grace_s=60),
        sensor("D12-PRES", "trailer_presence", door="D12"),
    ],
)


async def test_node_readings_raise_and_clear_the_dock_alerts_at_central(mosquitto: Mosquitto, tmp_path: Path) -> None:
    clock = ManualClock(START)
    store = Store(tmp_path / "c.db")
    site = LiveSite(SITE, store, clock)
    ingest = Ingest(site, mosquitto.url, clock, refusals=UplinkRefusals(store, clock, SITE.site))
    task = asyncio.create_task(ingest.run())
    node_sensors = [
        *reefer_logger("T1", ValueScript([(0, 4.0), (30, 9.0), (300, 6.0)]), ValueScript([(0, 85.0)])),
        NodeSensor("D12-DOOR", "door_contact", ValueScript([(0, 1.0), (200, 0.0)])),
        NodeSensor("D12-PRES", "trailer_presence", ValueScript([(0, 0.0)])),
    ]
    try:
        await asyncio.wait_for(ingest.connected.wait(), 10)
        async with SensorNode("it", "node-t1", node_sensors, clock, tmp_path / "node.seq",
                              port=mosquitto.port) as node:
            opened: list[list[tuple[str, str]]] = []
            for _ in range(31):  # t = 0, 10, ..., 300
                await node.step()
                await eventually(lambda: site.sensor_stats.applied == node.published, what="readings applied")
                site.tick()  # what central does every few seconds
                opened.append([(a.kind, a.subject) for a in site.alerts.open_alerts()])
                clock.advance(10)
        # Door open, no trailer: from t=0, raised at t=60, cleared when it closes at t=200.
        assert opened[5] == []
        assert opened[6] == [("door_open_no_trailer", "D12")]
        # 9 °C in a reefer (limit 8) from t=30: raised at t=150, with the door alert still open.
        assert opened[14] == [("door_open_no_trailer", "D12")]
        assert opened[15] == [("door_open_no_trailer", "D12"), ("cold_chain_breach", "T1-TEMP")]
        assert opened[20] == [("cold_chain_breach", "T1-TEMP")]
        assert opened[30] == []  # back to 6 °C at t=300
        assert [e.kind for e in store.events()] == ["alert_raised", "alert_raised", "alert_cleared", "alert_cleared"]
        assert site.latest_readings()["T1-RH"].value == 85.0
        # A reading delivered again is applied once.
        replay = SensorReading(edge_id="node-t1", seq=1, sensor_id="T1-TEMP", kind="temperature", value=30.0,
                               unit="C", at=START)
        async with aiomqtt.Client("127.0.0.1", mosquitto.port) as client:
            await client.publish(sensor_reading_topic("it", "node-t1", "T1-TEMP"), encode(replay), qos=1)
        await eventually(lambda: site.sensor_stats.duplicates == 1, what="the replay counted")
        assert site.latest_readings()["T1-TEMP"].value == 6.0
        assert site.sensor_stats.applied == node.published
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        store.close()

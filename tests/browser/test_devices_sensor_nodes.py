"""MQTT sensor nodes in the dashboard's devices panel: devices with their own status, when last heard and their
sensors; counted in the panel's summary, never shown as an edge without status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_rig import ARTIFACTS, ROOT, telemetry_floor
from playwright.async_api import Browser, expect

from xdock.central.edges.liveness import Liveness
from xdock.central.site.live_site import LiveSite
from xdock.central.site_file.config import parse_site
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus
from xdock.protocol.sensors import KIND_UNITS, SensorKind, SensorReading

SENSORS = """
sensors:
  - {id: T2-TEMP, kind: temperature, trailer: T-LYON-2}
  - {id: T2-RH, kind: humidity, trailer: T-LYON-2}
  - {id: D12-DOOR, kind: door_contact, door: D12}
"""


@dataclass
class NodeFloor:
    site: LiveSite
    liveness: Liveness
    clock: ManualClock
    url: str
    seq: int = 0

    def read(self, node: str, sensor: str, kind: SensorKind, value: float) -> None:
        self.seq += 1
        assert self.site.apply_reading(SensorReading(edge_id=node, seq=self.seq, sensor_id=sensor, kind=kind,
                                                     value=value, unit=KIND_UNITS[kind], at=self.clock.now()))

    def node(self, node: str, online: bool, detail: str = "") -> None:
        self.liveness.device_status(DeviceStatus(edge_id=node, device_id=node, device_kind="sensor_node",
                                                 online=online, at=self.clock.now(), detail=detail))


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[NodeFloor]:
    site = parse_site((ROOT / "deploy" / "site.sample.yaml").read_text() + SENSORS)
    async with telemetry_floor(tmp_path, site) as served:
        yield NodeFloor(served.live, served.liveness, served.clock, served.url)


async def test_sensor_nodes_are_devices_with_their_own_status_and_sensors(floor: NodeFloor, browser: Browser) -> None:
    floor.liveness.edge_status(EdgeStatus(edge_id="edge-d1", online=True, door="D1", at=floor.clock.now(),
                                          heartbeat_s=30, backlog=0))
    floor.liveness.device_status(DeviceStatus(edge_id="edge-d1", device_id="handheld-1", device_kind="serial_scanner",
                                              online=True, at=floor.clock.now(), heartbeat_s=30))
    floor.node("logger-t2", True)
    floor.node("door-d12", True)
    floor.node("logger-s9", True)  # no reading yet
    floor.read("logger-t2", "T2-TEMP", "temperature", 5.5)
    floor.read("logger-t2", "T2-RH", "humidity", 76.6)
    floor.read("door-d12", "D12-DOOR", "door_contact", 1.0)
    floor.clock.advance(4)

    page = await browser.new_page(viewport={"width": 1600, "height": 1400})
    await page.goto(floor.url + "/")
    panel = page.locator("#devices-panel")
    await expect(panel).to_be_visible(timeout=8000)
    await expect(page.locator("#device-note")).to_have_text("1 edge · 4 devices · all online")
    await expect(panel.locator("li.edge")).to_have_count(2)  # the edge, then the sensor nodes together
    nodes = panel.locator("li.edge.nodes")
    await expect(nodes.locator(".edge-head > span")).to_have_text(["sensor nodes", "straight to the broker"])
    logger = nodes.locator('li.device[data-device="logger-t2"]')
    await expect(nodes.locator("li.device")).to_have_count(3)
    await expect(logger.locator(".device-head > span")).to_have_text(["sensor node", "logger-t2"])
    await expect(logger.locator(".dev-state")).to_have_text("online")
    await expect(logger.locator(".device-sub")).to_have_text("last reading 4 s ago")
    await expect(logger.locator(".node-sensor")).to_have_text(["T2-RH 76.6 %RH", "T2-TEMP 5.5 °C"])
    await expect(nodes.locator('li[data-device="door-d12"] .node-sensor')).to_have_text(["D12-DOOR open"])
    silent = nodes.locator('li[data-device="logger-s9"]')
    await expect(silent.locator(".device-sub")).to_have_text("status 4 s ago")
    await expect(silent.locator(".node-sensor")).to_have_count(0)
    await expect(panel).not_to_contain_text("no status")
    await expect(panel).not_to_contain_text("never seen")
    ARTIFACTS.mkdir(exist_ok=True)
    await panel.screenshot(path=ARTIFACTS / "devices-panel-sensor-nodes.png")

    floor.clock.advance(6)
    floor.node("door-d12", False, "link lost")  # its Last Will
    door = nodes.locator('li.device[data-device="door-d12"]')
    await expect(page.locator("#device-note")).to_have_text("1 edge · 4 devices · 1 offline", timeout=8000)
    await expect(nodes.locator("li.device").first).to_have_attribute("data-device", "door-d12")  # offline first
    await expect(door).to_have_attribute("data-online", "false")
    await expect(door.locator(".dev-state")).to_have_text("offline")
    await expect(door.locator(".device-sub")).to_have_text("link lost · last seen 10 s ago")
    await expect(nodes).to_have_attribute("data-online", "true")  # one node down: that node is red, not the group
    await panel.screenshot(path=ARTIFACTS / "devices-panel-sensor-node-offline.png")
    await page.close()

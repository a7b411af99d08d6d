"""The dashboard's cold chain & sensors panel in Chromium: sparklines with limits, statuses, door badges, and why a
sensor is stale."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
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
  - {id: S2-TEMP, kind: temperature, area: S2}
  - {id: T2-TEMP, kind: temperature, trailer: T-LYON-2}
  - {id: D12-DOOR, kind: door_contact, door: D12}
  - {id: D12-PRES, kind: trailer_presence, door: D12}
  - {id: D15-DOOR, kind: door_contact, door: D15}
"""


@dataclass
class SensorFloor:
    site: LiveSite
    liveness: Liveness
    clock: ManualClock
    url: str
    seq: int = 0

    def read(
        self, sensor: str, kind: SensorKind, value: float, minutes_ago: float = 0, edge: str = "edge-d12",
    ) -> None:
        self.seq += 1
        at = self.clock.now() - timedelta(minutes=minutes_ago)
        assert self.site.apply_reading(SensorReading(edge_id=edge, seq=self.seq, sensor_id=sensor, kind=kind,
                                                     value=value, unit=KIND_UNITS[kind], at=at))


@pytest.fixture
async def floor(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[SensorFloor]:
    """The sample site with ``SENSORS`` (or the section given as the fixture's parameter), served on a free port."""
    sample = (ROOT / "deploy" / "site.sample.yaml").read_text()
    without = re.sub(r"\nsensors:\n(?:[ #].*\n)*", "\n", sample)  # the sample's own sensors, replaced below
    assert "\nsensors:" in sample
    assert "\nsensors:" not in without
    site = parse_site(without + getattr(request, "param", SENSORS))
    async with telemetry_floor(tmp_path, site) as served:
        yield SensorFloor(served.live, served.liveness, served.clock, served.url)


async def test_the_panel_shows_each_sensor_its_value_status_and_door_badges(
    floor: SensorFloor, browser: Browser
) -> None:
    for minutes_ago, value in ((40, 4.0), (20, 5.0), (0, 5.5)):
        floor.read("S2-TEMP", "temperature", value, minutes_ago)
    floor.read("T2-TEMP", "temperature", 6.0, 30)
    floor.read("T2-TEMP", "temperature", 9.2, 0)  # above the reefer's 8 °C
    floor.read("D12-DOOR", "door_contact", 1.0)
    floor.read("D12-PRES", "trailer_presence", 1.0)

    page = await browser.new_page(viewport={"width": 1600, "height": 1200})
    await page.goto(floor.url + "/")
    await expect(page.locator("#sensors-panel")).to_be_visible()
    s2, t2 = page.locator('li[data-sensor="S2-TEMP"]'), page.locator('li[data-sensor="T2-TEMP"]')
    await expect(s2.locator(".sensor-value")).to_have_text("5.5 °C")
    await expect(s2).to_have_attribute("data-status", "ok")
    await expect(s2.locator(".sensor-watch")).to_have_text("area S2")
    await expect(s2.locator(".sub")).to_have_text("limit 8.0 °C · read 07:00")
    await expect(s2.locator(".sensor-spark")).to_have_attribute("data-points", "3")
    await expect(s2.locator(".sensor-spark line.limit")).to_have_count(1)
    await expect(t2.locator(".sensor-value")).to_have_text("9.2 °C")
    await expect(t2.locator(".sensor-status")).to_have_text("breach")
    await expect(t2.locator(".sensor-spark circle.over")).to_have_count(1)
    await expect(page.locator('.badge[data-sensor="D12-DOOR"]')).to_have_text("door open")
    await expect(page.locator('.badge[data-sensor="D12-PRES"]')).to_have_text("trailer present")
    await expect(page.locator('.badge[data-sensor="D15-DOOR"]')).to_have_attribute("data-status", "no_data")
    await expect(page.locator("#sensor-note")).to_have_text("5 sensors · 2 need a look")
    await expect(page.locator(".sensor-why")).to_have_count(0)  # nothing stale, nothing to explain
    await expect(page.locator('.badge[data-sensor="D12-DOOR"]')).to_have_attribute("title", "D12-DOOR: ok · read 07:00")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator("#sensors-panel").screenshot(path=ARTIFACTS / "sensors-panel.png")

    floor.read("T2-TEMP", "temperature", 7.0)  # back under its limit: the next poll shows it
    await expect(t2).to_have_attribute("data-status", "ok", timeout=8000)
    await expect(t2.locator(".sensor-spark")).to_have_attribute("data-points", "3")
    floor.clock.advance(11 * 60)  # no report for two periods: the last value is kept, shown stale
    await expect(s2).to_have_attribute("data-status", "stale", timeout=8000)
    await expect(s2.locator(".sensor-value")).to_have_text("5.5 °C")
    silent = "no reading for 660 s (reports at least every 300 s)"
    await expect(s2.locator(".sensor-why")).to_have_text(silent)
    await expect(s2.locator(".sensor-why")).to_have_attribute("title", silent)  # in full when cut short
    door = page.locator('.badge[data-sensor="D12-DOOR"]')
    await expect(door).to_have_text("door open · stale")
    await expect(door).to_have_attribute(
        "title", "D12-DOOR: stale — no reading for 660 s (reports at least every 60 s) · read 07:00")
    await expect(page.locator(".sensor-why")).to_have_count(2)  # S2 and T2, both silent for 11 minutes
    await page.screenshot(path=ARTIFACTS / "sensors-dashboard.png", full_page=True)
    await page.close()


async def test_a_sensor_behind_an_offline_edge_or_node_says_which_is_offline(
    floor: SensorFloor, browser: Browser
) -> None:
    floor.read("S2-TEMP", "temperature", 5.5)
    floor.read("T2-TEMP", "temperature", 4.0, edge="node-t2")  # an MQTT sensor node: its own edge
    floor.read("D12-DOOR", "door_contact", 0.0)
    floor.read("D12-PRES", "trailer_presence", 1.0)
    at = floor.clock.now()
    floor.liveness.device_status(DeviceStatus(edge_id="node-t2", device_id="node-t2", device_kind="sensor_node",
                                              online=False, at=at, detail="link lost"))
    floor.liveness.edge_status(EdgeStatus(edge_id="edge-d12", online=False, at=at))

    page = await browser.new_page(viewport={"width": 1600, "height": 1200})
    await page.goto(floor.url + "/")
    s2, t2 = page.locator('li[data-sensor="S2-TEMP"]'), page.locator('li[data-sensor="T2-TEMP"]')
    await expect(s2.locator(".sensor-why")).to_have_text("edge edge-d12 offline")
    await expect(s2.locator(".sensor-status")).to_have_text("stale")
    await expect(s2.locator(".sensor-value")).to_have_text("5.5 °C")
    await expect(t2.locator(".sensor-why")).to_have_text("sensor node node-t2 offline: link lost")
    door, present = page.locator('.badge[data-sensor="D12-DOOR"]'), page.locator('.badge[data-sensor="D12-PRES"]')
    await expect(door).to_have_text("door closed · stale")
    await expect(door).to_have_attribute("title", "D12-DOOR: stale — edge edge-d12 offline · read 07:00")
    await expect(present).to_have_attribute("title", "D12-PRES: stale — edge edge-d12 offline · read 07:00")
    await expect(page.locator('.badge[data-sensor="D15-DOOR"]')).to_have_attribute("title", "D15-DOOR: no data")
    await expect(page.locator("#sensor-note")).to_have_text("5 sensors · 5 need a look")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator("#sensors-panel").screenshot(path=ARTIFACTS / "sensors-panel-stale.png")

    floor.liveness.edge_status(EdgeStatus(edge_id="edge-d12", online=True, at=at))  # back: believed again
    await expect(s2).to_have_attribute("data-status", "ok", timeout=8000)
    await expect(s2.locator(".sensor-why")).to_have_count(0)
    await expect(door).to_have_attribute("title", "D12-DOOR: ok · read 07:00")
    await expect(t2.locator(".sensor-why")).to_have_text("sensor node node-t2 offline: link lost")
    await page.close()


@pytest.mark.parametrize("floor", [""], indirect=True)
async def test_a_site_without_sensors_shows_no_panel(floor: SensorFloor, browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(floor.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    async with page.expect_response(lambda r: r.url.endswith("/api/v1/sensors")) as answer:
        pass
    assert await (await answer.value).json() == []
    await expect(page.locator("#sensors-panel")).to_be_hidden()
    await page.close()

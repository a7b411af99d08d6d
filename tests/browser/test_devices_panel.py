"""The dashboard's devices panel in Chromium: edges with their devices, read rates, rising error counters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_rig import ARTIFACTS, ROOT, telemetry_floor
from playwright.async_api import Browser, expect

from xdock.central.edges.device_telemetry import DeviceTelemetry
from xdock.central.edges.liveness import Liveness
from xdock.central.site_file.config import load_site
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus
from xdock.protocol.status_messages import DeviceKind


@dataclass
class DeviceFloor:
    liveness: Liveness
    telemetry: DeviceTelemetry
    clock: ManualClock
    url: str

    def heard(self, status: EdgeStatus | DeviceStatus) -> None:
        """A status as ingest hands it on: to liveness, then to device telemetry."""
        if isinstance(status, EdgeStatus):
            self.liveness.edge_status(status)
        else:
            self.liveness.device_status(status)
        self.telemetry.record(status)

    def edge(self, edge: str, door: str, backlog: int, online: bool = True) -> None:
        self.heard(EdgeStatus(edge_id=edge, online=online, door=door, at=self.clock.now(), version="0.9.1",
                              heartbeat_s=30, backlog=backlog))

    def device(self, device: str, kind: DeviceKind, counters: dict[str, int], online: bool = True,
               detail: str = "") -> None:
        self.heard(DeviceStatus(edge_id="edge-d1", device_id=device, device_kind=kind, online=online,
                                at=self.clock.now(), detail=detail, heartbeat_s=30, counters=counters))


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[DeviceFloor]:
    """The sample site served on a free port, with liveness and the local telemetry ring wired as Central does."""
    async with telemetry_floor(tmp_path, load_site(ROOT / "deploy" / "site.sample.yaml")) as served:
        yield DeviceFloor(served.liveness, DeviceTelemetry(served.site.site, served.ring, served.clock),
                          served.clock, served.url)


async def test_edges_and_devices_with_rates_and_rising_counters_offline_first(
    floor: DeviceFloor, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1400})
    await page.goto(floor.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    async with page.expect_response(lambda r: r.url.endswith("/api/v1/edges")) as answer:
        pass
    assert await (await answer.value).json() == []
    await expect(page.locator("#devices-panel")).to_be_hidden()  # no edge known yet

    steps = ((0, 10, 0, 100, 1), (2, 16, 1, 400, 3), (2, 25, 1, 580, 3))  # backlog, scans, bad lines, reads, bad frames
    for i, (backlog, scans, bad_lines, reads, bad_frames) in enumerate(steps):
        if i:
            floor.clock.advance(60)
        floor.edge("edge-d1", "D1", backlog)
        floor.device("handheld-1", "serial_scanner", {"scans": scans, "bad_lines": bad_lines})
        floor.device("portal-1", "rfid_reader", {"reads": reads, "reports": reads // 10, "bad_frames": bad_frames,
                                                 "reconnects": 0, "clock_rebased": 0})
        floor.device("probe-1", "modbus_sensor", {"polls": 12 * (i + 1), "timeouts": 1, "crc_errors": 2 * i})
    floor.clock.advance(4)

    panel = page.locator("#devices-panel")
    await expect(panel).to_be_visible(timeout=8000)
    edge = panel.locator('li.edge[data-edge="edge-d1"]')
    scanner, reader = edge.locator('li[data-device="handheld-1"]'), edge.locator('li[data-device="portal-1"]')
    await expect(page.locator("#device-note")).to_have_text("1 edge · 3 devices · all online")
    await expect(edge).to_have_attribute("data-online", "true")
    await expect(edge.locator(".edge-head > span")).to_have_text(["door D1", "edge-d1", "online"])
    await expect(edge.locator(".edge-sub > span")).to_have_text(["backlog 2", "status 4 s ago", "v0.9.1"])
    await expect(edge.locator(".edge-backlog")).to_have_attribute("data-waiting", "true")
    await expect(edge.locator("li.device").first).to_have_attribute("data-device", "handheld-1")
    await expect(scanner.locator(".device-head > span")).to_have_text(["scanner", "handheld-1"])
    await expect(scanner.locator(".device-rate")).to_have_text("9.0 scans/min")
    await expect(scanner.locator(".device-spark")).to_have_attribute("data-points", "2")
    await expect(scanner.locator(".counter")).to_have_text(["bad lines 1 +1"])
    await expect(scanner.locator('.counter[data-rose="true"]')).to_have_count(1)
    await expect(reader.locator(".device-head > span")).to_have_text(["RFID reader", "portal-1"])
    await expect(reader.locator(".device-rate")).to_have_text("3.0 reads/s")
    await expect(reader.locator(".device-spark")).to_have_attribute("data-points", "2")
    await expect(reader.locator(".dev-state")).to_have_text("online")
    await expect(reader.locator(".counter")).to_have_text(["bad frames 3 +2", "reconnects 0", "clock rebased 0"])
    await expect(reader.locator('.counter[data-rose="true"]')).to_have_text(["bad frames 3 +2"])
    await expect(reader.locator(".device-sub")).to_have_count(0)
    probe = edge.locator('li[data-device="probe-1"]')
    await expect(probe.locator(".device-head > span")).to_have_text(["Modbus probe", "probe-1"])
    await expect(probe.locator(".device-spark, .device-rate")).to_have_count(0)
    await expect(probe.locator(".counter")).to_have_text(["timeouts 1", "CRC errors 4 +4"])
    await expect(probe.locator('.counter[data-rose="true"]')).to_have_text(["CRC errors 4 +4"])
    ARTIFACTS.mkdir(exist_ok=True)
    await panel.screenshot(path=ARTIFACTS / "devices-panel.png")

    floor.clock.advance(1)  # the reader's session drops: its driver reconnects, the edge says it is offline
    floor.device("portal-1", "rfid_reader", {"reads": 580, "reports": 58, "bad_frames": 3, "reconnects": 1,
                                             "clock_rebased": 0}, online=False, detail="connection refused")
    await expect(reader).to_have_attribute("data-online", "false", timeout=8000)
    await expect(page.locator("#device-note")).to_have_text("1 edge · 3 devices · 1 offline")
    await expect(edge.locator("li.device").first).to_have_attribute("data-device", "portal-1")
    await expect(reader.locator(".dev-state")).to_have_text("offline")
    await expect(reader.locator(".dev-state")).to_have_css("color", "rgb(248, 81, 73)")
    await expect(reader.locator(".device-rate")).to_have_text("– reads/s")
    await expect(reader.locator(".counter")).to_have_text(["bad frames 3 +2", "reconnects 1 +1", "clock rebased 0"])
    await expect(reader.locator(".device-sub")).to_have_text("connection refused · last seen 5 s ago")
    await expect(scanner).to_have_attribute("data-online", "true")
    await expect(edge.locator(".edge-sub > span")).to_have_text(["backlog 2", "status 5 s ago", "v0.9.1"])
    await panel.screenshot(path=ARTIFACTS / "devices-panel-reader-offline.png")

    floor.edge("edge-d2", "D2", 0)  # a second edge, then its Last Will: it comes first, in red
    floor.clock.advance(30)
    floor.edge("edge-d2", "D2", 0, online=False)
    other = panel.locator('li.edge[data-edge="edge-d2"]')
    await expect(other).to_have_attribute("data-online", "false", timeout=8000)
    await expect(panel.locator("li.edge").first).to_have_attribute("data-edge", "edge-d2")
    await expect(other.locator(".edge-head > span")).to_have_text(["door D2", "edge-d2", "offline"])
    await expect(other.locator(".edge-sub > span")).to_have_text(["backlog 0", "last seen 30 s ago", "v0.9.1"])
    await expect(other.locator(".devices")).to_have_text("no devices reported")
    await expect(page.locator("#device-note")).to_have_text("2 edges · 3 devices · 2 offline")
    await panel.screenshot(path=ARTIFACTS / "devices-panel-edge-offline.png")
    await page.screenshot(path=ARTIFACTS / "devices-dashboard.png", full_page=True)
    await page.close()


async def test_what_the_broker_refuses_an_edge_shows_under_it(floor: DeviceFloor, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1400})
    await page.goto(floor.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    floor.heard(EdgeStatus(edge_id="edge-d12", online=True, door="D12", at=floor.clock.now(), heartbeat_s=30,
                           backlog=3, refused={"not_authorised": 3}, problem="broker refuses passage: not authorised"))
    edge = page.locator('#devices-panel li.edge[data-edge="edge-d12"]')
    await expect(edge.locator(".edge-problem")).to_have_text("edge-d12: broker refuses passage: not authorised",
                                                             timeout=8000)
    await expect(page.locator("#alerts")).to_contain_text("edge-d12: broker refuses passage: not authorised",
                                                          timeout=8000)
    floor.heard(EdgeStatus(edge_id="edge-d12", online=True, door="D12", at=floor.clock.now(), heartbeat_s=30,
                           backlog=0, refused={"not_authorised": 3}))
    await expect(edge.locator(".edge-backlog")).to_have_text("backlog 0", timeout=8000)
    await expect(edge.locator(".edge-problem")).to_have_count(0)

"""The dock worker's handheld in Chromium: where the pallet goes, STOP at the wrong door, OK at the right one."""

from __future__ import annotations

from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, expect

from xdock.protocol.gs1 import sscc_with_check_digit

PHONE = {"width": 390, "height": 844}


async def test_scan_shows_the_door_and_stops_a_wrong_door_load(served: Served, browser: Browser) -> None:
    sscc = sscc_with_check_digit("37613032100000001")
    dashboard = await browser.new_page(viewport={"width": 1600, "height": 1000})
    await dashboard.goto(served.url + "/")
    await expect(dashboard.locator("#conn")).to_have_attribute("data-state", "live")
    page = await browser.new_page(viewport=PHONE, device_scale_factor=2)
    await page.goto(served.url + "/handheld?door=D2")
    await expect(page.locator("#door")).to_have_value("D2")
    scan = page.locator("#scan")
    await expect(scan).to_be_focused()

    await scan.fill(f"(00){sscc}(420)69001")  # a keyboard wedge types the label, then Enter
    await scan.press("Enter")
    await expect(page.locator("#result")).to_have_attribute("data-kind", "assigned")
    await expect(page.locator("#door-big")).to_have_text("D12")
    await expect(page.locator("#line")).to_have_text("Lyon · T-LYON-1 · dep 09:30")
    row = served.site.state.pallets[sscc]
    assert (row.inbound_door, row.trailer, row.door) == ("D2", "T-LYON-1", "D12")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "handheld-door.png")

    await scan.fill("D13")  # the worker scans the door barcode where they are about to load
    await scan.press("Enter")
    await expect(page.locator("#result")).to_have_attribute("data-kind", "stop")
    await expect(page.locator("#headline")).to_have_text("STOP")
    await expect(page.locator("#door-big")).to_have_text("D12")
    await expect(page.locator("#line")).to_have_text("Wrong door: you are at D13")
    await page.screenshot(path=ARTIFACTS / "handheld-stop.png")
    assert (served.hub.loads.wrong_door_scans_stopped, served.hub.loads.portal_misloads) == (1, 0)
    assert sscc not in served.hub.loads.loaded
    await expect(dashboard.locator("#kpi-stopped")).to_have_text("1", timeout=1000)
    await expect(dashboard.locator("#kpi-misloads")).to_have_text("0")

    await scan.fill("d12")
    await scan.press("Enter")
    await expect(page.locator("#result")).to_have_attribute("data-kind", "loaded")
    await expect(page.locator("#line")).to_have_text("Loaded on T-LYON-1 to Lyon")
    await page.screenshot(path=ARTIFACTS / "handheld-loaded.png")
    assert list(served.hub.loads.loaded) == [sscc]
    await expect(dashboard.locator('[data-door="D12"] .dep-time')).to_have_text("dep 09:30 · 1 loaded", timeout=1000)
    await expect(dashboard.locator("#kpi-loaded")).to_have_text("1", timeout=1000)


async def test_unreadable_label_is_refused_with_its_reason(served: Served, browser: Browser) -> None:
    page = await browser.new_page(viewport=PHONE)
    await page.goto(served.url + "/handheld?door=D1")
    await expect(page.locator("#door")).to_have_value("D1")
    await page.locator("#scan").fill("(00)376130321109103429(420)69001")
    await page.locator("#scan").press("Enter")
    await expect(page.locator("#result")).to_have_attribute("data-kind", "rejected")
    await expect(page.locator("#reason")).to_contain_text("label: bad check digit")
    assert served.site.state.pallets == {}

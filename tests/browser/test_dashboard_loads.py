"""The dashboard in Chromium tells how each load was confirmed: a handheld scan at the outbound door or an
RFID portal passage, in the KPI tiles (loads and mis-loads stopped), on the door tile, in the door dialog and
in the flow panel's latest loads (listed from the snapshot on opening, then as they come).

Sample site: pallets for 69001 go on T-LYON-1 at D12 (departs 09:30); T-PARIS-1 loads at D13.
"""

from __future__ import annotations

import httpx
from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, expect

from xdock.central.site.passages import PassageResult
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.passages import DoorPassage


def _out(served: Served, seq: int, sscc: str, door: str) -> PassageResult:
    """The RFID portal at ``door`` saw pallet ``sscc`` go out to the trailer."""
    epc = epc_hex(Sscc96.from_sscc(sscc, company_prefix_length=7).encode())
    return served.site.apply_passage(DoorPassage(
        edge_id="edge-portal", seq=seq, device_id=f"portal-{door}", door=door, sscc=sscc, epc=epc,
        direction="out", at=served.clock.now(), reads=24, peak_rssi=-48,
    ))


async def _load_at(http: httpx.AsyncClient, sscc: str, door: str) -> dict[str, object]:
    """A worker's handheld confirms loading pallet ``sscc`` at ``door``."""
    answer = await http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": sscc, "at": door})
    assert answer.status_code == 200
    body: dict[str, object] = answer.json()
    return body


async def test_loads_and_misloads_show_how_they_were_confirmed(served: Served, browser: Browser) -> None:
    by_scan, by_rfid, astray = (served.scan(serial, "69001").reply.sscc for serial in (1, 2, 3))
    assert {served.site.state.pallets[s].trailer for s in (by_scan, by_rfid, astray)} == {"T-LYON-1"}
    page = await browser.new_page(viewport={"width": 1600, "height": 1100})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    tile = page.locator('[data-door="D12"]')
    await expect(tile.locator(".fill-pal")).to_have_text("3/33 pal")
    await expect(page.locator("#kpi-loaded")).to_have_text("0")
    await expect(page.locator("#kpi-loaded-by")).to_have_text("")
    await expect(tile.locator(".via")).to_be_hidden()
    await expect(page.locator("#loaded li")).to_have_text(["no loads yet"])

    async with httpx.AsyncClient(base_url=served.url) as http:
        stop = await _load_at(http, by_scan, "D13")
        assert (stop["ok"], stop["message"]) == (False, "STOP - wrong door: take it to D12")
        assert (await _load_at(http, by_scan, "D12"))["ok"] is True
    await expect(page.locator("#kpi-loaded")).to_have_text("1")
    await expect(page.locator("#kpi-loaded-by")).to_have_text("1 scan · 0 RFID")
    await expect(page.locator("#kpi-stopped")).to_have_text("1")  # the handheld's STOP: prevented
    await expect(page.locator("#kpi-misloads")).to_have_text("0")
    await expect(tile.locator(".via-chip")).to_have_text(["1 scan"])

    served.clock.advance(5 * 60)  # 07:05: the portals see one pallet out through its door, one through D13
    assert _out(served, 1, by_rfid, "D12") == PassageResult("loaded", None)
    assert _out(served, 2, astray, "D13").outcome == "misload"
    await expect(page.locator("#kpi-loaded")).to_have_text("2")
    await expect(page.locator("#kpi-loaded-by")).to_have_text("1 scan · 1 RFID")
    await expect(page.locator("#kpi-stopped")).to_have_text("1")
    await expect(page.locator("#kpi-misloads")).to_have_text("1")  # out through D13: not prevented, one alert
    await expect(page.locator("#kpi-misloads")).to_have_class("kpi-value bad")
    await expect(tile.locator(".dep-time")).to_have_text("dep 09:30 · 2 loaded")
    await expect(tile.locator('.via-chip[data-via="scan"]')).to_have_text("1 scan")
    await expect(tile.locator('.via-chip[data-via="rfid"]')).to_have_text("1 RFID")
    await expect(tile.locator(".via")).to_have_attribute("title", "loads confirmed: 1 scan · 1 RFID")
    loads = page.locator("#loaded li")
    await expect(loads.locator(".mono")).to_have_text([by_rfid, by_scan])  # newest first
    await expect(loads.locator(".via-tag")).to_have_text(["RFID", "scan"])
    await expect(loads.locator(".route")).to_have_text(["D1 → D12 · T-LYON-1 · 07:05", "D1 → D12 · T-LYON-1 · 07:00"])
    await expect(page.locator(f'#transit li[data-sscc="{astray}"] .route')).to_have_text("D1 → D12 · T-LYON-1")
    await expect(page.locator("#alerts li").first).to_contain_text(
        f"Mis-load: pallet {astray} went out through D13 (T-PARIS-1); its trailer T-LYON-1 loads at D12")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "dashboard-loads.png", full_page=True)

    served.hub.close_all()  # a reconnection's snapshot brings the same splits; the list keeps its loads
    await expect(page.locator("#conn")).to_have_attribute("data-connects", "2", timeout=5000)
    await expect(page.locator("#kpi-loaded-by")).to_have_text("1 scan · 1 RFID")
    await expect(tile.locator(".via-chip")).to_have_text(["1 scan", "1 RFID"])
    await expect(loads.locator(".via-tag")).to_have_text(["RFID", "scan"])
    await page.close()


async def test_a_fresh_screen_shows_the_loads_from_the_snapshot(served: Served, browser: Browser) -> None:
    first, second, third = (served.scan(serial, "69001").reply.sscc for serial in (1, 2, 3))
    assert _out(served, 1, first, "D12").outcome == "loaded"
    served.clock.advance(4 * 60)
    async with httpx.AsyncClient(base_url=served.url) as http:
        assert (await _load_at(http, second, "D12"))["ok"] is True
    page = await browser.new_page(viewport={"width": 1600, "height": 1100})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    await expect(page.locator("#kpi-loaded")).to_have_text("2")
    await expect(page.locator("#kpi-loaded-by")).to_have_text("1 scan · 1 RFID")
    await expect(page.locator("#kpi-stopped")).to_have_text("0")
    await expect(page.locator("#kpi-misloads")).to_have_text("0")
    await expect(page.locator('[data-door="D12"] .via-chip')).to_have_text(["1 scan", "1 RFID"])
    await expect(page.locator("#transit li .mono")).to_have_text([third])
    loads = page.locator("#loaded li")  # loaded before the screen opened: newest first
    await expect(loads.locator(".mono")).to_have_text([second, first])
    await expect(loads.locator(".via-tag")).to_have_text(["scan", "RFID"])
    await expect(loads.locator(".route")).to_have_text(["D1 → D12 · T-LYON-1 · 07:04", "D1 → D12 · T-LYON-1 · 07:00"])

    served.hub.pallet_changed(first)  # a message repeating a listed load leaves the list as it is
    served.clock.advance(60)
    assert _out(served, 2, third, "D12").outcome == "loaded"
    await expect(loads.locator(".mono")).to_have_text([third, second, first])
    await expect(loads.locator(".via-tag")).to_have_text(["RFID", "scan", "RFID"])
    await expect(loads.locator(".route").first).to_have_text("D1 → D12 · T-LYON-1 · 07:05")
    await expect(page.locator("#transit li")).to_have_text(["none"])
    await page.close()


async def test_the_door_dialog_splits_the_trailers_loads(served: Served, browser: Browser) -> None:
    by_rfid, by_scan, later = (served.scan(serial, "69001").reply.sscc for serial in (1, 2, 3))
    served.scan(4, "75011")  # on T-PARIS-1 at D13, not loaded
    assert _out(served, 1, by_rfid, "D12").outcome == "loaded"
    page = await browser.new_page(viewport={"width": 1600, "height": 1100})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    split = page.locator("#dlg-via")

    await page.locator('[data-door="D12"]').click()
    await expect(page.locator("#dlg-title")).to_have_text("Door D12")
    await expect(page.locator("#dlg-info")).to_have_text("outbound · T-LYON-1 to Lyon, 3/33 pallets")
    await expect(split).to_have_text("Loads confirmed1 RFID")
    await expect(split.locator(".via-chip")).to_have_text(["1 RFID"])
    await expect(split).to_have_attribute("title", "loads confirmed: 0 scan · 1 RFID")

    async with httpx.AsyncClient(base_url=served.url) as http:  # while the dialog is open
        assert (await _load_at(http, by_scan, "D12"))["ok"] is True
    assert _out(served, 2, later, "D12").outcome == "loaded"
    await expect(split.locator(".via-chip")).to_have_text(["1 scan", "2 RFID"])
    await expect(split).to_have_attribute("title", "loads confirmed: 1 scan · 2 RFID")
    await expect(split.locator('.via-chip[data-via="rfid"]')).to_have_text("2 RFID")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "dashboard-door-dialog-loads.png")
    await page.get_by_role("button", name="Close", exact=True).click()

    await page.locator('[data-door="D13"]').click()
    await expect(page.locator("#dlg-title")).to_have_text("Door D13")
    await expect(split).to_have_text("Loads confirmednone yet")
    await expect(split.locator(".via-chip")).to_have_count(0)
    await page.get_by_role("button", name="Close", exact=True).click()

    await page.locator('[data-door="D18"]').click()  # no trailer: no split
    await expect(page.locator("#dlg-title")).to_have_text("Door D18")
    await expect(split).to_be_hidden()
    await page.close()

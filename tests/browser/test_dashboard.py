"""The supervisor's dashboard in Chromium: live door tiles, flow, KPIs, reconnection."""

from __future__ import annotations

import asyncio

from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, Route, expect

POSTALS = ["69001", "75011", "13008", "59000", "33000", "38000", "92100", "69003", "75002", "62000"]


async def test_scan_fills_the_door_tile_and_counts(served: Served, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("0/33 pal")
    await expect(page.locator("#kpi-pph")).to_have_text("0/h")

    reply = served.scan(1, "69001").reply
    assert (reply.door, reply.trailer) == ("D12", "T-LYON-1")
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("1/33 pal", timeout=1000)
    await expect(page.locator('[data-door="D12"] .fill-kg')).to_have_text("420 kg")
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "loading")
    await expect(page.locator('[data-door="D12"] .countdown')).to_have_text("in 2:30:00")
    await expect(page.locator('[data-door="D1"] .big')).to_have_text("1")
    await expect(page.locator("#kpi-pph")).to_have_text("1/h", timeout=1000)

    for serial, postal in enumerate(POSTALS * 3, start=2):
        served.scan(serial, postal, door="D1" if serial % 2 else "D2")
    served.scan(90, "06000")  # no trailer for Nice today: staged or unrouted
    on_lyon = served.site.state.trailers["T-LYON-1"].assigned
    assert on_lyon > 1
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text(f"{on_lyon}/33 pal")
    await expect(page.locator("#kpi-pph")).to_have_text("32/h")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)
    await page.close()


async def test_departure_passing_turns_the_tile_late(served: Served, browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(served.url + "/")
    served.scan(1, "69001")
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "loading")
    served.clock.advance(3 * 3600)  # 10:00, T-LYON-1 left at 09:30 on paper
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "late")
    await expect(page.locator('[data-door="D12"] .countdown')).to_have_text("late 30:00")
    await page.close()


async def test_dropped_socket_reconnects_and_resynchronises(served: Served, browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(served.url + "/")
    conn = page.locator("#conn")
    await expect(conn).to_have_attribute("data-connects", "1")
    served.hub.close_all()
    served.scan(1, "69001")  # applied while the page is disconnected: only the snapshot brings it
    await expect(conn).to_have_attribute("data-connects", "2", timeout=5000)
    await expect(conn).to_have_attribute("data-state", "live")
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("1/33 pal")
    served.scan(2, "69001")
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("2/33 pal", timeout=1000)
    await page.close()


async def test_the_live_feed_waits_for_every_script_of_the_page(served: Served, browser: Browser) -> None:
    served.scan(1, "69001")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    async def late(route: Route) -> None:  # the scripts after dashboard.js come slowly (a busy link)
        await asyncio.sleep(1.5)
        await route.continue_()

    for script in ("alerts", "overrides"):
        await page.route(f"**/static/{script}.js", late)
    await page.goto(served.url + "/")
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("1/33 pal")
    await expect(page.locator("#alerts-panel")).to_be_visible()
    assert errors == []
    await page.close()

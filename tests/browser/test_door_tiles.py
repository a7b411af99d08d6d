"""The door tiles keep their text inside the tile, on wide and narrow screens: the departure line wraps
(the countdown goes under the departure time) rather than running past the tile's right edge.

Sample site: 19 doors on three walls, eight tiles a row; T-PARIS-2 at D14 departs 18:15, T-BDX-1 at D17 19:30.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, expect

from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.passages import DoorPassage

PARTS = ".door-id, .state, .dest, .trailer, .meter, .via, .dep-time, .countdown, .big"

OVERRUNS = """(parts) => [...document.querySelectorAll('.tile')].flatMap((tile) => {
  const box = tile.getBoundingClientRect(), css = getComputedStyle(tile);
  const right = box.right - parseFloat(css.borderRightWidth) - parseFloat(css.paddingRight);
  return [...tile.querySelectorAll(parts)]
    .filter((e) => e.getClientRects().length > 0)
    .map((e) => [tile.dataset.door, e.className, Math.round(e.getBoundingClientRect().right - right)])
    .filter(([, , over]) => over > 0);
})"""
"""Each visible part of a door tile that reaches past the tile's content box: [door, class, pixels]."""


@pytest.mark.parametrize("width", [1600, 1280])
async def test_no_text_overruns_a_door_tile(served: Served, browser: Browser, width: int) -> None:
    loads = [served.scan(serial, "69001").reply.sscc for serial in (1, 2)]
    served.scan(3, "75011")
    epc = epc_hex(Sscc96.from_sscc(loads[0], company_prefix_length=7).encode())
    assert served.site.apply_passage(DoorPassage(
        edge_id="edge-portal", seq=1, device_id="portal-D12", door="D12", sscc=loads[0], epc=epc, direction="out",
        at=served.clock.now(), reads=24, peak_rssi=-48,
    )).outcome == "loaded"
    served.site.confirm_load(loads[1], "D12", device="hh1")
    page = await browser.new_page(viewport={"width": width, "height": 1100})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    await expect(page.locator('[data-door="D12"] .dep-time')).to_have_text("dep 09:30 · 2 loaded")
    await expect(page.locator('[data-door="D12"] .via-chip')).to_have_text(["1 scan", "1 RFID"])
    await expect(page.locator('[data-door="D14"] .countdown')).to_have_text("in 11:15:00")
    await expect(page.locator('[data-door="D17"] .countdown')).to_have_text("in 12:30:00")

    assert await page.evaluate(OVERRUNS, PARTS) == []
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator("#doors").screenshot(path=ARTIFACTS / f"dashboard-door-tiles-{width}.png")
    await page.close()


async def test_a_trailer_announced_during_the_day_shows_on_its_door_tile_at_once(served: Served,
                                                                                browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1100})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    await expect(page.locator('[data-door="D12"] .trailer')).to_have_text("T-LYON-1")
    await expect(page.locator('[data-door="D18"] .dest')).to_have_text("no trailer")
    evening = datetime(2026, 11, 23, 21, 0, tzinfo=served.site.config.zone)
    served.site.announce_trailer("T-GRE-2", destination="GRENOBLE", door="D18", departure=evening,
                                 capacity_pallets=20, by="yard")
    await expect(page.locator('[data-door="D18"] .trailer')).to_have_text("T-GRE-2")
    await expect(page.locator('[data-door="D18"] .dest')).to_have_text("Grenoble")
    await expect(page.locator('[data-door="D18"] .dep-time')).to_have_text("dep 21:00")
    # A trailer replacing one that left its door: the tile shows the new one, not counting the one gone.
    served.site.depart_trailer("T-LYON-1", by="sue")
    served.site.announce_trailer("T-LYON-3", destination="LYON", door="D12", departure=evening,
                                 capacity_pallets=33, by="yard")
    await expect(page.locator('[data-door="D12"] .trailer')).to_have_text("T-LYON-3")
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "loading")
    await page.close()

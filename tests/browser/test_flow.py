"""The dashboard's flow panel in Chromium: the inbound queue and pallets in transit."""

from __future__ import annotations

import httpx
from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, expect

from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.planning.replanner import Replanner


async def test_announced_truck_queues_and_scanned_pallet_is_in_transit(served: Served, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    await expect(page.locator("#trucks .empty")).to_have_text("no trucks expected")
    await expect(page.locator("#transit .empty")).to_have_text("none")

    eta = served.clock.now().replace(hour=7, minute=45).isoformat()
    async with httpx.AsyncClient(base_url=served.url) as http:
        r = await http.post("/api/v1/inbound-trucks", json={"id": "IN-7", "eta": eta, "pallets": 12,
                                                            "carrier": "Heppner"})
        assert r.status_code == 201
    truck = page.locator('#trucks li[data-truck="IN-7"]')
    await expect(truck.locator(".eta")).to_have_text("in 45:00", timeout=1000)
    await expect(truck.locator(".sub")).to_have_text("ETA 07:45 · 12 pal · Heppner")

    reply = served.scan(1, "69001").reply
    assert (reply.door, reply.trailer) == ("D12", "T-LYON-1")
    moving = page.locator(f'#transit li[data-sscc="{reply.sscc}"]')
    await expect(moving.locator(".route")).to_have_text("D1 → D12 · T-LYON-1", timeout=1000)
    await expect(moving.locator(".age")).to_have_text("0:00")

    served.clock.advance(3600)  # 08:00: the truck is 15 min late
    await expect(truck.locator(".eta")).to_have_text("late 15:00")
    await expect(truck.locator(".eta")).to_have_class("dwell eta red")
    await expect(moving.locator(".age")).to_have_text("1:00:00")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "dashboard-flow.png", full_page=True)
    await page.close()



async def test_a_waiting_truck_shows_the_door_the_plan_suggests(served: Served, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    eta = served.clock.now().replace(hour=7, minute=45).isoformat()
    async with httpx.AsyncClient(base_url=served.url) as http:
        for truck_id, door, dest in (("IN-7", "D1", "LILLE"), ("IN-8", None, "MARSEILLE")):
            r = await http.post("/api/v1/inbound-trucks", json={
                "id": truck_id, "eta": eta, "pallets": 12, "carrier": "Heppner", "door": door,
                "destinations": {dest: 12},
            })
            assert r.status_code == 201
    seven = page.locator('#trucks li[data-truck="IN-7"] .sub')
    eight = page.locator('#trucks li[data-truck="IN-8"] .sub')
    await expect(seven).to_have_text("ETA 07:45 · 12 pal · Heppner · for D1", timeout=1000)
    await expect(eight).to_have_text("ETA 07:45 · 12 pal · Heppner", timeout=1000)
    # T-LIL-1 loads at D16: 22.5 m from the east gable's free D23, 36 m from D6 across the floor; T-MRS-1
    # at D11, 36 m across from D1. The plan sends IN-7 away from the yard's D1 to D23, and IN-8 to D1.
    # The yard's door shows with the plan's after it.
    async with Replanner(time_limit=1.0) as replanner:
        await PlanningLoop(served.site, replanner, served.clock).run_once()
    await expect(seven).to_have_text("ETA 07:45 · 12 pal · Heppner · for D1 → D23", timeout=1000)
    await expect(eight).to_have_text("ETA 07:45 · 12 pal · Heppner · → D1", timeout=1000)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator("#trucks").screenshot(path=ARTIFACTS / "dashboard-suggested-doors.png")
    await page.close()

"""The dashboard's layout at desktop sizes: the open alerts in the first screenful, next to a busy flow.

The sample site's doors stand on three walls: the alerts sit on the dock floor between them. The demo site's
stand on two: the alerts sit under the doors, beside the flow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from browser_rig import ARTIFACTS, ROOT, Served, serving_site
from playwright.async_api import Browser, expect

from xdock.central.site_file.config import load_site
from xdock.demo.runner import demo_site

POSTALS = ["69001", "75011", "13008", "59000", "06000"]
"""Lyon, Paris, Marseille, Lille and Nice (no trailer: staged), so every flow list fills up."""

BOXES = """(selectors) => selectors.map((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return { x: r.x, y: r.y, width: r.width, height: r.height };
})"""
"""The bounding boxes of the first element of each selector, read at once (the list is redrawn on every tick)."""


def _busy_floor(served: Served) -> None:
    """75 pallets scanned in, five pallets seen going out through the wrong door, one cleared sensor alert."""
    for serial in range(75):
        served.scan(serial, POSTALS[serial % len(POSTALS)], door="D1" if serial % 2 else "D2")
    alerts = served.site.alerts
    now = served.clock.now()
    alerts.raise_alert("cold_chain_breach", "T-PARIS-2-TEMP", now, "cold chain breach: T-PARIS-2 at 9.1 °C")
    alerts.clear("cold_chain_breach", "T-PARIS-2-TEMP", now)
    for n in range(5):
        alerts.raise_alert("misload", f"pallet-{n}@D12", now, f"Mis-load: pallet {n} went out through D12")


def request_site(served: Served) -> str:
    """``sample`` or ``demo``: which of the two sites ``served`` runs."""
    return "demo" if served.site.state.config.site == demo_site().site else "sample"


@pytest.fixture(params=["sample", "demo"])
async def any_site(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Served]:
    """The sample site (doors on three walls), or the demo's (on two walls)."""
    site = load_site(ROOT / "deploy" / "site.sample.yaml") if request.param == "sample" else demo_site()
    async with serving_site(tmp_path, site) as rig:
        yield rig


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1600, 1000)])
async def test_open_alerts_are_visible_without_scrolling(
    any_site: Served, browser: Browser, width: int, height: int
) -> None:
    served = any_site
    _busy_floor(served)
    page = await browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))  # a rebuilt grid must not lose the panel
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    rows = page.locator("#alerts li")
    await expect(page.locator("#alert-count")).to_have_text("5 open")
    await expect(rows).to_have_count(6)
    await expect(rows.first).to_have_class("alert-open")
    await expect(rows.last).to_have_class("alert-cleared")  # cleared ones after the open ones
    # 12 shown, then the rest: the sample site stages the 15 for Nice; the demo's (two reefers planned) 45
    staged = sum(1 for row in served.site.state.pallets.values() if row.state in ("staged", "breakdown"))
    assert staged == {"sample": 15, "demo": 45}[request_site(served)]
    await expect(page.locator("#staging li.more")).to_have_text(f"+ {staged - 12} more waiting")

    assert await page.evaluate("window.scrollY") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    site = served.site.state.config.site.lower()
    await page.screenshot(path=ARTIFACTS / f"dashboard-layout-{site}-{width}x{height}.png")
    panel, head, first = await page.evaluate(BOXES, ["#alerts-panel", "#alerts-panel .panel-head", "#alerts li"])
    for what, box in (("alerts panel", panel), ("its head", head), ("its first open alert", first)):
        assert box["x"] >= 0, (what, box)
        assert box["x"] + box["width"] <= width, (what, box)
    for what, box in (("its head", head), ("its first open alert", first)):
        assert box["y"] >= 0, (what, box)
        assert box["y"] + box["height"] <= height, (what, box)
    assert panel["y"] < height / 2, panel  # the alerts start in the upper half of the screen
    assert errors == []
    await page.close()


async def test_no_panel_scrolls_inside(served: Served, browser: Browser) -> None:
    _busy_floor(served)
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))  # a rebuilt grid must not lose the panel
    await page.goto(served.url + "/")
    await expect(page.locator("#alert-count")).to_have_text("5 open")
    clipped = await page.evaluate("""() => [...document.querySelectorAll("main *")]
        .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowY))
        .filter((e) => e.scrollHeight > e.clientHeight + 1)
        .map((e) => e.id || e.className)""")
    assert clipped == []
    assert errors == []
    await page.close()


async def test_on_the_dock_floor_the_alerts_list_is_cut_until_asked_for_all(served: Served, browser: Browser) -> None:
    alerts = served.site.alerts
    for n in range(9):
        alerts.raise_alert("misload", f"pallet-{n}@D12", served.clock.now(), f"Mis-load: pallet {n} went out")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))  # a rebuilt grid must not lose the panel
    await page.goto(served.url + "/")
    panel = page.locator("#alerts-panel")
    await expect(panel).to_have_class("panel alerts-panel on-floor")  # the sample site's grid has a dock floor
    await expect(page.locator("#alerts li.alert-open")).to_have_count(6)
    await page.get_by_role("button", name="+ 3 more open · show all").click()
    await expect(page.locator("#alerts li.alert-open")).to_have_count(9)
    await page.get_by_role("button", name="show fewer").click()
    await expect(page.locator("#alerts li.alert-open")).to_have_count(6)
    served.hub.resync()  # a new snapshot rebuilds the door grid: the panel stays on its floor and keeps counting
    alerts.raise_alert("misload", "pallet-9@D12", served.clock.now(), "Mis-load: pallet 9 went out")
    await expect(page.get_by_role("button", name="+ 4 more open · show all")).to_be_visible()
    await expect(panel).to_have_class("panel alerts-panel on-floor")
    assert errors == []
    await page.close()

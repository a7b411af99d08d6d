"""The handheld's breakdown station in Chromium: a mixed pallet split into one child per destination, each shown
with its new SSCC and its door; a label printer that is off said plainly, and Print again once it is on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from browser_rig import ARTIFACTS, Served, serving_site
from playwright.async_api import Browser, Page, ViewportSize, expect

from xdock.central.api.auth import UserAdmin
from xdock.central.site.breakdown import sscc_from
from xdock.firmware_mocks.label_printer import LabelPrinter
from xdock.testing.partner_site import GTIN_A, GTIN_B, MIXED, advice, partner_site
from xdock.testing.servers import free_port

PHONE: ViewportSize = {"width": 390, "height": 844}
CHILD_1, CHILD_2 = sscc_from("03761303", 1), sscc_from("03761303", 2)
"""The site's first two SSCCs of its own: the LYON child, then the PARIS one."""


@pytest.fixture
async def printer() -> AsyncIterator[LabelPrinter]:
    async with LabelPrinter(port=free_port()) as started:
        yield started


@pytest.fixture
async def station(tmp_path: Path, printer: LabelPrinter) -> AsyncIterator[Served]:
    """The partner site with its label printer; TRUCK-1 at D1 and its mixed pallet (LYON + PARIS) scanned in."""
    async with serving_site(tmp_path, partner_site(), label_printer=("127.0.0.1", printer.port)) as rig:
        rig.site.apply_asn(advice(), source="api", by="x")
        rig.site.truck_arrived("TRUCK-1", "D1", by="x")
        reply = rig.scan_pallet(MIXED, None).reply
        assert (reply.outcome, reply.area) == ("breakdown", "B1")
        yield rig


async def _station(browser: Browser, served: Served) -> Page:
    page = await browser.new_page(viewport=PHONE, device_scale_factor=2)
    await page.goto(served.url + "/handheld?mode=breakdown")
    return page


async def _split(page: Page) -> None:
    await page.locator(f'.bd-pallet[data-sscc="{MIXED}"]').click()
    await page.get_by_role("button", name="Split into 2 pallets").click()
    await expect(page.locator(".bd-child .bd-where")).to_have_text(["→ D12 · T-LYON-1", "→ D14 · T-PARIS-1"])


async def test_a_worker_splits_a_mixed_pallet_and_sees_each_child_and_its_door(
    station: Served, printer: LabelPrinter, browser: Browser,
) -> None:
    users = UserAdmin(station.store)  # access control on: a worker signs in on the handheld
    now = station.clock.now()
    users.add("ben", "worker", now, by="test")
    token = users.issue("ben", now, by="test")
    page = await _station(browser, station)
    await expect(page.locator("#signin")).to_be_visible()
    await page.locator("#signin-token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#who")).to_have_text("benworkerSign out")
    await expect(page.locator("#mode-breakdown")).to_have_attribute("aria-current", "page")
    await expect(page.locator("#scan-form")).to_be_hidden()

    pallet = page.locator(".bd-pallet")
    await expect(pallet).to_have_count(1)
    await expect(pallet.locator(".bd-sscc")).to_have_text(MIXED)
    await expect(pallet.locator(".bd-meta")).to_have_text("B1 · LYON + PARIS")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "handheld-breakdown-list.png")
    await pallet.click()
    groups = page.locator(".bd-group")
    await expect(groups.locator(".bd-dest")).to_have_text(["→ LYON", "→ PARIS"])
    await expect(groups.locator(".bd-count")).to_have_text(["6 items", "4 items"])
    await expect(groups.locator(".bd-lines li")).to_have_text([f"{GTIN_A} × 6", f"{GTIN_B} × 4"])
    split = page.get_by_role("button", name="Split into 2 pallets")
    box = await split.bounding_box()
    assert box is not None
    assert (box["width"] >= 300, box["height"] >= 80) == (True, True)  # a big target on a small screen
    await page.screenshot(path=ARTIFACTS / "handheld-breakdown-pallet.png")

    await split.click()
    children = page.locator(".bd-child")
    await expect(children.locator(".bd-where")).to_have_text(["→ D12 · T-LYON-1", "→ D14 · T-PARIS-1"])
    await expect(children.locator(".bd-dest")).to_have_text(["LYON", "PARIS"])
    await expect(children.locator(".bd-sscc")).to_have_text([CHILD_1, CHILD_2])
    await expect(children.locator(".bd-lines li")).to_have_text([f"{GTIN_A} × 6", f"{GTIN_B} × 4"])
    await expect(page.locator("#bd-labels")).to_have_attribute("data-state", "ok")
    await expect(page.locator("#bd-labels-text")).to_have_text(f"✓ 2 labels printed on 127.0.0.1:{printer.port}")
    await expect(page.get_by_role("button", name="Print again")).to_be_hidden()
    await page.screenshot(path=ARTIFACTS / "handheld-breakdown-split.png")
    labels = await printer.wait_for_labels(2, timeout_s=10)
    assert [label.element("00") for label in labels] == [CHILD_1, CHILD_2]
    rows = station.site.state.pallets
    assert rows[MIXED].state == "split"
    assert [(rows[c].door, rows[c].trailer) for c in (CHILD_1, CHILD_2)] == [("D12", "T-LYON-1"), ("D14", "T-PARIS-1")]

    await page.get_by_role("button", name="Next pallet").click()
    await expect(page.locator(".bd-empty")).to_have_text("No mixed pallet waiting")
    await expect(page.locator("#bd-scan")).to_be_focused()
    await page.close()


async def test_a_printer_that_is_off_is_said_plainly_and_print_again_prints_once_it_is_on(
    station: Served, printer: LabelPrinter, browser: Browser,
) -> None:
    await printer.go_offline()
    page = await _station(browser, station)
    await _split(page)
    await expect(page.locator(".bd-child .bd-sscc")).to_have_text([CHILD_1, CHILD_2])  # the split stands
    await expect(page.locator("#bd-labels")).to_have_attribute("data-state", "error")
    refused = f"✗ Labels NOT printed: printer 127.0.0.1:{printer.port}: connection refused (is it on and online?)"
    await expect(page.locator("#bd-labels-text")).to_have_text(refused)
    again = page.get_by_role("button", name="Print again")
    await expect(again).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "handheld-breakdown-printer-off.png")

    await printer.go_online()
    await again.click()
    await expect(page.locator("#bd-labels-text")).to_have_text(f"✓ 2 labels printed on 127.0.0.1:{printer.port}")
    await expect(page.locator("#bd-labels")).to_have_attribute("data-state", "ok")
    await expect(again).to_be_hidden()
    labels = await printer.wait_for_labels(2, timeout_s=10)
    assert [label.element("00") for label in labels] == [CHILD_1, CHILD_2]
    await page.close()


async def test_a_scanned_label_picks_the_pallet_and_a_refusal_shows_centrals_detail(
    station: Served, browser: Browser,
) -> None:
    page = await _station(browser, station)
    await expect(page.locator(".bd-pallet")).to_have_count(1)
    scan = page.locator("#bd-scan")
    await expect(scan).to_be_focused()
    await scan.fill("(00)340123450000000024")  # TO_PARIS: not mixed, never at breakdown
    await scan.press("Enter")
    await expect(page.locator("#bd-problem")).to_have_text(
        "Pallet 340123450000000024 is not waiting to be split: not mixed, split already, or not scanned in yet.")
    await scan.fill(f"(00){MIXED}")  # a keyboard wedge types the label, then Enter
    await scan.press("Enter")
    await expect(page.locator("#bd-parent")).to_have_text(MIXED)
    await expect(page.locator("#bd-problem")).to_be_hidden()

    station.site.split_pallet(MIXED, by="another-worker")  # split at another handheld meanwhile
    await page.get_by_role("button", name="Split into 2 pallets").click()
    await expect(page.locator("#bd-problem")).to_have_text(f"pallet {MIXED} is split, not at a breakdown area")
    await expect(page.locator("#bd-pallet")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "handheld-breakdown-refused.png")
    await page.close()

"""Receiving against advance shipping notices in the dashboard's inbound queue: the counts follow the scans at the
truck's door, and once it is unloaded the pallets short, over and mismatched are listed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from browser_rig import ARTIFACTS, Served, serving_site
from playwright.async_api import Browser, Locator, Page, expect

from support import scans
from xdock.partners.desadv import PalletAdvice, TradeItemLine
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.testing.partner_site import (
    GTIN_A,
    LYON_GLN,
    MIXED,
    TO_LYON,
    TO_PARIS,
    advice,
    partner_site,
)

DESKTOP = {"width": 1600, "height": 1000}


@pytest.fixture
async def partner(tmp_path: Path) -> AsyncIterator[Served]:
    """The partner site (inbound D1; LYON at D12, PARIS at D14; breakdown B1) served at 07:00 Paris time."""
    async with serving_site(tmp_path, partner_site()) as rig:
        yield rig


async def _dashboard(browser: Browser, served: Served) -> Page:
    page = await browser.new_page(viewport=DESKTOP)
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    return page


async def _listed(truck: Locator) -> list[list[str]]:
    rows: list[list[str]] = await truck.locator(".recv-list li").evaluate_all(
        "items => items.map((li) => li.classList.contains('more') ? ['more', li.textContent]"
        " : [li.dataset.kind, li.dataset.sscc])")
    return rows


async def test_a_trucks_receiving_follows_its_scans_and_lists_its_discrepancies_once_unloaded(
    partner: Served, browser: Browser,
) -> None:
    page = await _dashboard(browser, partner)
    partner.site.apply_asn(advice(), source="api", by="x")  # MIXED, TO_PARIS and TO_LYON on TRUCK-1
    truck = page.locator('#trucks li[data-truck="TRUCK-1"]')
    counts = truck.locator(".recv")
    await expect(counts).to_have_text("3 announced · 0 received · 3 pending · 0 short · 0 over · 0 mismatched")
    await expect(truck.locator(".recv-n.bad")).to_have_count(0)
    await expect(truck.locator(".recv-detail")).to_have_count(0)

    partner.clock.advance(600)  # 07:10
    partner.site.truck_arrived("TRUCK-1", "D1", by="x")
    await expect(truck).to_have_attribute("data-state", "arrived")
    partner.clock.advance(300)  # 07:15
    announced = partner.scan_pallet(TO_PARIS, "69001").reply  # its notice says PARIS, its label Lyon
    assert (announced.door, announced.trailer) == ("D14", "T-PARIS-1")  # routed on the notice
    stray = scans.sscc(99)
    partner.scan_pallet(stray, "69001")  # at the truck's door, on no notice
    await expect(counts).to_have_text(
        "3 announced · 1 received · 2 pending · 0 short · ⚠ 1 over · ⚠ 1 mismatched", timeout=2000)
    await expect(truck.locator(".recv-n.bad")).to_have_text(["⚠ 1 over", "⚠ 1 mismatched"])
    await expect(truck).to_have_class("recv-bad")
    await truck.locator(".recv-detail summary").click()
    await expect(truck.locator(".recv-list li")).to_have_count(2)
    assert await _listed(truck) == [["over", stray], ["mismatched", TO_PARIS]]
    await expect(truck.locator(".recv-list .fields")).to_have_text("destination: label LYON, ASN PARIS")

    partner.clock.advance(600)  # 07:25
    partner.site.truck_unloaded("TRUCK-1", by="x")
    await expect(truck).to_have_attribute("data-state", "unloaded")
    await expect(truck.locator(".sub")).to_have_text("unloaded at D1 07:25 · 3 pal")
    await expect(counts).to_have_text(
        "3 announced · 1 received · 0 pending · ⚠ 2 short · ⚠ 1 over · ⚠ 1 mismatched")
    await expect(truck.locator(".recv-detail summary")).to_have_text("Pallets 2 short · 1 over · 1 mismatched")
    await expect(truck.locator(".recv-list li")).to_have_count(4)  # still open after the new snapshot
    assert await _listed(truck) == [["short", MIXED], ["short", TO_LYON], ["over", stray], ["mismatched", TO_PARIS]]
    receiving = partner.site.receiving("TRUCK-1")
    assert (receiving.received, receiving.short, receiving.over) == ((TO_PARIS,), (MIXED, TO_LYON), (stray,))
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator(".flow-panel").screenshot(path=ARTIFACTS / "dashboard-receiving.png")
    await page.close()


async def test_a_long_list_of_discrepancies_is_capped_in_the_payload_and_says_how_many_more(
    partner: Served, browser: Browser,
) -> None:
    many = tuple(
        PalletAdvice(sscc=sscc_with_check_digit(f"340123450{n:08d}"),
                     lines=(TradeItemLine(gtin=GTIN_A, quantity=1, final_destination_gln=LYON_GLN),))
        for n in range(100, 111)
    )
    partner.site.apply_asn(advice(shipment="DES-9", truck="TRUCK-9", pallets=many), source="api", by="x")
    partner.site.truck_arrived("TRUCK-9", "D1", by="x")
    partner.clock.advance(1800)
    partner.site.truck_unloaded("TRUCK-9", by="x")  # none of its eleven pallets scanned

    snapshot = json.loads(partner.hub.snapshot_text())
    [sent] = snapshot["unloaded_trucks"]
    assert sent["receiving"] == {
        "announced": 11, "received": 0, "pending": 0, "short": 11, "over": 0, "mismatched": 0,
        "listed": {"short": [p.sscc for p in many[:8]], "over": [], "mismatched": []},
    }
    page = await _dashboard(browser, partner)
    truck = page.locator('#trucks li[data-truck="TRUCK-9"]')
    await expect(truck.locator(".recv")).to_have_text(
        "11 announced · 0 received · 0 pending · ⚠ 11 short · 0 over · 0 mismatched")
    await truck.locator(".recv-detail summary").click()
    await expect(truck.locator(".recv-list li")).to_have_count(9)
    assert await _listed(truck) == [["short", p.sscc] for p in many[:8]] + [["more", "+ 3 more short"]]
    await page.close()

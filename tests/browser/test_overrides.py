"""The supervisor's overrides and alert acknowledgement from the dashboard, each confirmed first."""

from __future__ import annotations

from browser_rig import Served
from playwright.async_api import Browser, Dialog, expect


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_closing_a_door_and_marking_a_trailer_departed(served: Served, browser: Browser) -> None:
    served.scan(1, "69001")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    questions: list[str] = []
    page.on("dialog", lambda d: questions.append(d.message))
    page.on("dialog", _accept)
    await page.goto(served.url + "/")
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("1/33 pal")

    await page.locator('[data-door="D12"]').click()
    await expect(page.locator("#dlg-title")).to_have_text("Door D12")
    await page.get_by_role("button", name="Close door D12").click()
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "closed")
    assert questions == ["Close door D12? Its trailers take no more pallets; their pallets go to staging."]
    [pallet] = served.site.state.pallets.values()
    assert (pallet.state, pallet.target) == ("staged", "S1")  # a closed door's pallets go to staging
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("0/33 pal")
    await expect(page.locator("#staging li")).to_have_count(1)

    await page.locator('[data-door="D13"]').click()
    await page.get_by_role("button", name="Mark T-PARIS-1 departed").click()
    await expect(page.locator('[data-door="D13"]')).to_have_attribute("data-state", "departed")
    assert served.site.state.trailers["T-PARIS-1"].departed
    await page.close()


async def test_acknowledging_an_alert(served: Served, browser: Browser) -> None:
    served.site.alerts.raise_alert("edge_offline", "edge-d1", served.clock.now(), "edge edge-d1 is offline")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    page.on("dialog", _accept)
    await page.goto(served.url + "/")
    alert = page.locator("#alerts li").first
    await expect(alert).to_contain_text("edge edge-d1 is offline")
    await expect(alert.locator(".tag")).to_have_text("openAck")
    await alert.get_by_role("button", name="Ack").click()
    await expect(alert.locator(".tag")).to_have_text("acked", timeout=2000)
    [row] = served.store.alerts(open_only=True)
    assert row.acknowledged_by is not None
    await expect(alert.locator(".sub")).to_contain_text(f"ack {row.acknowledged_by}")
    await page.close()

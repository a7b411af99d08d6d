"""Moving a trailer to another door and forcing a waiting pallet onto a trailer from the dashboard."""

from __future__ import annotations

import httpx
from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, Dialog, Page, expect


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def _open(served: Served, browser: Browser, questions: list[str]) -> Page:
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    page.on("dialog", lambda d: questions.append(d.message))
    page.on("dialog", _accept)
    await page.goto(served.url + "/")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    return page


async def test_moving_a_trailer_and_marking_it_departed_on_time(served: Served, browser: Browser) -> None:
    served.scan(1, "69001")
    questions: list[str] = []
    page = await _open(served, browser, questions)
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("1/33 pal")
    await expect(page.locator("#kpi-ontime")).to_have_text("–")

    await page.locator('[data-door="D12"]').click()
    move = page.get_by_label("Move trailer to door…")
    await expect(move.locator("option")).to_have_text(["D18", "D21 · in/out", "D23 · in/out"])
    await move.select_option("D18")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator("#door-dialog").screenshot(path=ARTIFACTS / "dashboard-door-dialog.png")
    await page.get_by_role("button", name="Move T-LYON-1", exact=True).click()

    await expect(page.locator('[data-door="D18"] .trailer')).to_have_text("T-LYON-1")
    await expect(page.locator('[data-door="D18"] .fill-pal')).to_have_text("1/33 pal")
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "free")
    await expect(page.locator("#door-dialog")).not_to_have_attribute("open", "")
    assert questions == ["Move T-LYON-1 from door D12 to door D18? Its pallets follow it."]
    assert served.site.state.trailers["T-LYON-1"].plan.door == "D18"
    [pallet] = served.site.state.pallets.values()
    assert (pallet.trailer, pallet.door) == ("T-LYON-1", "D18")

    await page.locator('[data-door="D18"]').click()
    await page.get_by_role("button", name="Mark T-LYON-1 departed").click()  # 07:00, due 09:30
    await expect(page.locator('[data-door="D18"]')).to_have_attribute("data-state", "departed")
    await expect(page.locator("#kpi-ontime")).to_have_text("100 % · 1/1")
    await page.close()


async def test_a_refused_move_shows_the_problem_detail(served: Served, browser: Browser) -> None:
    served.scan(1, "69001")
    page = await _open(served, browser, [])
    await page.locator('[data-door="D12"]').click()
    await page.get_by_label("Move trailer to door…").select_option("D18")
    async with httpx.AsyncClient() as http:  # someone else takes D18 while the dialog is open
        answer = await http.post(served.url + "/api/v1/trailers/T-PARIS-1/move", json={"door": "D18"})
    assert answer.status_code == 200
    await expect(page.locator('[data-door="D18"] .trailer')).to_have_text("T-PARIS-1")

    await page.get_by_role("button", name="Move T-LYON-1", exact=True).click()
    await expect(page.locator("#dlg-msg")).to_have_text("door D18 is taken by trailer T-PARIS-1")
    await expect(page.locator("#door-dialog")).to_have_attribute("open", "")
    assert served.site.state.trailers["T-LYON-1"].plan.door == "D12"
    await page.close()


async def test_forcing_a_staged_pallet_onto_a_trailer(served: Served, browser: Browser) -> None:
    sscc = served.scan(1, "69001").reply.sscc
    async with httpx.AsyncClient() as http:
        assert (await http.post(served.url + "/api/v1/doors/D12/close")).status_code == 200
    assert served.site.state.pallets[sscc].state == "staged"
    questions: list[str] = []
    page = await _open(served, browser, questions)
    row = page.locator(f'#staging li[data-sscc="{sscc}"]')
    await row.get_by_role("button", name="Force to trailer…").click()
    await expect(page.locator("#dlg-title")).to_have_text(f"Pallet {sscc}")
    force = page.get_by_label("Force to trailer…")
    await expect(force.locator("option")).to_have_text(["T-LYON-2 · D15 · 0/33 · dep 16:40 · reefer"])  # D12 closed
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator("#door-dialog").screenshot(path=ARTIFACTS / "dashboard-force-dialog.png")
    await page.get_by_role("button", name="Force", exact=True).click()

    await expect(page.locator("#staging li")).to_have_text(["nothing waiting"])
    await expect(page.locator('[data-door="D15"] .fill-pal')).to_have_text("1/33 pal")
    assert questions == [f"Force pallet {sscc} onto T-LYON-2 at door D15?"]
    pallet = served.site.state.pallets[sscc]
    assert (pallet.state, pallet.trailer, pallet.door) == ("assigned", "T-LYON-2", "D15")
    await page.close()


async def test_forcing_onto_a_full_trailer_shows_the_problem_detail(served: Served, browser: Browser) -> None:
    for serial in range(1, 19):
        assert served.scan(serial, "38000").reply.trailer == "T-GRE-1"  # 18 positions
    extra = served.scan(19, "38000").reply.sscc
    assert served.site.state.pallets[extra].state in ("staged", "unrouted")
    page = await _open(served, browser, [])
    await page.locator(f'li[data-sscc="{extra}"]').get_by_role("button", name="Force to trailer…").click()
    await page.get_by_label("Force to trailer…").select_option("T-GRE-1")
    await page.get_by_role("button", name="Force", exact=True).click()
    await expect(page.locator("#dlg-msg")).to_have_text("trailer T-GRE-1 is full (18/18)")
    assert served.site.state.pallets[extra].trailer is None
    await page.close()

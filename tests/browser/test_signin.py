"""The screens with access control on: sign-in, roles, refusals shown, and a refused token asked again."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, Dialog, Page, ViewportSize, expect

from xdock.central.api.auth import UserAdmin
from xdock.protocol.gs1 import sscc_with_check_digit

PHONE: ViewportSize = {"width": 390, "height": 844}
REFUSED = "Your token was refused: Authorization: unknown or revoked token. Sign in again."


@dataclass
class Tokens:
    users: UserAdmin
    worker: str
    supervisor: str


@pytest.fixture
def tokens(served: Served) -> Tokens:
    """Access control turned on: a worker ``wanda`` and a supervisor ``sam``, each with a token."""
    users = UserAdmin(served.store)
    now = served.clock.now()
    users.add("wanda", "worker", now, by="test")
    users.add("sam", "supervisor", now, by="test")
    return Tokens(users, users.issue("wanda", now, by="test"), users.issue("sam", now, by="test"))


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def _sign_in(page: Page, token: str) -> None:
    await expect(page.locator("#signin")).to_be_visible()
    await page.locator("#signin-token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#signin")).to_be_hidden()


async def test_a_worker_sees_the_dashboard_read_only_and_is_refused_an_override(
    served: Served, browser: Browser, tokens: Tokens,
) -> None:
    served.scan(1, "69001")
    served.site.alerts.raise_alert("edge_offline", "edge-d1", served.clock.now(), "edge edge-d1 is offline")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    await page.goto(served.url + "/")
    await expect(page.locator("#signin")).to_be_visible()
    await expect(page.locator("#signin-token")).to_be_focused()
    await expect(page.locator(".signin-help")).to_contain_text("Paste the token printed by xdock central user add")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "dashboard-signin.png")

    await page.locator("#signin-token").fill(tokens.worker + "x")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#signin-error")).to_have_text("Refused (401): Authorization: unknown or revoked token")
    await page.screenshot(path=ARTIFACTS / "dashboard-signin-refused.png")
    await _sign_in(page, tokens.worker)
    await expect(page.locator("#who")).to_have_text("wandaworkerSign out")
    await expect(page.locator('[data-door="D12"] .fill-pal')).to_have_text("1/33 pal")  # the live feed let it in
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    assert await page.evaluate("sessionStorage.getItem('xdock.token')") == tokens.worker
    assert await page.evaluate("localStorage.getItem('xdock.token')") is None

    alert = page.locator("#alerts li").first
    await expect(alert.locator(".tag")).to_have_text("open")
    await expect(alert.get_by_role("button", name="Ack")).to_have_count(0)
    await page.locator('[data-door="D12"]').click()
    await expect(page.locator("#dlg-actions")).to_have_text(
        "Read-only: your role (worker) cannot override the plan.")
    await expect(page.locator("#dlg-actions button")).to_have_count(0)
    await page.screenshot(path=ARTIFACTS / "dashboard-worker-read-only.png")

    direct = await page.evaluate("""async () => {
        const res = await fetch("/api/v1/doors/D12/close", {method: "POST",
            headers: {Authorization: "Bearer " + sessionStorage.getItem("xdock.token")}});
        return [res.status, (await res.json()).detail];
    }""")
    assert direct == [403, "user wanda is a worker; this needs a supervisor"]
    shown = await page.evaluate("callApi('POST', '/api/v1/doors/D12/close').then((r) => [r.status, r.data.detail])")
    assert shown == [403, "Your role (worker) cannot do this: user wanda is a worker; this needs a supervisor"]
    assert served.site.state.pallets[sscc_with_check_digit("37613032000000001")].door == "D12"
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "loading")
    await page.close()


async def test_a_supervisor_closes_a_door_then_signs_out(served: Served, browser: Browser, tokens: Tokens) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    page.on("dialog", _accept)
    await page.goto(served.url + "/")
    await _sign_in(page, tokens.supervisor)
    await expect(page.locator("#who")).to_have_text("samsupervisorSign out")
    await page.locator('[data-door="D12"]').click()
    await page.get_by_role("button", name="Close door D12").click()
    await expect(page.locator('[data-door="D12"]')).to_have_attribute("data-state", "closed")
    [event] = [e for e in served.store.events(limit=1000) if e.kind == "override_door_closed"]
    assert event.body["by"] == "sam"

    await page.locator("#who").get_by_role("button", name="Sign out").click()
    await expect(page.locator("#signin")).to_be_visible()
    await expect(page.locator("#signin-why")).to_have_text("Central asks who you are.")
    assert await page.evaluate("sessionStorage.getItem('xdock.token')") is None
    await page.close()


async def test_the_live_feed_refusing_a_revoked_token_asks_for_one(
    served: Served, browser: Browser, tokens: Tokens,
) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    await page.goto(served.url + "/")
    await _sign_in(page, tokens.worker)
    await expect(page.locator("#conn")).to_have_attribute("data-connects", "1")
    tokens.users.revoke("wanda", served.clock.now(), by="test")
    served.hub.close_all()  # the dashboard reconnects with its (now revoked) token
    await expect(page.locator("#signin-why")).to_have_text(
        "The live feed refused your token: unknown or revoked token. Sign in again.")
    await expect(page.locator("#conn")).to_have_text("signed out")
    await _sign_in(page, tokens.supervisor)
    await expect(page.locator("#conn")).to_have_attribute("data-connects", "2")
    await expect(page.locator("#conn")).to_have_text("live")
    await expect(page.locator("#who")).to_have_text("samsupervisorSign out")
    await page.close()


async def test_the_dashboard_is_signed_out_when_its_token_is_revoked_while_it_watches(
    served: Served, browser: Browser, tokens: Tokens,
) -> None:
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    await page.goto(served.url + "/")
    await _sign_in(page, tokens.worker)
    await expect(page.locator("#conn")).to_have_attribute("data-connects", "1")
    await expect(page.locator("#who")).to_have_text("wandaworkerSign out")
    tokens.users.revoke("wanda", served.clock.now(), by="cli")  # as another process would: no hook, a re-check
    await expect(page.locator("#signin")).to_be_visible()
    await expect(page.locator("#signin-why")).to_have_text("Signed out: token revoked. Sign in again.")
    await expect(page.locator("#who")).to_be_hidden()
    await expect(page.locator("#conn")).to_have_attribute("data-state", "signed-out")
    await expect(page.locator("#conn")).to_have_text("signed out")  # not "reconnecting…": it waits for a sign-in
    await expect(page.locator("#conn")).to_have_attribute("data-connects", "1")
    assert await page.evaluate("sessionStorage.getItem('xdock.token')") is None
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "dashboard-signed-out.png")
    await _sign_in(page, tokens.supervisor)
    await expect(page.locator("#conn")).to_have_attribute("data-connects", "2")  # one reconnection, once signed in
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    await expect(page.locator("#conn")).to_have_text("live")
    await expect(page.locator("#who")).to_have_text("samsupervisorSign out")
    await page.close()


async def test_the_handheld_signs_in_and_asks_again_when_its_token_is_revoked(
    served: Served, browser: Browser, tokens: Tokens,
) -> None:
    first, second = sscc_with_check_digit("37613032100000001"), sscc_with_check_digit("37613032100000002")
    page = await browser.new_page(viewport=PHONE, device_scale_factor=2)
    await page.goto(served.url + "/handheld?door=D2")
    await expect(page.locator("#signin")).to_be_visible()
    await page.locator("#signin-token").click()
    await expect(page.locator("#signin-token")).to_be_focused()  # the scan field does not take it back
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "handheld-signin.png")
    await _sign_in(page, tokens.worker)
    await expect(page.locator("#who")).to_have_text("wandaworkerSign out")
    await expect(page.locator("#door")).to_have_value("D2")
    scan = page.locator("#scan")
    await expect(scan).to_be_focused()
    await scan.fill(f"(00){first}(420)69001")
    await scan.press("Enter")
    await expect(page.locator("#door-big")).to_have_text("D12")
    await expect(page.locator("#net")).to_have_text("ready")

    tokens.users.revoke("wanda", served.clock.now(), by="test")
    await scan.fill(f"(00){second}(420)69001")
    await scan.press("Enter")
    await expect(page.locator("#signin-why")).to_have_text(REFUSED)
    await expect(page.locator("#net")).to_have_text("signed out")  # not "sending…" behind the form
    await expect(page.locator("#net")).to_have_attribute("data-state", "signed-out")
    await page.screenshot(path=ARTIFACTS / "handheld-signin-again.png")
    fresh = tokens.users.issue("wanda", served.clock.now(), by="test")
    await _sign_in(page, fresh)
    await expect(page.locator("#door-big")).to_have_text("D12")  # the scan went through once signed in again
    await expect(page.locator("#net")).to_have_text("ready")
    await expect(page.locator("#net")).to_have_attribute("data-state", "ok")
    assert served.site.state.pallets[second].door == "D12"
    await page.close()

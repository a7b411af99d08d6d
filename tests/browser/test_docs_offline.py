"""``/docs`` in Chromium on a site without internet: Swagger UI draws the API's operations from central's files alone.

Every request the page makes to anywhere but central is refused and recorded; none may be made.
"""

from __future__ import annotations

from browser_rig import ARTIFACTS, Served
from playwright.async_api import Browser, Route, expect


async def test_the_docs_render_with_no_internet(served: Served, browser: Browser) -> None:
    page = await browser.new_page()
    elsewhere: list[str] = []

    async def offline(route: Route) -> None:
        if route.request.url.startswith(served.url + "/"):
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await page.route("**/*", offline)
    try:
        await page.goto(served.url + "/docs")
        await expect(page.locator(".opblock-get .opblock-summary-path[data-path='/api/v1/trailers']")).to_be_visible()
        await expect(page.locator(".opblock-summary-path[data-path='/api/v1/handheld/scan']")).to_be_visible()
        await expect(page.locator(".info .title")).to_contain_text("xdock central")
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    finally:
        await page.close()
    assert elsewhere == []

"""A live stream whose sign-in stops holding is closed with a code and a reason; the others go on."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import Depends, FastAPI
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from support.scans import scan
from support.web_rig import START, connect_live, next_message
from xdock.central.api.access import Access
from xdock.central.api.app import create_app
from xdock.central.api.auth import Role, UserAdmin
from xdock.central.api.http_server import serve_http
from xdock.central.app import Central
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub, web_router
from xdock.protocol.clock import ManualClock
from xdock.protocol.gs1 import sscc_with_check_digit

HOUR = 3600.0
"""A re-check interval no test waits for: a close seen then came from central's own hook."""
SOON = 0.05


@dataclass
class Site:
    url: str
    http: httpx.AsyncClient
    users: UserAdmin
    clock: ManualClock
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def _app(central: Central, hub: LiveHub, access: Access) -> FastAPI:
    """Central's API and screens wired as its front wires them, over an ``access`` of the test's own."""
    app = create_app(central.site, central.store, liveness=central.liveness, uplinks=central.ingest.stats,
                     refusals=central.refusals, access=access)
    app.include_router(web_router(hub, access, api_dependencies=[Depends(access.require("worker"))]))
    return app


@contextlib.asynccontextmanager
async def _site(
    central: Central, hub: LiveHub, *, auth: bool | None = True, live_role: Role = "worker",
    recheck_s: float = HOUR, users: bool = True,
) -> AsyncIterator[Site]:
    """Central's API on a free port; with ``users``: wanda (worker), sam (supervisor), ada (admin)."""
    clock = central.site.clock
    assert isinstance(clock, ManualClock)
    admin = UserAdmin(central.store)
    tokens: dict[str, str] = {}
    if users:
        for name, role in (("wanda", "worker"), ("sam", "supervisor"), ("ada", "admin")):
            admin.add(name, role, START, by="setup")
            tokens[name] = admin.issue(name, START, by="setup")
    access = Access(central.store, auth, clock=clock, live_role=live_role, recheck_s=recheck_s)
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    app = _app(central, hub, access)
    server = asyncio.create_task(serve_http(app, "127.0.0.1", 0, on_bound=bound.set_result))
    try:
        port = await bound
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield Site(f"ws://127.0.0.1:{port}/api/v1/live", http, admin, clock, tokens)
    finally:
        await hub.aclose()
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


async def _ticks(ws: ClientConnection, count: int) -> None:
    """Wait for ``count`` ticks of the hub (every 0.05 s: each spans a re-check of the streams)."""
    for _ in range(count):
        await next_message(ws, "tick")


async def _watch(url: str, token: str | None) -> ClientConnection:
    """A live stream signed in with ``token`` (none: access control off), past its snapshot."""
    ws = await connect_live(url)
    if token is not None:
        await ws.send(json.dumps({"type": "auth", "token": token}))
    await next_message(ws, "snapshot")
    return ws


async def _drain(ws: ClientConnection) -> None:
    async with asyncio.timeout(5):
        while True:
            await ws.recv()


async def _closed(ws: ClientConnection) -> tuple[int, str]:
    """The close code and reason of ``ws``, once the server closed it (other messages skipped)."""
    with pytest.raises(ConnectionClosed) as closed:
        await _drain(ws)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def _goes_on(ws: ClientConnection, live: LiveSite, seq: int) -> str:
    """Scan a pallet for Lyon now; the door ``ws`` is told it goes to (the stream still runs)."""
    sscc = sscc_with_check_digit(f"376130321100000{seq:02d}")
    live.apply_scan(scan(seq, sscc=sscc, weight_kg=300.0, at=START))
    while (pallet := (await next_message(ws, "pallet"))["pallet"])["sscc"] != sscc:
        pass
    return str(pallet["door"])


async def test_revoking_through_the_api_closes_that_users_stream_at_once(central: Central, hub: LiveHub) -> None:
    async with _site(central, hub) as site:
        wanda, sam = await _watch(site.url, site.tokens["wanda"]), await _watch(site.url, site.tokens["sam"])
        revoked = await site.http.delete("/api/v1/admin/users/wanda/tokens", headers=site.as_("ada"))
        assert revoked.json() == {"user": "wanda", "revoked": 1}
        assert await _closed(wanda) == (4401, "signed out: token revoked")
        assert await _goes_on(sam, central.site, 1) == "D12"
        assert hub.clients == 1
        await sam.close()


async def test_removing_a_user_closes_its_stream(central: Central, hub: LiveHub) -> None:
    async with _site(central, hub) as site:
        wanda, sam = await _watch(site.url, site.tokens["wanda"]), await _watch(site.url, site.tokens["sam"])
        removed = await site.http.delete("/api/v1/admin/users/wanda", headers=site.as_("ada"))
        assert removed.json() == {"user": "wanda", "removed": True, "revoked": 1}
        assert await _closed(wanda) == (4401, "signed out: user removed")
        assert await _goes_on(sam, central.site, 2) == "D12"
        await sam.close()


async def test_a_role_below_the_streams_need_closes_it_and_is_refused_again(
    central: Central, hub: LiveHub,
) -> None:
    async with _site(central, hub, live_role="supervisor") as site:
        refused = await connect_live(site.url)
        await refused.send(json.dumps({"type": "auth", "token": site.tokens["wanda"]}))
        assert await _closed(refused) == (4403, "user wanda is a worker; this needs a supervisor")

        sam, ada = await _watch(site.url, site.tokens["sam"]), await _watch(site.url, site.tokens["ada"])
        promoted = await site.http.put("/api/v1/admin/users/sam", json={"role": "admin"}, headers=site.as_("ada"))
        assert promoted.json()["role"] == "admin"
        assert await _goes_on(sam, central.site, 3) == "D12"  # a role still high enough: nothing
        demoted = await site.http.put("/api/v1/admin/users/sam", json={"role": "worker"}, headers=site.as_("ada"))
        assert demoted.json()["role"] == "worker"
        assert await _closed(sam) == (4403, "signed out: user sam is now a worker; this needs a supervisor")
        assert await _goes_on(ada, central.site, 4) == "D12"
        await ada.close()


async def test_a_revocation_by_another_process_closes_the_stream_at_the_next_recheck(
    central: Central, hub: LiveHub,
) -> None:
    async with _site(central, hub, recheck_s=SOON) as site:
        wanda, sam = await _watch(site.url, site.tokens["wanda"]), await _watch(site.url, site.tokens["sam"])
        site.users.revoke("wanda", START, by="cli")  # the store changed, no hook told
        assert await _closed(wanda) == (4401, "signed out: token revoked")
        assert await _goes_on(sam, central.site, 5) == "D12"
        await sam.close()


async def test_a_token_lifetime_ends_the_stream_by_the_injected_clock(central: Central, hub: LiveHub) -> None:
    async with _site(central, hub, recheck_s=SOON) as site:
        short = site.users.issue("wanda", START, by="setup", valid_for=timedelta(minutes=10))
        wanda, sam = await _watch(site.url, short), await _watch(site.url, site.tokens["sam"])
        site.clock.advance(599)
        await _ticks(wanda, 4)  # the streams were re-checked meanwhile
        assert await _goes_on(wanda, central.site, 6) == "D12"
        site.clock.advance(1)
        assert await _closed(wanda) == (4401, "signed out: token expired")
        assert await _goes_on(sam, central.site, 7) == "D12"
        await sam.close()

        again = await connect_live(site.url)
        await again.send(json.dumps({"type": "auth", "token": short}))
        assert await _closed(again) == (4401, "token expired at 2026-11-23T07:10:00+00:00")
        expired = await site.http.get("/api/v1/me", headers={"Authorization": f"Bearer {short}"})
        assert (expired.status_code, expired.json()["detail"]) == (
            401, "Authorization: token expired at 2026-11-23T07:10:00+00:00")


async def test_with_access_control_forced_off_nothing_is_closed(central: Central, hub: LiveHub) -> None:
    async with _site(central, hub, auth=False, recheck_s=SOON) as site:
        open_ = await _watch(site.url, None)
        site.users.revoke("wanda", START, by="cli")
        site.users.remove("sam", START, by="cli")
        site.clock.advance(7200)
        await _ticks(open_, 4)  # the streams were re-checked meanwhile
        assert await _goes_on(open_, central.site, 8) == "D12"
        await open_.close()


async def test_a_stream_opened_while_open_is_closed_when_a_first_user_turns_access_on(
    central: Central, hub: LiveHub,
) -> None:
    async with _site(central, hub, auth=None, recheck_s=SOON, users=False) as site:
        open_ = await _watch(site.url, None)
        assert await _goes_on(open_, central.site, 1) == "D12"
        site.users.add("wanda", "worker", START, by="cli")
        assert await _closed(open_) == (4401, "signed out: access control turned on")

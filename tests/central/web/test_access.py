"""The screens under access control: the open ``/access`` probe, ``/me``, and the live WebSocket's token."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from support.web_rig import START, connect_live
from xdock.central.api.auth import UserAdmin
from xdock.central.api.http_server import serve_http
from xdock.central.app import Central
from xdock.central.web import LiveHub


@dataclass
class Guarded:
    url: str
    worker: str
    supervisor: str


@pytest.fixture
async def guarded(central: Central, hub: LiveHub) -> AsyncIterator[Guarded]:
    users = UserAdmin(central.store)
    users.add("wanda", "worker", START, by="test")
    users.add("sam", "supervisor", START, by="test")
    worker, supervisor = users.issue("wanda", START, by="test"), users.issue("sam", START, by="test")
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve_http(central.app, "127.0.0.1", 0, on_bound=bound.set_result))
    try:
        yield Guarded(f"127.0.0.1:{await bound}", worker, supervisor)
    finally:
        await hub.aclose()
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


async def _drain(ws: ClientConnection) -> None:
    async with asyncio.timeout(5):
        while True:
            await ws.recv()


async def _refusal(guarded: Guarded, first: str) -> tuple[int, str]:
    ws = await connect_live(f"ws://{guarded.url}/api/v1/live")
    try:
        await ws.send(first)
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(ws)
    finally:
        await ws.close()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_access_is_reported_open_and_me_names_the_caller(http: httpx.AsyncClient, central: Central) -> None:
    assert (await http.get("/api/v1/access")).json() == {"enabled": False}
    assert (await http.get("/api/v1/me")).json() == {"name": "anonymous", "role": "admin"}
    users = UserAdmin(central.store)
    users.add("wanda", "worker", START, by="test")
    token = users.issue("wanda", START, by="test")

    assert (await http.get("/api/v1/access")).json() == {"enabled": True}
    refused = await http.get("/api/v1/me")
    assert (refused.status_code, refused.json()["detail"]) == (401, "Authorization: a bearer token is required")
    wrong = await http.get("/api/v1/me", headers={"Authorization": "Bearer xdk_nope"})
    assert (wrong.status_code, wrong.json()["detail"]) == (401, "Authorization: unknown or revoked token")
    me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.status_code, me.json()) == (200, {"name": "wanda", "role": "worker"})


async def test_live_refuses_a_missing_token(guarded: Guarded) -> None:
    assert await _refusal(guarded, json.dumps({"type": "auth"})) == (
        4401, "first message: token: expected a non-empty string")
    assert await _refusal(guarded, "hello") == (
        4401, 'first message: expected JSON {"type": "auth", "token": ...}')


async def test_live_refuses_a_wrong_token(guarded: Guarded) -> None:
    assert await _refusal(guarded, json.dumps({"type": "auth", "token": guarded.worker + "x"})) == (
        4401, "unknown or revoked token")


async def test_live_accepts_a_worker_token_and_sends_the_snapshot(guarded: Guarded, hub: LiveHub) -> None:
    ws = await connect_live(f"ws://{guarded.url}/api/v1/live")
    try:
        await ws.send(json.dumps({"type": "auth", "token": guarded.worker}))
        async with asyncio.timeout(5):
            data = json.loads(await ws.recv())
        first = data[0] if isinstance(data, list) else data
        assert (first["type"], first["site"]) == ("snapshot", "t")
        assert hub.clients == 1
    finally:
        await ws.close()

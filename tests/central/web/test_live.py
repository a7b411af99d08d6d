"""The live WebSocket over a real server: a snapshot on connect, then a small message per scan."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from websockets.exceptions import ConnectionClosed

from support.scans import scan
from support.web_rig import SSCC, START, connect_live, next_message
from xdock.central.api.http_server import serve_http
from xdock.central.app import Central
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub, Subscription


@pytest.fixture
async def ws_url(central: Central, hub: LiveHub) -> AsyncIterator[str]:
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve_http(central.app, "127.0.0.1", 0, on_bound=bound.set_result))
    try:
        yield f"ws://127.0.0.1:{await bound}/api/v1/live"
    finally:
        await hub.aclose()
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


def _scan(site: LiveSite, seq: int, sscc: str, postal: str) -> None:
    site.apply_scan(scan(seq, sscc=sscc, postal=postal, weight_kg=300.0, at=START))


async def test_snapshot_then_pallet_deltas_and_ticks(ws_url: str, site: LiveSite, hub: LiveHub) -> None:
    _scan(site, 1, SSCC, "69001")
    ws = await connect_live(ws_url)
    try:
        snap = await next_message(ws, "snapshot")
        assert (snap["site"], snap["timezone"], snap["now"]) == ("t", "Europe/Paris", START.isoformat())
        assert [d["id"] for d in snap["doors"]] == ["D1", "D12", "D13"]
        [trailer] = snap["trailers"]
        assert (trailer["id"], trailer["door"], trailer["pallets"], trailer["kg"]) == ("T-LYON-1", "D12", 1, 300.0)
        assert (snap["flow"], snap["inbound"], snap["closed"]) == ([], {"D1": 1}, [])
        assert snap["kpis"]["pallets_per_hour"] == 1

        _scan(site, 2, "376130321109103437", "69002")
        delta = await next_message(ws, "pallet")
        assert (delta["pallet"]["sscc"], delta["pallet"]["state"], delta["pallet"]["door"]) == (
            "376130321109103437", "assigned", "D12")
        assert [(t["id"], t["pallets"], t["kg"]) for t in delta["trailers"]] == [("T-LYON-1", 2, 600.0)]
        assert delta["inbound"] == {"D1": 2}

        _scan(site, 3, "376130321109103444", "06000")
        staged = await next_message(ws, "pallet")
        assert (staged["pallet"]["state"], staged["pallet"]["target"], staged["trailers"]) == ("staged", "S1", [])

        tick = await next_message(ws, "tick")
        assert tick["now"] == START.isoformat()
        assert hub.clients == 1
    finally:
        await ws.close()


async def test_closed_by_the_hub_then_resynchronised(ws_url: str, site: LiveSite, hub: LiveHub) -> None:
    ws = await connect_live(ws_url)
    await next_message(ws, "snapshot")
    hub.close_all()
    with pytest.raises(ConnectionClosed) as closed:
        await next_message(ws, "never")
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012
    _scan(site, 1, SSCC, "69001")
    again = await connect_live(ws_url)
    try:
        snap = await next_message(again, "snapshot")
        assert snap["trailers"][0]["pallets"] == 1
    finally:
        await again.close()


async def test_a_client_too_far_behind_is_dropped() -> None:
    sub = Subscription(max_backlog=2)
    sub.push("a")
    sub.push("b")
    assert not sub.closed
    sub.push("c")
    assert sub.closed
    assert sub.queue.get_nowait() is None  # what it had is dropped: it resynchronises from a snapshot
    assert sub.queue.empty()


async def test_scans_close_together_leave_in_one_frame(ws_url: str, site: LiveSite) -> None:
    ws = await connect_live(ws_url)
    try:
        await next_message(ws, "snapshot")
        _scan(site, 1, "376130321109103420", "69001")
        _scan(site, 2, "376130321109103437", "69001")
        async with asyncio.timeout(5):
            while not isinstance(frame := json.loads(await ws.recv()), list):
                pass
        assert [(m["type"], m["pallet"]["sscc"]) for m in frame] == [
            ("pallet", "376130321109103420"), ("pallet", "376130321109103437")]
    finally:
        await ws.close()

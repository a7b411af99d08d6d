"""The flow panel's inbound queue and pallets in transit, in the dashboard's snapshot."""

from __future__ import annotations

import json
from typing import Any

import httpx

from support.scans import scan
from support.web_rig import SSCC, START
from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.planning.replanner import Replanner
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub, Subscription


def _scan(site: LiveSite, sscc: str, postal: str, seq: int) -> None:
    site.apply_scan(scan(seq, sscc=sscc, postal=postal, weight_kg=300.0, at=START))


def _last_snapshot(sub: Subscription) -> dict[str, Any]:
    found = None
    while not sub.queue.empty():
        text = sub.queue.get_nowait()
        assert text is not None
        data = json.loads(text)
        for message in data if isinstance(data, list) else [data]:
            if message["type"] == "snapshot":
                found = message
    assert found is not None, "no snapshot queued"
    return found


async def test_snapshot_lists_trucks_and_pallets_in_transit(
    site: LiveSite, hub: LiveHub, http: httpx.AsyncClient,
) -> None:
    _scan(site, SSCC, "69001", 1)          # Lyon: assigned to T-LYON-1 at D12
    _scan(site, "376130321109103437", "06000", 2)  # Nice: no trailer today, so not in transit
    first = json.loads(hub.snapshot_text())
    assert [(p["sscc"], p["inbound_door"], p["door"], p["trailer"], p["loaded"]) for p in first["transit"]] == [
        (SSCC, "D1", "D12", "T-LYON-1", False)
    ]
    assert first["trucks"] == []

    sub = hub.subscribe()
    try:
        r = await http.post("/api/v1/inbound-trucks", json={"id": "IN-7", "eta": "2026-11-23T07:45:00+00:00",
                                                            "pallets": 12, "carrier": "Heppner"})
        assert r.status_code == 201
        await http.post("/api/v1/inbound-trucks", json={"id": "IN-8", "eta": "2026-11-23T07:15:00+00:00",
                                                        "pallets": 3})
        await http.post("/api/v1/inbound-trucks/IN-8/arrive", json={"door": "D1"})
        snap = _last_snapshot(sub)
        assert [(t["id"], t["state"], t["eta"], t["door"], t["pallets"]) for t in snap["trucks"]] == [
            ("IN-8", "arrived", "2026-11-23T07:15:00+00:00", "D1", 3),
            ("IN-7", "waiting", "2026-11-23T07:45:00+00:00", None, 12),
        ]
        await http.post("/api/v1/inbound-trucks/IN-8/unloaded")
        assert [t["id"] for t in _last_snapshot(sub)["trucks"]] == ["IN-7"]

        loaded = await http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": SSCC, "at": "D12"})
        assert loaded.json()["ok"] is True
        assert json.loads(hub.snapshot_text())["transit"] == []
    finally:
        hub.unsubscribe(sub)
        await hub.aclose()


async def test_a_planning_round_pushes_the_suggested_door_of_a_waiting_truck(
    site: LiveSite, hub: LiveHub, http: httpx.AsyncClient,
) -> None:
    r = await http.post("/api/v1/inbound-trucks", json={"id": "IN-7", "eta": "2026-11-23T07:45:00+00:00",
                                                        "pallets": 18, "destinations": {"LYON": 12}})
    assert r.status_code == 201
    sub = hub.subscribe()
    try:
        async with Replanner(time_limit=0.5) as replanner:
            await PlanningLoop(site, replanner, site.clock).run_once()
        [truck] = _last_snapshot(sub)["trucks"]
        assert (truck["id"], truck["door"], truck["suggested_door"], truck["destinations"]) == (
            "IN-7", None, "D1", {"LYON": 12})
    finally:
        hub.unsubscribe(sub)
        await hub.aclose()

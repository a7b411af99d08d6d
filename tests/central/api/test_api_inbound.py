"""Inbound trucks over REST: announce, arrive at a door, unloaded; refusals as problem+json; restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from support.central_rig import api_client, built_central
from support.sites import PARIS, door, inbound, outbound, site_config, staging
from xdock.central.api.auth import UserAdmin
from xdock.central.app import Central
from xdock.protocol.clock import ManualClock

SITE = site_config(
    doors=[inbound(), door("D2", 5, 0), outbound()], areas=[staging()], more_destinations=[PARIS]
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
TRUCK = {"id": "IN-1", "carrier": "Geodis", "eta": "2026-11-23T08:30:00+00:00", "pallets": 26}


def _client(path: Path) -> tuple[httpx.AsyncClient, Central]:
    central = built_central(SITE, path, ManualClock(START))
    return api_client(central), central


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    client, central = _client(tmp_path / "c.db")
    async with client:
        yield client
    await central.aclose()


async def test_announce_answers_201_with_the_truck_waiting(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK)
    assert r.status_code == 201
    assert r.json() == {
        "id": "IN-1", "carrier": "Geodis", "eta": "2026-11-23T08:30:00Z", "pallets": 26, "door": None,
        "state": "waiting", "announced_at": "2026-11-23T07:00:00Z", "arrived_at": None, "unloaded_at": None,
        "destinations": None, "suggested_door": None,
    }
    events = (await api.get("/api/v1/events")).json()
    assert [(e["kind"], e["body"]["truck"], e["body"]["by"]) for e in events] == [
        ("inbound_truck_announced", "IN-1", "anonymous")
    ]


async def test_eta_without_offset_is_422_naming_eta(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"eta": "2026-11-23T08:30:00"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "body.eta: Input should have timezone info"
    assert (await api.get("/api/v1/inbound-trucks")).json() == []


async def test_negative_pallets_and_outbound_door_are_refused_by_field(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"pallets": -1})
    assert (r.status_code, r.json()["detail"]) == (422, "body.pallets: Input should be greater than or equal to 0")
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"door": "D12"})
    assert r.status_code == 422
    assert (r.json()["field"], r.json()["detail"]) == ("door", "door 'D12' is not an inbound door (inbound: D1, D2)")


async def test_arrive_then_unloaded_and_the_refusals_in_between(api: httpx.AsyncClient) -> None:
    await api.post("/api/v1/inbound-trucks", json=TRUCK)
    again = await api.post("/api/v1/inbound-trucks", json=TRUCK)
    assert (again.status_code, again.json()["field"], again.json()["detail"]) == (
        409, "id", "inbound truck IN-1 is already announced")
    early = await api.post("/api/v1/inbound-trucks/IN-1/unloaded")
    assert (early.status_code, early.json()["detail"]) == (409, "inbound truck IN-1 is waiting, not arrived")
    missing = await api.post("/api/v1/inbound-trucks/IN-9/arrive", json={"door": "D1"})
    assert (missing.status_code, missing.json()["detail"]) == (404, "No inbound truck 'IN-9' has been announced")
    r = await api.post("/api/v1/inbound-trucks/IN-1/arrive", json={"door": "D2"})
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["door"], r.json()["arrived_at"]) == ("arrived", "D2", "2026-11-23T07:00:00Z")
    r = await api.post("/api/v1/inbound-trucks/IN-1/unloaded")
    assert (r.status_code, r.json()["state"], r.json()["door"]) == (200, "unloaded", "D2")
    assert [t["id"] for t in (await api.get("/api/v1/inbound-trucks?state=unloaded")).json()] == ["IN-1"]
    assert (await api.get("/api/v1/inbound-trucks?state=waiting")).json() == []
    kinds = [e["kind"] for e in (await api.get("/api/v1/events")).json()]
    assert kinds == ["inbound_truck_announced", "inbound_truck_arrived", "inbound_truck_unloaded"]


async def test_an_advance_shipping_notice_is_stored_and_returned(tmp_path: Path) -> None:
    client, central = _client(tmp_path / "c.db")
    async with client:
        r = await client.post("/api/v1/inbound-trucks", json=TRUCK | {"destinations": {"PARIS": 6, "LYON": 12}})
        assert (r.status_code, r.json()["destinations"]) == (201, {"LYON": 12, "PARIS": 6})
        [event] = (await client.get("/api/v1/events")).json()
        assert event["body"]["destinations"] == {"LYON": 12, "PARIS": 6}
    await central.aclose()
    client, central = _client(tmp_path / "c.db")  # after a restart
    async with client:
        [truck] = (await client.get("/api/v1/inbound-trucks")).json()
        assert (truck["pallets"], truck["destinations"], truck["suggested_door"]) == (26, {"LYON": 12, "PARIS": 6},
                                                                                       None)
    await central.aclose()


async def test_a_bad_advance_shipping_notice_is_refused_naming_the_field(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"destinations": {"LYON": 12, "NICE": 2}})
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (
        422, "destinations.NICE", "destination 'NICE' is not one of the site's (destinations: LYON, PARIS)")
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"destinations": {"LYON": -1}})
    assert (r.status_code, r.json()["detail"]) == (
        422, "body.destinations.LYON: Input should be greater than or equal to 0")
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"destinations": {"LYON": 20, "PARIS": 7}})
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (
        422, "destinations", "destinations add up to 27 pallets, more than the 26 aboard")
    assert (await api.get("/api/v1/inbound-trucks")).json() == []
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"destinations": {"LYON": 20, "PARIS": 0}})
    assert (r.status_code, r.json()["destinations"]) == (201, {"LYON": 20, "PARIS": 0})


async def test_listed_by_eta(api: httpx.AsyncClient) -> None:
    await api.post("/api/v1/inbound-trucks", json=TRUCK)
    await api.post("/api/v1/inbound-trucks", json=TRUCK | {"id": "IN-0", "eta": "2026-11-23T09:10:00+02:00"})
    listed = (await api.get("/api/v1/inbound-trucks")).json()
    assert [(t["id"], t["eta"]) for t in listed] == [
        ("IN-0", "2026-11-23T09:10:00+02:00"), ("IN-1", "2026-11-23T08:30:00Z"),
    ]


async def test_a_worker_may_list_but_not_announce(tmp_path: Path) -> None:
    client, central = _client(tmp_path / "c.db")
    users = UserAdmin(central.store)
    users.add("wanda", "worker", START, by="test")
    users.add("sam", "supervisor", START, by="test")
    worker, supervisor = users.issue("wanda", START, by="test"), users.issue("sam", START, by="test")
    async with client:
        r = await client.post("/api/v1/inbound-trucks", json=TRUCK, headers={"Authorization": f"Bearer {worker}"})
        assert r.status_code == 403
        assert r.json()["detail"] == "user wanda is a worker; this needs a supervisor"
        assert (await client.post("/api/v1/inbound-trucks", json=TRUCK)).status_code == 401
        r = await client.post("/api/v1/inbound-trucks", json=TRUCK, headers={"Authorization": f"Bearer {supervisor}"})
        assert r.status_code == 201
        listed = await client.get("/api/v1/inbound-trucks", headers={"Authorization": f"Bearer {worker}"})
        assert [t["id"] for t in listed.json()] == ["IN-1"]
        events = (await client.get("/api/v1/events", headers={"Authorization": f"Bearer {worker}"})).json()
        assert [e["body"]["by"] for e in events if e["kind"] == "inbound_truck_announced"] == ["sam"]
    await central.aclose()


async def test_trucks_survive_a_restart(tmp_path: Path) -> None:
    client, central = _client(tmp_path / "c.db")
    async with client:
        await client.post("/api/v1/inbound-trucks", json=TRUCK)
        await client.post("/api/v1/inbound-trucks/IN-1/arrive", json={"door": "D1"})
    await central.aclose()
    client, central = _client(tmp_path / "c.db")
    async with client:
        listed = (await client.get("/api/v1/inbound-trucks")).json()
        assert [(t["id"], t["state"], t["door"], t["pallets"]) for t in listed] == [("IN-1", "arrived", "D1", 26)]
        r = await client.post("/api/v1/inbound-trucks/IN-1/unloaded")
        assert r.json()["state"] == "unloaded"
    await central.aclose()

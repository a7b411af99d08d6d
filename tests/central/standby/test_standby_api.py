"""A standby's API: reads from the shared store, everything else refused naming the leader."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from xdock.central.api.access import Access
from xdock.central.api.auth import UserAdmin
from xdock.central.api.leadership import LeadershipOut
from xdock.central.standby.api import standby_app
from xdock.central.store.database import PalletRow, Store

AT = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
NOW = LeadershipOut(role="standby", central="central-b", leader="central-a", epoch=3, since=AT,
                    leader_api="http://10.0.0.5:8080")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "c.db")
    with store.transaction() as tx:
        tx.put_pallet(PalletRow("376130321109103437", "assigned", "LYON", "69001", "T1", "D12", "D1", AT, AT, 1))
        tx.append_event(AT, "scan", {"n": 1}, sscc="376130321109103437", edge_id="e1", seq=1)
        tx.open_alert("edge_offline", "e1", AT, "edge e1 is offline")
    return store


async def client(store: Store, now: LeadershipOut = NOW) -> httpx.AsyncClient:
    app = standby_app(store, Access(store), lambda: now, site="lyon-nord")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://standby")


@pytest.fixture
async def http(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with await client(store) as c:
        yield c


async def test_it_tells_who_leads(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/leadership")
    assert response.json() == {"role": "standby", "central": "central-b", "leader": "central-a", "epoch": 3,
                               "since": "2026-12-07T06:00:00Z", "leader_api": "http://10.0.0.5:8080"}
    assert (await http.get("/healthz")).json() == {"status": "standby"}


async def test_it_answers_reads_from_the_store(http: httpx.AsyncClient) -> None:
    [pallet] = (await http.get("/api/v1/pallets", params={"state": "assigned"})).json()
    assert (pallet["sscc"], pallet["door"], pallet["confirmed_by"]) == ("376130321109103437", "D12", None)
    assert (await http.get("/api/v1/pallets", params={"trailer": "T9"})).json() == []
    [event] = (await http.get("/api/v1/events")).json()
    assert (event["kind"], event["seq"], event["epoch"]) == ("scan", 1, 0)
    [alert] = (await http.get("/api/v1/alerts", params={"open": "true"})).json()
    assert (alert["kind"], alert["subject"], alert["state"]) == ("edge_offline", "e1", "raised")


async def test_a_write_is_refused_naming_the_leader_and_where_to_send_it(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/overrides/doors/D12/close", json={"reason": "jammed"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.headers["location"] == "http://10.0.0.5:8080/api/v1/overrides/doors/D12/close"
    assert response.json() == {
        "type": "about:blank", "title": "Service Unavailable", "status": 503,
        "detail": "this central (central-b) stands by and does not serve this write: central 'central-a' leads the"
                  " site (epoch 3); send it to http://10.0.0.5:8080",
        "leader": "central-a", "epoch": 3, "leader_api": "http://10.0.0.5:8080",
    }


async def test_a_read_it_cannot_serve_goes_to_the_leader(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/trailers", params={"door": "D12"})
    assert response.status_code == 503
    assert response.headers["location"] == "http://10.0.0.5:8080/api/v1/trailers?door=D12"
    assert response.json()["detail"].startswith("this central (central-b) stands by and does not serve this read:")


async def test_a_browser_asking_for_a_page_is_sent_to_the_leaders(http: httpx.AsyncClient) -> None:
    response = await http.get("/handheld", params={"door": "D12"}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert (response.status_code, response.headers["location"]) == (307, "http://10.0.0.5:8080/handheld?door=D12")


async def test_with_no_leader_known_it_says_so(store: Store) -> None:
    nobody = NOW.model_copy(update={"leader": None, "epoch": 0, "leader_api": None})
    async with await client(store, nobody) as http:
        response = await http.delete("/api/v1/users/ann")
    assert "location" not in response.headers
    assert response.json()["detail"] == ("this central (central-b) stands by and does not serve this write:"
                                         " no central leads yet")


async def test_its_metrics_say_it_does_not_lead(http: httpx.AsyncClient) -> None:
    text = (await http.get("/metrics")).text
    assert 'xdock_leader{site="lyon-nord"} 0.0' in text
    assert 'xdock_leader_epoch{site="lyon-nord"} 3.0' in text


async def test_reads_need_the_leaders_tokens_once_users_exist(store: Store) -> None:
    users = UserAdmin(store)
    users.add("ann", "worker", AT, by="test")
    token = users.issue("ann", AT, by="test")
    async with await client(store) as http:
        assert (await http.get("/api/v1/pallets")).status_code == 401
        ok = await http.get("/api/v1/pallets", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200

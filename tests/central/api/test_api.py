from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from support.central_rig import api_client, built_central
from support.lyon_site import SITE, START
from support.scans import scan
from xdock.protocol.clock import ManualClock

SSCC = "376130321109103420"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    central = built_central(SITE, tmp_path / "c.db", ManualClock(START))
    for seq, postal in ((1, "69001"), (2, "06000")):
        central.site.apply_scan(scan(seq, sscc=SSCC if seq == 1 else "376130321109103437", postal=postal, at=START))
    async with api_client(central) as http:
        yield http
    await central.aclose()


async def test_site_doors_and_trailers(client: httpx.AsyncClient) -> None:
    site = (await client.get("/api/v1/site")).json()
    assert site == {"site": "t", "timezone": "Europe/Paris", "day": "2026-11-23", "doors": 2, "trailers": 1,
                    "pallets": 2}
    doors = (await client.get("/api/v1/doors")).json()
    assert doors[1] == {"id": "D12", "role": "outbound", "x": 10.0, "y": 30.0, "trailers": ["T-LYON-1"]}
    [trailer] = (await client.get("/api/v1/trailers")).json()
    assert (trailer["assigned_pallets"], trailer["loaded_pallets"], trailer["loaded_by"]) == (
        1, 0, {"scan": 0, "rfid": 0})  # assigned by its scan, not loaded yet
    assert trailer["destination_name"] == "Lyon"
    assert trailer["departure"] == "2026-11-23T16:40:00+01:00"


async def test_pallets_with_state_and_door(client: httpx.AsyncClient) -> None:
    pallets = (await client.get("/api/v1/pallets")).json()
    assert [(p["sscc"], p["state"], p["door"]) for p in pallets] == [
        (SSCC, "assigned", "D12"), ("376130321109103437", "unrouted", None),
    ]
    assigned = (await client.get("/api/v1/pallets", params={"state": "assigned"})).json()
    assert [p["sscc"] for p in assigned] == [SSCC]
    one = (await client.get(f"/api/v1/pallets/{SSCC}")).json()
    assert one["trailer"] == "T-LYON-1"


async def test_unknown_pallet_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/pallets/000000000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "No pallet with SSCC '000000000000000000' has been scanned at t",
    }


async def test_wrong_type_names_the_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/events", params={"after": "yesterday"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Unprocessable Content"
    assert body["detail"] == "query.after: Input should be a valid integer, unable to parse string as an integer"


async def test_events_and_stats(client: httpx.AsyncClient) -> None:
    events = (await client.get("/api/v1/events", params={"after": 1})).json()
    assert [(e["id"], e["kind"], e["seq"]) for e in events] == [(2, "scan", 2)]
    assert events[0]["body"]["answer"]["display"] == "unknown ship-to 06000"
    assert (await client.get("/api/v1/stats")).json() == {
        "applied": 2, "assigned_direct": 1, "staged": 0, "breakdown": 0, "rejected": 1,
        "uplink_rejected": {}, "uplink_rejected_by_edge": {},
        "clock_skew": 0, "offline_kept": 0, "offline_corrected": 0, "seq_conflicts": 0,
        "since_start": {"duplicates": 0, "uplink_duplicates": 0, "uplinks_received": 0, "uplink_rejected": {}},
    }


async def test_openapi_documents_the_read_api(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert set(schema["paths"]) >= {
        "/api/v1/site", "/api/v1/doors", "/api/v1/trailers", "/api/v1/pallets", "/api/v1/pallets/{sscc}",
        "/api/v1/events", "/api/v1/stats", "/api/v1/edges", "/api/v1/alerts", "/healthz",
    }
    assert "PalletOut" in schema["components"]["schemas"]

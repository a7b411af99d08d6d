"""Outbound trailers over the API: announced by a supervisor, refused as problem+json naming the field,
listed with what was announced, and departed by the override route as the site file's trailers are.

The site (see :mod:`support.access_site`): T-LYON-1 at D12 (1 position, pallet A aboard) and T-LYON-2
at D14 (pallet B), outbound doors D15 free; destinations LYON and PARIS; staging S1. 08:00 in Paris.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from support.access_site import PALLET_B, Floor, open_floor, scan

PALLET_P = "376130321109103444"
ANNOUNCE = {"id": "T-PARIS-1", "destination": "PARIS", "door": "D15", "departure": "2026-11-23T18:00:00+01:00",
            "capacity_pallets": 12}


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    await f.close()


async def test_a_supervisor_announces_a_trailer_and_staged_pallets_take_it_at_once(floor: Floor) -> None:
    scan(floor.site, 3, PALLET_P, "75001")
    assert floor.site.state.pallets[PALLET_P].state == "staged"  # no trailer for PARIS yet
    refused = await floor.http.post("/api/v1/trailers", json=ANNOUNCE, headers=floor.as_("wanda"))
    assert refused.status_code == 403
    made = await floor.http.post("/api/v1/trailers", json=ANNOUNCE | {"reefer": True}, headers=floor.as_("sam"))
    assert made.status_code == 201
    assert made.json() == {
        "id": "T-PARIS-1", "door": "D15", "destination": "PARIS", "destination_name": "Paris",
        "capacity_pallets": 12, "capacity_kg": 24000.0, "reefer": True, "accepts_hazmat": True,
        "assigned_pallets": 1, "loaded_pallets": 0, "loaded_by": {"scan": 0, "rfid": 0},
        "departure": "2026-11-23T18:00:00+01:00", "departed": False, "announced_at": "2026-11-23T07:00:00Z",
        "announced_by": "sam",
    }
    pallet = (await floor.http.get(f"/api/v1/pallets/{PALLET_P}", headers=floor.as_("wanda"))).json()
    assert (pallet["state"], pallet["trailer"], pallet["door"]) == ("assigned", "T-PARIS-1", "D15")
    listed = (await floor.http.get("/api/v1/trailers", headers=floor.as_("wanda"))).json()
    assert [(t["id"], t["door"], t["announced_by"]) for t in listed] == [
        ("T-LYON-1", "D12", None), ("T-LYON-2", "D14", None), ("T-PARIS-1", "D15", "sam")]
    doors = (await floor.http.get("/api/v1/doors", headers=floor.as_("wanda"))).json()
    assert next(d["trailers"] for d in doors if d["id"] == "D15") == ["T-PARIS-1"]


@pytest.mark.parametrize(("change", "status", "field_name", "detail"), [
    ({"id": "T-LYON-2"}, 409, "id", "trailer T-LYON-2 exists already at t"),
    ({"door": "D14"}, 409, "door", "door D14 is taken by trailer T-LYON-2"),
    ({"destination": "NICE"}, 422, "destination",
     "destination 'NICE' is not one of the site's (destinations: LYON, PARIS)"),
    ({"door": "D99"}, 422, "door", "door 'D99' does not exist at t (outbound: D12, D14, D15)"),
    ({"door": "D1"}, 422, "door", "door D1 is not an outbound door (outbound: D12, D14, D15)"),
    ({"departure": "2026-11-23T07:59:00+01:00"}, 422, "departure",
     "departure 2026-11-23T07:59:00+01:00 is not after the site's clock (2026-11-23T07:00:00+00:00)"),
    ({"departure": "2026-11-23T18:00:00"}, 422, "departure", "body.departure: Input should have timezone info"),
    ({"capacity_pallets": "12"}, 422, "capacity_pallets", "body.capacity_pallets: Input should be a valid integer"),
    ({"capacity_pallets": 101}, 422, "capacity_pallets",
     "body.capacity_pallets: Input should be less than or equal to 100"),
    ({"id": "T/1"}, 422, "id", "body.id: Invalid id 'T/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
])
async def test_a_refused_announcement_is_a_problem_naming_the_field(
    floor: Floor, change: dict[str, Any], status: int, field_name: str, detail: str,
) -> None:
    response = await floor.http.post("/api/v1/trailers", json=ANNOUNCE | change, headers=floor.as_("sam"))
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (response.status_code, body["field"], body["detail"]) == (status, field_name, detail)
    assert sorted(floor.site.state.trailers) == ["T-LYON-1", "T-LYON-2"]


async def test_an_announced_trailer_moves_and_departs_by_the_override_routes(floor: Floor) -> None:
    sam = floor.as_("sam")
    assert (await floor.http.post("/api/v1/trailers", json=ANNOUNCE | {"destination": "LYON", "id": "T-LYON-3"},
                                  headers=sam)).status_code == 201
    gone = await floor.http.post("/api/v1/trailers/T-LYON-2/depart", headers=sam)
    # B had T-LYON-2; it is staged by the departure, then re-matched at once to the announced T-LYON-3.
    assert gone.json() == {"kind": "override_trailer_departed", "by": "sam", "changed": {PALLET_B: "S1"},
                           "rematched": {PALLET_B: "T-LYON-3"}}
    moved = await floor.http.post("/api/v1/trailers/T-LYON-3/move", json={"door": "D14"}, headers=sam)
    assert moved.json() == {"kind": "override_trailer_moved", "by": "sam", "changed": {PALLET_B: "T-LYON-3"},
                            "rematched": {}}
    left = await floor.http.post("/api/v1/trailers/T-LYON-3/depart", headers=sam)
    assert (left.status_code, left.json()["changed"]) == (200, {PALLET_B: "S1"})
    assert (await floor.http.get("/api/v1/overrides", headers=sam)).json() == {
        "closed_doors": [], "trailer_doors": {"T-LYON-3": "D14"}, "departed": ["T-LYON-2", "T-LYON-3"]}

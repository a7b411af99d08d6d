"""A supervisor's overrides over the API: the dispatcher's rules, problem+json naming the field, the
audit event with who and what, the change visible in the read API, and overrides kept across a restart.

Pallet A (Lyon) is on T-LYON-1 at D12 (1 position), pallet B on T-LYON-2 at D14, when each test starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from support.access_site import PALLET_A, PALLET_B, Floor, open_floor


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    await f.close()


async def _last_event(floor: Floor) -> dict[str, Any]:
    events = (await floor.http.get("/api/v1/events", params={"limit": 1000}, headers=floor.as_("sam"))).json()
    return dict(events[-1])


async def _trailer(floor: Floor, trailer_id: str) -> dict[str, Any]:
    trailers = (await floor.http.get("/api/v1/trailers", headers=floor.as_("wanda"))).json()
    return next(dict(t) for t in trailers if t["id"] == trailer_id)


async def test_a_full_trailer_refuses_a_forced_pallet(floor: Floor) -> None:
    response = await floor.http.post(f"/api/v1/pallets/{PALLET_B}/assign", json={"trailer": "T-LYON-1"},
                                     headers=floor.as_("sam"))
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {"type": "about:blank", "title": "Conflict", "status": 409,
                               "detail": "trailer T-LYON-1 is full (1/1)", "field": "trailer"}
    assert floor.site.state.pallets[PALLET_B].trailer == "T-LYON-2"


async def test_forcing_pallets_goes_through_the_dispatcher_and_is_audited(floor: Floor) -> None:
    sam = floor.as_("sam")
    moved = await floor.http.post(f"/api/v1/pallets/{PALLET_A}/assign", json={"trailer": "T-LYON-2"}, headers=sam)
    assert moved.json() == {"kind": "override_pallet_assigned", "by": "sam", "changed": {PALLET_A: "T-LYON-2"},
                            "rematched": {}}
    now_fits = await floor.http.post(f"/api/v1/pallets/{PALLET_B}/assign", json={"trailer": "T-LYON-1"},
                                     headers=sam)
    assert now_fits.status_code == 200
    event = await _last_event(floor)
    assert (event["kind"], event["sscc"], event["body"]) == (
        "override_pallet_assigned", PALLET_B, {"by": "sam", "sscc": PALLET_B, "trailer": "T-LYON-1",
                                               "changed": {PALLET_B: "T-LYON-1"}},
    )
    pallet = (await floor.http.get(f"/api/v1/pallets/{PALLET_B}", headers=sam)).json()
    assert (pallet["state"], pallet["trailer"], pallet["door"]) == ("assigned", "T-LYON-1", "D12")
    assert (await _trailer(floor, "T-LYON-1"))["assigned_pallets"] == 1


async def test_unknown_pallet_and_trailer_name_the_field(floor: Floor) -> None:
    sam = floor.as_("sam")
    pallet = await floor.http.post("/api/v1/pallets/000000000000000000/assign", json={"trailer": "T-LYON-1"},
                                   headers=sam)
    assert (pallet.status_code, pallet.json()["field"], pallet.json()["detail"]) == (
        404, "sscc", "pallet 000000000000000000 has not been scanned at t")
    trailer = await floor.http.post(f"/api/v1/pallets/{PALLET_A}/assign", json={"trailer": "T-NICE-9"}, headers=sam)
    assert (trailer.status_code, trailer.json()["field"], trailer.json()["detail"]) == (
        404, "trailer", "trailer T-NICE-9 is not planned today at t")
    again = await floor.http.post(f"/api/v1/pallets/{PALLET_A}/assign", json={"trailer": "T-LYON-1"}, headers=sam)
    assert (again.status_code, again.json()["detail"]) == (
        409, f"pallet {PALLET_A} is assigned to trailer T-LYON-1 already")


async def test_moving_a_trailer_takes_its_pallets_along(floor: Floor) -> None:
    sam = floor.as_("sam")
    taken = await floor.http.post("/api/v1/trailers/T-LYON-1/move", json={"door": "D14"}, headers=sam)
    assert (taken.status_code, taken.json()["field"], taken.json()["detail"]) == (
        409, "door", "door D14 is taken by trailer T-LYON-2")
    inbound = await floor.http.post("/api/v1/trailers/T-LYON-1/move", json={"door": "D1"}, headers=sam)
    assert (inbound.status_code, inbound.json()["detail"]) == (409, "door D1 is not an outbound door")
    moved = await floor.http.post("/api/v1/trailers/T-LYON-1/move", json={"door": "D15"}, headers=sam)
    assert moved.json() == {"kind": "override_trailer_moved", "by": "sam", "changed": {PALLET_A: "T-LYON-1"},
                            "rematched": {}}
    assert (await _trailer(floor, "T-LYON-1"))["door"] == "D15"
    assert (await floor.http.get(f"/api/v1/pallets/{PALLET_A}", headers=sam)).json()["door"] == "D15"
    event = await _last_event(floor)
    assert event["body"] == {"by": "sam", "trailer": "T-LYON-1", "from": "D12", "door": "D15",
                             "changed": {PALLET_A: "T-LYON-1"}}


async def test_closing_a_door_stages_its_pallets_and_opening_it_again(floor: Floor) -> None:
    sam = floor.as_("sam")
    closed = await floor.http.post("/api/v1/doors/D12/close", headers=sam)
    assert closed.json() == {"kind": "override_door_closed", "by": "sam", "changed": {PALLET_A: "S1"},
                             "rematched": {}}
    assert (await floor.http.get(f"/api/v1/pallets/{PALLET_A}", headers=sam)).json()["state"] == "staged"
    assert (await floor.http.get("/api/v1/overrides", headers=sam)).json() == {
        "closed_doors": ["D12"], "trailer_doors": {}, "departed": []}
    twice = await floor.http.post("/api/v1/doors/D12/close", headers=sam)
    assert (twice.status_code, twice.json()["field"], twice.json()["detail"]) == (
        409, "door", "door D12 is already closed")
    forced = await floor.http.post(f"/api/v1/pallets/{PALLET_A}/assign", json={"trailer": "T-LYON-1"}, headers=sam)
    assert (forced.status_code, forced.json()["detail"]) == (409, "trailer T-LYON-1 is at closed door D12")
    unknown = await floor.http.post("/api/v1/doors/D99/open", headers=sam)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "door D99 does not exist at t")
    opened = await floor.http.post("/api/v1/doors/D12/open", headers=sam)
    # T-LYON-1 has room again at once: the staged pallet goes back to it, without waiting for a re-plan
    assert opened.json() == {"kind": "override_door_opened", "by": "sam", "changed": {},
                             "rematched": {PALLET_A: "T-LYON-1"}}
    events = (await floor.http.get("/api/v1/events", params={"limit": 1000}, headers=sam)).json()
    assert [(e["kind"], e["body"]) for e in events[-2:]] == [
        ("override_door_opened", {"by": "sam", "door": "D12", "changed": {}}),
        ("rematched", {"changed": {PALLET_A: "T-LYON-1"}}),
    ]
    pallet = (await floor.http.get(f"/api/v1/pallets/{PALLET_A}", headers=sam)).json()
    assert (pallet["state"], pallet["trailer"], pallet["door"]) == ("assigned", "T-LYON-1", "D12")


async def test_a_departed_trailer_takes_no_more_pallets(floor: Floor) -> None:
    sam = floor.as_("sam")
    gone = await floor.http.post("/api/v1/trailers/T-LYON-2/depart", headers=sam)
    assert gone.json() == {"kind": "override_trailer_departed", "by": "sam", "changed": {PALLET_B: "S1"},
                           "rematched": {}}  # T-LYON-1 is full
    assert (await _trailer(floor, "T-LYON-2"))["departed"] is True
    again = await floor.http.post("/api/v1/trailers/T-LYON-2/depart", headers=sam)
    assert (again.status_code, again.json()["field"], again.json()["detail"]) == (
        409, "trailer", "trailer T-LYON-2 has departed already")
    staged = (await floor.http.get("/api/v1/pallets", params={"state": "staged"}, headers=sam)).json()
    assert [p["sscc"] for p in staged] == [PALLET_B]


async def test_overrides_stand_after_a_restart(tmp_path: Path) -> None:
    first = open_floor(tmp_path / "c.db")
    async with first.http:
        sam = first.as_("sam")
        assert (await first.http.post("/api/v1/doors/D12/close", headers=sam)).status_code == 200
        assert (await first.http.post("/api/v1/trailers/T-LYON-2/depart", headers=sam)).status_code == 200
    await first.close()
    again = open_floor(tmp_path / "c.db", auth=None)
    assert again.site.closed_doors() == {"D12"}
    assert set(again.site.standing_overrides().departed) == {"T-LYON-2"}
    assert again.site.state.trailers["T-LYON-2"].departed is True
    assert {s: (r.state, r.target) for s, r in again.site.state.pallets.items()} == {
        PALLET_A: ("staged", "S1"), PALLET_B: ("staged", "S1")}
    await again.close()


async def test_acknowledging_an_alert(floor: Floor) -> None:
    sam = floor.as_("sam")
    raised = floor.alerts.raise_alert("edge_offline", "e1", floor.site.clock.now(), "edge e1 silent for 20 s")
    assert raised is not None
    refused = await floor.http.post(f"/api/v1/alerts/{raised.id}/acknowledge", headers=floor.as_("wanda"))
    assert refused.status_code == 403
    acked = await floor.http.post(f"/api/v1/alerts/{raised.id}/acknowledge", headers=sam)
    assert acked.json() == {"id": raised.id, "state": "acknowledged", "acknowledged_by": "sam",
                            "acknowledged_at": "2026-11-23T07:00:00Z"}
    [listed] = (await floor.http.get("/api/v1/alerts", headers=sam)).json()
    assert (listed["state"], listed["acknowledged_by"]) == ("acknowledged", "sam")
    twice = await floor.http.post(f"/api/v1/alerts/{raised.id}/acknowledge", headers=sam)
    assert (twice.status_code, twice.json()["field"], twice.json()["detail"]) == (
        409, "alert_id", f"alert {raised.id} was acknowledged by sam at 2026-11-23T07:00:00+00:00")
    event = await _last_event(floor)
    assert (event["kind"], event["body"]["by"], event["body"]["alert"]) == ("alert_acknowledged", "sam", raised.id)
    floor.alerts.clear("edge_offline", "e1", floor.site.clock.now())
    [cleared] = (await floor.http.get("/api/v1/alerts", headers=sam)).json()
    assert (cleared["state"], cleared["acknowledged_by"]) == ("cleared", "sam")
    late = await floor.http.post(f"/api/v1/alerts/{raised.id}/acknowledge", headers=sam)
    assert (late.status_code, late.json()["detail"]) == (409, f"alert {raised.id} is cleared since "
                                                              "2026-11-23T07:00:00+00:00")
    missing = await floor.http.post("/api/v1/alerts/999/acknowledge", headers=sam)
    assert (missing.status_code, missing.json()["detail"]) == (404, "alert 999 does not exist")

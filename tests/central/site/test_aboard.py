"""A pallet confirmed loaded is frozen: re-plans, rematches and overrides leave it aboard its trailer,
a departed trailer takes it along, and a restart keeps it so.

Site of ``access_site``: pallet A (Lyon) on T-LYON-1 at D12 (1 position, leaves 16:40 Paris), pallet B
on T-LYON-2 at D14 (leaves 18:00).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from support.access_site import PALLET_A, PALLET_B, SITE, START, Floor, open_floor, scan
from xdock.central.alerts.book import Alerts
from xdock.central.optimiser.dispatcher import Dispatcher
from xdock.central.optimiser.replan import replan
from xdock.central.optimiser.validation import validate
from xdock.central.site.aboard import NotAboardError, confirm_aboard
from xdock.central.site.floor_view import floor_from
from xdock.central.site.parts import SiteParts
from xdock.central.site.state import SiteState
from xdock.protocol.clock import ManualClock

PALLET_C = "376130321109103444"


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    yield f
    await f.close()


def _parts(floor: Floor) -> SiteParts:
    """The site's parts as the site core builds them, over the floor's store as it is now."""
    state = SiteState(SITE, START.date())
    state.load(floor.store.pallets())
    return SiteParts(SITE, state, floor.store, Dispatcher(floor_from(state)), Alerts(floor.store), floor.site.clock)


async def _load(floor: Floor, sscc: str, at: str) -> httpx.Response:
    return await floor.http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": sscc, "at": at},
                                 headers=floor.as_("wanda"))


async def test_a_loaded_pallet_is_listed_loaded_and_cannot_be_forced_elsewhere(floor: Floor) -> None:
    loaded = await _load(floor, PALLET_A, "D12")
    assert (loaded.status_code, loaded.json()["message"]) == (200, "Loaded on T-LYON-1 to Lyon")
    sam = floor.as_("sam")
    listed = (await floor.http.get("/api/v1/pallets", params={"state": "loaded"}, headers=sam)).json()
    assert [(p["sscc"], p["state"], p["trailer"], p["door"]) for p in listed] == [
        (PALLET_A, "loaded", "T-LYON-1", "D12")]
    forced = await floor.http.post(f"/api/v1/pallets/{PALLET_A}/assign", json={"trailer": "T-LYON-2"}, headers=sam)
    assert forced.status_code == 409
    assert forced.headers["content-type"] == "application/problem+json"
    assert forced.json() == {"type": "about:blank", "title": "Conflict", "status": 409, "field": "sscc",
                             "detail": f"pallet {PALLET_A} is loaded aboard trailer T-LYON-1: "
                                       "it cannot be sent elsewhere"}
    again = await _load(floor, PALLET_A, "D12")
    assert (again.status_code, again.json()["ok"]) == (200, True)
    assert [e.kind for e in floor.store.events()].count("loaded") == 1
    scan(floor.site, 3, PALLET_A, "69001")  # scanned again at the inbound door: still aboard
    row = floor.site.state.pallets[PALLET_A]
    assert (row.state, row.trailer, row.door) == ("loaded", "T-LYON-1", "D12")
    assert PALLET_A not in floor.site.plan().moves


@pytest.mark.parametrize(("aboard", "expected"), [(False, ("assigned", "T-LYON-2")), (True, ("loaded", "T-LYON-1"))])
async def test_a_loaded_pallet_survives_a_replan_that_moves_the_others(
    floor: Floor, aboard: bool, expected: tuple[str, str]
) -> None:
    site = floor.site
    if aboard:
        assert (await _load(floor, PALLET_A, "D12")).json()["ok"] is True
    clock = site.clock
    assert isinstance(clock, ManualClock)
    clock.advance((timedelta(hours=8, minutes=30)).total_seconds())  # 16:30 Paris: T-LYON-1 leaves too soon
    now = clock.now()
    site.rematch()
    floor_now, current = site.floor(), site.plan()
    plan = replan(floor_now, current, now, time_limit=5.0)
    assert validate(floor_now, plan, now) == []
    assert (PALLET_A in plan.moves) is not aboard
    changed = site.adopt_plan(plan)
    row = site.state.pallets[PALLET_A]
    assert ((row.state, row.trailer), changed) == (expected, 0 if aboard else 1)
    assert site.state.pallets[PALLET_B].trailer == "T-LYON-2"
    assert site.state.trailers["T-LYON-1"].pallets == ({PALLET_A} if aboard else set())


async def test_a_departed_trailer_keeps_its_loaded_pallets_and_the_rest_go_elsewhere(tmp_path: Path) -> None:
    first = open_floor(tmp_path / "c.db")
    try:
        scan(first.site, 3, PALLET_C, "69003")  # T-LYON-1 is full: C goes to T-LYON-2 with B
        assert first.site.state.pallets[PALLET_C].trailer == "T-LYON-2"
        assert (await _load(first, PALLET_B, "D14")).json()["ok"] is True
        gone = await first.http.post("/api/v1/trailers/T-LYON-2/depart", headers=first.as_("sam"))
        assert gone.json() == {"kind": "override_trailer_departed", "by": "sam", "changed": {PALLET_C: "S1"},
                               "rematched": {}}  # T-LYON-1 is full
        event = first.store.events(after=0, limit=1000)[-1]
        assert event.body == {"by": "sam", "trailer": "T-LYON-2", "door": "D14", "destination": "LYON", "loaded": 2,
                              "aboard": 1, "pallets_aboard": [PALLET_B], "pallets_left": [PALLET_C], "readings": [],
                              "changed": {PALLET_C: "S1"}}
        assert first.site.rematch() == 0
        late = await _load(first, PALLET_C, "D14")
        assert (late.status_code, late.json()["detail"]) == (
            409, f"sscc: pallet {PALLET_C} is staged (sent to S1), not assigned to a trailer")
    finally:
        await first.close()

    again = open_floor(tmp_path / "c.db", auth=None)
    rows = {s: (r.state, r.trailer, r.target) for s, r in again.site.state.pallets.items()}
    assert rows == {PALLET_A: ("assigned", "T-LYON-1", "T-LYON-1"), PALLET_B: ("loaded", "T-LYON-2", "T-LYON-2"),
                    PALLET_C: ("staged", None, "S1")}
    assert again.site.floor().pallets[PALLET_B].frozen
    assert again.site.state.trailers["T-LYON-2"].pallets == {PALLET_B}
    await again.close()


async def test_only_a_pallet_assigned_to_a_trailer_can_be_aboard(floor: Floor) -> None:
    with pytest.raises(NotAboardError, match=r"^pallet 000000000000000000 has not been scanned at t$"):
        confirm_aboard(_parts(floor), "000000000000000000", START, {})
    assert (await floor.http.post("/api/v1/doors/D14/close", headers=floor.as_("sam"))).status_code == 200
    with pytest.raises(NotAboardError, match=rf"^pallet {PALLET_B} is staged, not assigned to a trailer$"):
        confirm_aboard(_parts(floor), PALLET_B, START, {})

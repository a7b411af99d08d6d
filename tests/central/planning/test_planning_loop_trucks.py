"""Inbound trucks in a re-plan round: each waiting truck gets the plan's door as its suggested door."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.central_rig import api_client, built_central
from support.sites import inbound, outbound, site_config, trailer
from xdock.central.app import Central
from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.planning.replanner import Replanner
from xdock.protocol.clock import ManualClock

# Three inbound doors in a row; the Lyon trailer loads right across from D3, so a truck of Lyon pallets
# is best unloaded at D3, 10 m from it (D1: 210 m, D2: 110 m).
SITE = site_config(
    timezone="UTC",
    doors=[inbound(), inbound("D2", 100, 0), inbound("D3", 200, 0), outbound("DL", 200, 10)],
    trailers=[trailer(door="DL")],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ETA = START + timedelta(minutes=40)


@pytest.fixture
async def central(tmp_path: Path) -> AsyncIterator[Central]:
    central = built_central(SITE, tmp_path / "c.db", ManualClock(START))
    yield central
    await central.aclose()


@pytest.fixture
async def replanner() -> AsyncIterator[Replanner]:
    async with Replanner(time_limit=1.0) as planner:
        yield planner


async def test_a_waiting_truck_is_suggested_the_door_across_from_its_trailer(
    central: Central, replanner: Replanner
) -> None:
    site = central.site
    clock = site.clock
    assert isinstance(clock, ManualClock)
    # At D2 since 07:00 with 60 pallets: holds it until 08:10, while the others unload.
    site.announce_truck("IN-0", eta=START, pallets=60, destinations={"LYON": 60}, by="wms")
    site.truck_arrived("IN-0", "D2", by="yard")
    site.announce_truck("IN-1", eta=ETA, pallets=18, door="D1", destinations={"LYON": 18}, by="wms")
    site.announce_truck("IN-2", eta=ETA, pallets=5, destinations={}, by="wms")  # no flow known: any free door
    loop = PlanningLoop(site, replanner, site.clock, interval=30)
    result = await loop.run_once()
    assert (result.version, result.suggested) == (1, 2)
    assert [(t.id, t.state, t.door, t.suggested_door) for t in site.inbound_trucks()] == [
        ("IN-0", "arrived", "D2", None),  # docked: keeps its door, nothing to suggest
        ("IN-1", "waiting", "D1", "D3"),  # the yard said D1; the plan moved it, the yard's word stays
        ("IN-2", "waiting", None, "D1"),  # D2 is held, D3 taken by IN-1
    ]
    assert site.plan().truck_doors == {"IN-0": "D2", "IN-1": "D3", "IN-2": "D1"}
    [event] = [e for e in central.store.events() if e.kind == "inbound_doors_suggested"]
    assert event.body == {"version": 1, "doors": {"IN-1": "D3", "IN-2": "D1"}}
    async with api_client(central) as api:
        listed = (await api.get("/api/v1/inbound-trucks?state=waiting")).json()
    assert [(t["id"], t["door"], t["suggested_door"]) for t in listed] == [("IN-1", "D1", "D3"), ("IN-2", None, "D1")]

    # Nothing changed: no round is due, and another one suggests nothing new.
    assert not loop.due()
    assert (await loop.run_once()).suggested == 0
    # At 07:40 IN-1 arrives where the yard sent it after all: its suggestion goes, the plan follows the real
    # door, and IN-2 (due now too) moves to the one door left free.
    clock.advance(40 * 60)
    site.truck_arrived("IN-1", "D1", by="yard")
    assert loop.due()
    result = await loop.run_once()
    assert [(t.id, t.state, t.door, t.suggested_door) for t in site.inbound_trucks()] == [
        ("IN-0", "arrived", "D2", None), ("IN-1", "arrived", "D1", None), ("IN-2", "waiting", None, "D3"),
    ]
    assert (result.version, result.suggested) == (3, 1)


async def test_unloaded_trucks_leave_the_plan(central: Central, replanner: Replanner) -> None:
    site = central.site
    site.announce_truck("IN-0", eta=START, pallets=6, destinations={"LYON": 6}, by="wms")
    site.truck_arrived("IN-0", "D1", by="yard")
    loop = PlanningLoop(site, replanner, site.clock, interval=30)
    await loop.run_once()
    assert site.plan().truck_doors == {"IN-0": "D1"}
    site.truck_unloaded("IN-0", by="yard")
    assert loop.due()
    await loop.run_once()
    assert site.plan().truck_doors == {}

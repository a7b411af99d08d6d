"""The replanner runs the re-plan in a real worker process and leaves none behind."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from xdock.central.optimiser.plan import Plan
from xdock.central.optimiser.replan import replan
from xdock.central.optimiser.schema import Area, Door, Floor, InboundTruck, Pallet, Trailer
from xdock.central.optimiser.validation import validate
from xdock.central.planning.replanner import ReplanError, Replanner, with_floor_trucks

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def small_floor() -> Floor:
    doors = {f"D{i}": Door(f"D{i}", 10.0 * i, 0.0, inbound=i < 3, outbound=i >= 3) for i in range(10)}
    trailers = {
        "T1": Trailer("T1", "LYON", None, 4, 24_000.0, NOW + timedelta(hours=3)),
        "T2": Trailer("T2", "PARIS", "D9", 4, 24_000.0, NOW + timedelta(hours=2), reefer=True, docked=True),
        "T3": Trailer("T3", "LYON", None, 4, 24_000.0, NOW + timedelta(hours=5), loading_from=NOW),
    }
    pallets = {
        f"P{i}": Pallet(f"P{i}", ("LYON",) if i % 3 else ("PARIS",), f"D{i % 3}", weight_kg=300.0)
        for i in range(10)
    }
    trucks = {"K1": InboundTruck("K1", NOW + timedelta(minutes=20), timedelta(minutes=30), {"LYON": 8, "PARIS": 3})}
    areas = {"S": Area("S", "staging", 0.0, 30.0, "frozen")}
    return Floor(doors, areas, trailers, pallets, trucks)


class _Crash:
    """Unpickles as a call that ends the process at once: the worker dies receiving the floor."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (os._exit, (3,))


@pytest.fixture
async def replanner() -> AsyncIterator[Replanner]:
    async with Replanner(time_limit=1.0) as r:
        yield r
    assert multiprocessing.active_children() == []


async def test_the_worker_returns_the_same_plan_as_the_call_in_process(replanner: Replanner) -> None:
    floor = small_floor()
    here = replan(floor, Plan(version=3), NOW, time_limit=1.0, seed=0)
    there = await replanner.replan(floor, Plan(version=3), NOW)
    assert there == here
    assert there.version == 4
    assert validate(floor, there, NOW) == []
    again = await replanner.replan(floor, there, NOW)
    assert again.version == 5
    assert again.cost_m <= there.cost_m


async def test_a_dead_worker_is_a_clear_error_and_the_next_replan_works(replanner: Replanner) -> None:
    floor = small_floor()
    poisoned = replace(floor, pallets={**floor.pallets, "X": _Crash()})  # type: ignore[dict-item]
    with pytest.raises(ReplanError, match=r"Re-plan of plan version 3 failed: the worker process died"):
        await replanner.replan(poisoned, Plan(version=3), NOW)
    plan = await replanner.replan(floor, Plan(version=3), NOW)
    assert validate(floor, plan, NOW) == []


async def test_the_worker_yields_the_cores_to_central(replanner: Replanner) -> None:
    await replanner.replan(small_floor(), Plan(version=0), NOW)
    [worker] = multiprocessing.active_children()
    assert worker.pid is not None
    assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, os.nice(0) + 10)


async def test_aclose_leaves_no_process_and_refuses_more_work() -> None:
    r = Replanner(time_limit=0.5)
    await r.replan(small_floor(), Plan(version=0), NOW)
    assert len(multiprocessing.active_children()) == 1
    await r.aclose()
    assert multiprocessing.active_children() == []
    with pytest.raises(ReplanError, match="closed"):
        await r.replan(small_floor(), Plan(version=0), NOW)


def test_truck_doors_merged_with_the_floor_docked_door_wins_gone_trucks_dropped() -> None:
    floor = small_floor()
    k1 = floor.trucks["K1"]
    trucks = {"K1": k1, "K2": replace(k1, id="K2", door="D1", docked=True), "K3": replace(k1, id="K3")}
    plan = Plan(4, truck_doors={"K1": "D2", "K2": "D0", "K9": "D0"})
    merged = with_floor_trucks(replace(floor, trucks=trucks), plan)
    assert (merged.version, merged.truck_doors) == (4, {"K1": "D2", "K2": "D1"})
    same = Plan(4, truck_doors={"K1": "D2"})
    assert with_floor_trucks(floor, same) is same

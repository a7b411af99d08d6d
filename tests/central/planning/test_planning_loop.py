"""A background re-plan round in a real worker process, swapped in and stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.scans import scan as scan_event
from support.sites import inbound, outbound, site_config, trailer
from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.planning.replanner import Replanner
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import ScanEvent

# The instant decision is greedy: the first pallet takes the trailer nearest to it, the second the one
# left, 10 km away. Swapping them saves 2 km of travel, more than the two changed instructions cost.
SITE = site_config(
    timezone="UTC",
    rules={"change_penalty_m": 200, "balance_weight_m": 0},
    doors=[inbound(x=5000), inbound("D2"), outbound("DA", 4000, 0), outbound("DB", 10000, 0)],
    trailers=[trailer("A", "DA", capacity=1, departure="16:00"), trailer("B", "DB", capacity=1, departure="17:00")],
)
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def scan(seq: int, door: str) -> ScanEvent:
    return scan_event(seq, door=door, at=START)


@pytest.fixture
async def replanner() -> AsyncIterator[Replanner]:
    async with Replanner(time_limit=1.0) as planner:
        yield planner


async def test_a_round_swaps_in_the_better_plan_and_stores_it(tmp_path: Path, replanner: Replanner) -> None:
    clock = ManualClock(START)
    store = Store(tmp_path / "c.db")
    site = LiveSite(SITE, store, clock)
    loop = PlanningLoop(site, replanner, clock, interval=30)
    first, second = scan(1, "D1"), scan(2, "D2")
    assert site.apply_scan(first).reply.trailer == "A"
    assert site.apply_scan(second).reply.trailer == "B"
    result = await loop.run_once()
    assert (result.replanned, result.version) == (2, 1)
    assert {s: r.trailer for s, r in site.state.pallets.items()} == {first.sscc: "B", second.sscc: "A"}
    [event] = [e for e in store.events() if e.kind == "replanned"]
    assert event.body["changed"] == {first.sscc: "B", second.sscc: "A"}
    # A re-scan now gets the new instruction.
    assert site.apply_scan(scan(3, "D1").model_copy(update={"sscc": first.sscc})).reply.door == "DB"
    # Nothing better left: the next round changes nothing.
    assert (await loop.run_once()).replanned == 0


async def test_a_trailer_departed_or_announced_makes_a_round_due(tmp_path: Path, replanner: Replanner) -> None:
    clock = ManualClock(START)
    site = LiveSite(SITE, Store(tmp_path / "c.db"), clock)
    loop = PlanningLoop(site, replanner, clock, interval=30)
    await loop.run_once()
    assert not loop.due()
    site.depart_trailer("A", by="yard")
    assert loop.due()
    await loop.run_once()
    assert not loop.due()
    site.announce_trailer("A2", destination="LYON", door="DA", departure=START + timedelta(hours=8),
                          capacity_pallets=1, by="yard")
    assert loop.due()
    await loop.run_once()
    assert not loop.due()

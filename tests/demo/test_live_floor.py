"""The live policy's floor keeps central's books the engine's: a pallet put aboard is aboard in central too,
a trailer leaving with portal reports in flight leaves none behind, a trailer docking too late is not announced.

Site: D1 receives; T-LYON-1 loads at D12 (leaving 16:40, Paris time; the clock starts at 08:00 there); D13
ships too; S1 stages.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from support.scans import scan, sscc
from support.sites import outbound, site_config, staging
from xdock.central.site.departures import DepartureLog
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.demo.live_floor import LiveFloor
from xdock.demo.rfid import Portals, PortalStats
from xdock.demo.screen import DemoLog
from xdock.protocol.clock import ManualClock
from xdock.simulation.model import Co2Factors, Day, Fleet, OutboundTrailer
from xdock.simulators.pallet_labels import PalletLabels

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SITE = site_config(more_doors=[outbound("D13", 20, 30)], areas=[staging()])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveSite]:
    store = Store(tmp_path / "central.db")
    try:
        yield LiveSite(SITE, store, ManualClock(START))
    finally:
        store.close()


def _day() -> Day:
    return Day("t", 1, START, 600.0, SITE, Fleet(2, 2.0, 15.0), Co2Factors(0.0, 0.0), (), ())


def _floor(site: LiveSite, portals: Portals | None = None) -> LiveFloor:
    return LiveFloor(site, {}, PalletLabels(random.Random(1)), DemoLog(), portals)


def _portal_at_d12() -> Portals:
    readers = cast("dict[str, Any]", {"D12": None})  # load() only asks which doors have a portal
    return Portals(readers, {}, [], ManualClock(START), 7, 0.0, PortalStats())


def test_a_pallet_central_moved_during_the_trip_is_aboard_where_the_forklift_put_it(site: LiveSite) -> None:
    floor = _floor(site)
    pallet = sscc(1)
    site.apply_scan(scan(1, sscc=pallet, at=START))
    assert site.state.pallets[pallet].trailer == "T-LYON-1"
    site.announce_trailer("T-LYON-2", destination="LYON", door="D13", departure=START + timedelta(hours=3),
                          capacity_pallets=33, by="yard")
    site.assign_pallet(pallet, "T-LYON-2", by="sue")  # central sent it on while the forklift had it
    floor.load(pallet, "T-LYON-1")
    row = site.state.pallets[pallet]
    assert (row.state, row.trailer, row.door) == ("loaded", "T-LYON-1", "D12")


def test_a_trailer_leaving_with_portal_reports_in_flight_leaves_none_behind(site: LiveSite) -> None:
    floor = _floor(site, _portal_at_d12())
    pallets = [sscc(n) for n in (1, 2)]
    for seq, pallet in enumerate(pallets, start=1):
        site.apply_scan(scan(seq, sscc=pallet, at=START))
    floor.load(pallets[0], "T-LYON-1")  # through the portal: its passage is still on its way
    assert site.state.pallets[pallets[0]].state == "assigned"
    trailer = OutboundTrailer("T-LYON-1", "LYON", 0.0, 580.0, 33)
    floor.depart(_day(), trailer)
    log = DepartureLog(site.loads.tail)
    log.refresh()
    assert site.state.pallets[pallets[0]].state == "loaded"  # confirmed by the forklift as the trailer left
    assert log.left_behind() == {"T-LYON-1": 1}  # the other pallet was never brought


def test_a_trailer_getting_its_door_after_its_departure_is_not_announced(site: LiveSite) -> None:
    floor = _floor(site)
    clock = site.clock
    assert isinstance(clock, ManualClock)
    clock.advance(3600)
    late = OutboundTrailer("LYON-001", "LYON", 0.0, 50.0, 33)  # due to leave at 07:50 UTC, docking at 08:00
    assert floor.dock(_day(), late, "D13") == {}
    assert "LYON-001" not in site.state.trailers
    floor.depart(_day(), late)  # it leaves unannounced: nothing to tell central
    on_time = OutboundTrailer("LYON-002", "LYON", 0.0, 120.0, 33)
    floor.dock(_day(), on_time, "D13")
    assert site.state.trailers["LYON-002"].departure == START + timedelta(hours=2)

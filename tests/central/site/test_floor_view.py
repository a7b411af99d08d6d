"""Central's inbound trucks as the optimiser's Floor sees them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Literal

from support.lyon_site import SITE, START
from xdock.central.optimiser.schema import InboundTruck
from xdock.central.site.floor_view import floor_from, received_from, trucks_from
from xdock.central.site.state import SiteState
from xdock.central.store.database import InboundTruckRow, PalletRow

NOW = START + timedelta(hours=1)


def truck(
    truck_id: str, eta_h: float, state: Literal["waiting", "arrived", "unloaded"] = "waiting", *,
    door: str | None = None, destinations: dict[str, int] | None = None, arrived: bool = False,
) -> InboundTruckRow:
    return InboundTruckRow(
        truck_id, None, START + timedelta(hours=eta_h), 10, door, state, START, destinations=destinations,
        arrived_at=START if arrived else None, unloaded_at=START if state == "unloaded" else None,
    )


def test_waiting_and_arrived_trucks_join_the_floor_unloaded_ones_do_not() -> None:
    rows = [
        truck("LATE", 0.5, door="D1"),
        truck("SOON", 2, destinations={"LYON": 6}),
        truck("AT-D1", 0, "arrived", door="D1", destinations={}, arrived=True),
        truck("GONE", 0, "unloaded", door="D1", arrived=True),
    ]
    floor = floor_from(SiteState(SITE, START.date()), rows, now=NOW)
    twenty = timedelta(minutes=20)  # 10 min at the door plus 1 min per pallet
    assert floor.trucks == {
        "LATE": InboundTruck("LATE", NOW, twenty, {}, door="D1"),
        "SOON": InboundTruck("SOON", START + timedelta(hours=2), twenty, {"LYON": 6}),
        # Arrived an hour ago, not reported unloaded: holds its door until 10 min past now.
        "AT-D1": InboundTruck("AT-D1", START, timedelta(minutes=70), {}, door="D1", docked=True),
    }


def test_without_now_a_truck_keeps_its_eta_and_estimate() -> None:
    rows = [truck("LATE", 0.5, door="D1"), truck("AT-D1", 0, "arrived", door="D1", arrived=True)]
    floor = floor_from(SiteState(SITE, START.date()), rows)
    assert [(k.id, k.arrival, k.unload, k.docked) for k in floor.trucks.values()] == [
        ("LATE", START + timedelta(minutes=30), timedelta(minutes=20), False),
        ("AT-D1", START, timedelta(minutes=20), True),
    ]
    assert floor_from(SiteState(SITE, START.date())).trucks == {}


def _pallet(sscc: str, door: str, seen: datetime, destination: str | None = "LYON") -> PalletRow:
    return PalletRow(sscc, "assigned", destination, None, "T-LYON-1", "D12", door, seen, seen, 1)


def test_an_arrived_truck_plans_only_the_pallets_it_has_not_delivered_yet() -> None:
    arrived = truck("AT-D1", 0, "arrived", door="D1", destinations={"LYON": 6, "PARIS": 2}, arrived=True)
    waiting = truck("SOON", 2, door="D1", destinations={"LYON": 4})
    pallets = [
        _pallet("a", "D1", START + timedelta(minutes=1)),
        _pallet("b", "D1", START + timedelta(minutes=2)),
        _pallet("c", "D1", START - timedelta(minutes=5)),  # before the truck arrived: another truck's
        _pallet("d", "D2", START + timedelta(minutes=3)),  # at another door
        _pallet("e", "D1", START + timedelta(minutes=4), destination=None),  # no known destination
    ]
    assert received_from([arrived, waiting], pallets) == {"AT-D1": Counter({"LYON": 2, "": 1})}
    trucks = trucks_from([arrived, waiting], NOW, pallets)
    assert trucks["AT-D1"].pallets == {"LYON": 4, "PARIS": 2}
    assert trucks["SOON"].pallets == {"LYON": 4}  # a waiting truck delivered nothing yet
    more = [_pallet(f"x{i}", "D1", START + timedelta(minutes=10 + i)) for i in range(7)]
    assert trucks_from([arrived], NOW, pallets + more)["AT-D1"].pallets == {"LYON": 0, "PARIS": 2}

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from xdock.central.site.kpis import OnTime, TruckWaits, compute_kpis, on_time_departures, percentile, truck_waits
from xdock.central.site.state import TrailerState
from xdock.central.site_file.config import TrailerPlan
from xdock.central.store.database import InboundTruckRow, PalletRow

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
POSITIONS = {"D1": (0.0, 0.0), "D12": (4.5, 36.0), "D13": (9.0, 36.0), "S1": (9.0, 18.0)}


def _row(sscc: str, first_min: int, state: str = "assigned", *, assigned_min: int | None = None,
         door: str | None = "D12", target: str | None = "T1") -> PalletRow:
    first = NOW - timedelta(minutes=first_min)
    updated = first + timedelta(minutes=assigned_min or 0)
    return PalletRow(sscc=sscc, state=state, destination="LYON", ship_to="69001",  # type: ignore[arg-type]
                     trailer="T1" if state == "assigned" else None, door=door if state == "assigned" else None,
                     inbound_door="D1", first_seen=first, updated_at=updated, scans=1, target=target)


def _trailer(tid: str, door: str, pallets: set[str], departed: bool = False) -> TrailerState:
    plan = TrailerPlan(id=tid, door=door, destination="LYON", capacity_pallets=33, departure=time(16, 40))
    return TrailerState(plan, NOW + timedelta(hours=6), pallets=pallets, departed=departed)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 90) == 5.0
    assert percentile([7.0], 90) == 7.0
    with pytest.raises(ValueError, match="percentile of no values"):
        percentile([], 50)


def test_kpis_from_loaded_pallets() -> None:
    rows = [_row("a", 30), _row("b", 50), _row("c", 90), _row("s", 20, "staged", target="S1")]
    loaded = {"a": NOW - timedelta(minutes=10), "b": NOW - timedelta(minutes=20)}
    k = compute_kpis(rows, [_trailer("T1", "D12", {"a", "b", "c"}), _trailer("T2", "D13", set())],
                     outbound_doors=["D12", "D13"], positions=POSITIONS, loaded=loaded,
                     wrong_door_scans_stopped=2, portal_misloads=1, now=NOW)
    assert k.pallets_per_hour == 3  # "c" was first scanned 90 min ago
    assert (k.dock_to_dock_basis, k.dock_to_dock_count) == ("loaded", 2)
    assert (k.dock_to_dock_p50_min, k.dock_to_dock_p90_min) == (20.0, 30.0)
    assert (k.busy_doors, k.outbound_doors, k.door_utilisation) == (1, 2, 0.5)
    assert k.travel_m == 3 * 40.5 + 27.0  # rectilinear D1→D12 three times, D1→S1 once
    assert (k.wrong_door_scans_stopped, k.portal_misloads, k.loaded) == (2, 1, 2)
    assert k.series_start == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert k.bucket_minutes == 15
    assert k.series == (4.0, 0.0, 4.0, 0.0, 8.0, 0.0)  # 8:30 c, 9:10 b, 9:30 a and 9:40 s


def test_without_loads_dock_to_dock_runs_to_assignment() -> None:
    rows = [_row("a", 30, assigned_min=4), _row("b", 40, assigned_min=2), _row("u", 5, "unrouted", target=None)]
    k = compute_kpis(rows, [_trailer("T1", "D12", {"a", "b"}, departed=True)], outbound_doors=["D12"],
                     positions=POSITIONS, loaded={}, wrong_door_scans_stopped=0, portal_misloads=0, now=NOW)
    assert (k.dock_to_dock_basis, k.dock_to_dock_p50_min, k.dock_to_dock_p90_min) == ("assigned", 2.0, 4.0)
    assert (k.busy_doors, k.door_utilisation) == (0, 0.0)  # its trailer departed
    assert k.travel_m == 81.0


def test_empty_floor() -> None:
    k = compute_kpis([], [], outbound_doors=[], positions={}, loaded={}, wrong_door_scans_stopped=0, portal_misloads=0,
                     now=NOW)
    assert (k.pallets_per_hour, k.dock_to_dock_basis, k.dock_to_dock_p50_min) == (0, None, None)
    assert k.door_utilisation == 0.0
    assert k.series == (0.0,)


def _scheduled(tid: str, departure: datetime) -> TrailerState:
    plan = TrailerPlan(id=tid, door="D12", destination="LYON", capacity_pallets=33, departure=departure.time())
    return TrailerState(plan, departure, departed=True)


def test_on_time_departures_counts_todays_departure_overrides() -> None:
    due = NOW + timedelta(hours=1)  # 11:00
    trailers = [_scheduled(f"T{i}", due) for i in range(1, 8)] + [_scheduled("T-LATE", NOW - timedelta(hours=2))]
    departed_at = {
        "T1": due - timedelta(minutes=30), "T2": due, "T3": due - timedelta(hours=3),  # on time, T2 to the second
        "T4": due + timedelta(seconds=1),  # late by a second
        "T5": NOW - timedelta(days=1),  # yesterday: not counted
        "T-LATE": NOW,  # two hours late
        "T-GONE": NOW,  # not planned today: not counted
    }  # T6 and T7 not departed
    assert on_time_departures(trailers, departed_at, NOW) == OnTime(on_time=3, departed=5)
    assert OnTime(3, 5).share == 0.6
    k = compute_kpis([], trailers, outbound_doors=["D12"], positions=POSITIONS, loaded={}, wrong_door_scans_stopped=0,
                     portal_misloads=0,
                     now=NOW, departed_at=departed_at)
    assert (k.departed_on_time, k.departed_today, k.on_time_departures) == (3, 5, 0.6)


def test_on_time_departures_uses_the_site_date() -> None:
    paris = ZoneInfo("Europe/Paris")
    now = datetime(2026, 11, 23, 0, 30, tzinfo=paris)  # 23:30 UTC the day before
    trailers = [_scheduled("T1", datetime(2026, 11, 23, 6, 0, tzinfo=paris))]
    assert on_time_departures(trailers, {"T1": datetime(2026, 11, 22, 23, 15, tzinfo=UTC)}, now) == OnTime(1, 1)
    assert on_time_departures(trailers, {"T1": datetime(2026, 11, 22, 22, 59, tzinfo=UTC)}, now) == OnTime(0, 0)


def test_no_departures_yet() -> None:
    k = compute_kpis([], [_trailer("T1", "D12", set())], outbound_doors=["D12"], positions=POSITIONS, loaded={},
                     wrong_door_scans_stopped=0, portal_misloads=0, now=NOW)
    assert (k.departed_on_time, k.departed_today, k.on_time_departures) == (0, 0, None)
    assert OnTime(0, 0).share is None


def _truck(tid: str, eta_min: int, *, announced_min: int = -60, arrived_min: int | None = None) -> InboundTruckRow:
    arrived = None if arrived_min is None else NOW + timedelta(minutes=arrived_min)
    return InboundTruckRow(id=tid, carrier=None, eta=NOW + timedelta(minutes=eta_min), pallets=20, door=None,
                           state="waiting" if arrived is None else "arrived",
                           announced_at=NOW + timedelta(minutes=announced_min), arrived_at=arrived)


def test_truck_waits_run_from_the_eta_or_a_later_announcement_to_the_door() -> None:
    trucks = [
        _truck("early", -30, arrived_min=-40),  # at its door before its ETA: waited 0
        _truck("a", -50, arrived_min=-20),  # 30 min
        _truck("late-news", -50, announced_min=-30, arrived_min=-25),  # announced after its ETA: 5 min
        _truck("yesterday", -24 * 60, arrived_min=-23 * 60),  # not today: left out
        _truck("w1", -15),  # waiting 15 min
        _truck("w2", -7, announced_min=-9),  # waiting 7 min
        _truck("soon", 20),  # not due yet
    ]
    assert truck_waits(trucks, NOW) == TruckWaits(p90_min=30.0, waiting=2, longest_min=15.0)
    assert truck_waits([], NOW) == TruckWaits(None, 0, None)
    k = compute_kpis([], [], outbound_doors=[], positions={}, loaded={}, wrong_door_scans_stopped=0, portal_misloads=0,
                     now=NOW, trucks=trucks)
    assert (k.truck_wait_p90_min, k.trucks_waiting, k.longest_wait_min) == (30.0, 2, 15.0)


def test_late_pallets_are_those_left_behind_by_trailers_departed_today() -> None:
    trailers = [_trailer("T1", "D12", set()), _trailer("T2", "D13", set()), _trailer("T3", "D13", set())]
    departed_at = {"T1": NOW - timedelta(hours=1), "T2": NOW - timedelta(days=1), "T3": NOW + timedelta(hours=7)}
    k = compute_kpis([], trailers, outbound_doors=["D12", "D13"], positions=POSITIONS, loaded={},
                     wrong_door_scans_stopped=0, portal_misloads=0, now=NOW, departed_at=departed_at,
                     left_behind={"T1": 3, "T2": 5, "T3": 1})
    assert (k.departed_today, k.departed_on_time, k.late_departures, k.late_pallets) == (2, 1, 1, 4)

"""The instant decision on a small hand-built floor: exact trailer, door, kind and reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from xdock.central.optimiser.dispatcher import Dispatcher, NoPlaceError
from xdock.central.optimiser.plan import Move, Plan
from xdock.central.optimiser.schema import Area, Door, Floor, Pallet, Rules, Trailer
from xdock.central.optimiser.validation import validate

SITE = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=SITE)
DEP = datetime(2026, 11, 23, 16, 40, tzinfo=SITE)
RULES = Rules(segregate=frozenset({frozenset({"3", "5.1"})}))

DOORS = {
    "I1": Door("I1", 0.0, 0.0, inbound=True, outbound=False),
    "D1": Door("D1", 10.0, 0.0, inbound=False, outbound=True),
    "D2": Door("D2", 0.0, 10.0, inbound=False, outbound=True),
    "D3": Door("D3", 60.0, 0.0, inbound=False, outbound=True),
    "D4": Door("D4", 80.0, 0.0, inbound=False, outbound=True),
    "D5": Door("D5", 5.0, 0.0, inbound=False, outbound=True, open=False),
}
AREAS = {
    "S1": Area("S1", "staging", 0.0, 20.0),
    "S2": Area("S2", "staging", 50.0, 20.0, "chilled"),
    "B1": Area("B1", "breakdown", 8.0, 20.0),
}


def trailer(tid: str, door: str | None, dest: str = "LYON", **kw: object) -> Trailer:
    fields: dict[str, object] = {"capacity_pallets": 33, "capacity_kg": 24000.0, "departure": DEP} | kw
    return Trailer(tid, dest, door, **fields)  # type: ignore[arg-type]


def pallet(sscc: str, *dests: str, **kw: object) -> Pallet:
    fields: dict[str, object] = {"location": "I1", "weight_kg": 400.0} | kw
    return Pallet(sscc, tuple(dests), **fields)  # type: ignore[arg-type]


def loaded(sscc: str, on: Trailer, **kw: object) -> Pallet:
    return pallet(sscc, on.destination, state="loaded", trailer=on.id, location=on.door, **kw)


def dispatcher(trailers: list[Trailer], pallets: list[Pallet], areas: dict[str, Area] | None = None) -> Dispatcher:
    floor = Floor(DOORS, AREAS if areas is None else areas, {t.id: t for t in trailers},
                  {p.sscc: p for p in pallets}, rules=RULES)
    return Dispatcher(floor)


def scan(d: Dispatcher, p: Pallet) -> Move:
    d.put_pallet(p)
    move = d.decide(p.sscc, NOW)
    assert validate(d.floor, d.plan(), NOW) == []
    return move


def test_direct_goes_to_the_nearest_trailer_with_its_reason() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1"), trailer("T-LYON-2", "D3")], [])
    move = scan(d, pallet("P1", "LYON"))
    reason = "LYON · T-LYON-1 1/33 · 400/24000 kg · dep 16:40 · 10 m"
    assert move == Move("P1", "direct", "T-LYON-1", "D1", 10.0, reason)
    assert d.floor.pallets["P1"].trailer == "T-LYON-1"
    assert d.floor.pallets["P1"].instructed


def test_equal_travel_goes_to_the_emptier_trailer() -> None:
    full_ish = trailer("T-A", "D1")
    d = dispatcher([full_ish, trailer("T-B", "D2")], [loaded(f"L{i}", full_ish) for i in range(20)])
    move = scan(d, pallet("P1", "LYON"))
    assert (move.target, move.door, move.metres) == ("T-B", "D2", 10.0)
    assert move.reason == "LYON · T-B 1/33 · 400/24000 kg · dep 16:40 · 10 m"


def test_balance_never_outweighs_a_real_detour() -> None:
    near = trailer("T-A", "D1")
    d = dispatcher([near, trailer("T-B", "D3")], [loaded(f"L{i}", near) for i in range(30)])
    assert scan(d, pallet("P1", "LYON")).reason == "LYON · T-A 31/33 · 12400/24000 kg · dep 16:40 · 10 m"


@pytest.mark.parametrize("urgency", [{"priority": 1}, {"expiry": date(2026, 11, 25)}])
def test_urgent_takes_the_earliest_departure(urgency: dict[str, object]) -> None:
    early = NOW + timedelta(hours=2)
    d = dispatcher([trailer("T-LYON-1", "D1"), trailer("T-LYON-2", "D3", departure=early)], [])
    assert scan(d, pallet("N1", "LYON", expiry=date(2026, 11, 26))).target == "T-LYON-1"
    move = scan(d, pallet("U1", "LYON", **urgency))
    assert move.reason == "LYON · T-LYON-2 1/33 · 400/24000 kg · dep 14:00 · 60 m · urgent"


def test_the_trailer_leaving_first_fills_first_unless_a_later_one_is_much_nearer() -> None:
    # departure_weight_m = 2: each minute a trailer leaves later costs as much as 2 m of travel.
    rules = replace(RULES, departure_weight_m=2.0)

    def first_out(departure: datetime) -> Dispatcher:
        trailers = (trailer("T-LYON-1", "D1"), trailer("T-LYON-2", "D3", departure=departure))
        return Dispatcher(Floor(DOORS, AREAS, {t.id: t for t in trailers}, {}, rules=rules))

    # 14:00, 160 min before the default 16:40: 320 m of departure term against 50 m nearer
    move = scan(first_out(NOW + timedelta(hours=2)), pallet("N1", "LYON"))
    assert move.reason == "LYON · T-LYON-2 1/33 · 400/24000 kg · dep 14:00 · 60 m"
    assert scan(first_out(NOW + timedelta(hours=4)), pallet("N2", "LYON")).target == "T-LYON-2"  # 80 m > 50 m
    assert scan(first_out(NOW + timedelta(hours=4, minutes=20)), pallet("N3", "LYON")).target == "T-LYON-1"  # 40 m
    nearest = dispatcher([trailer("T-LYON-1", "D1"), trailer("T-LYON-2", "D3", departure=NOW + timedelta(hours=2))], [])
    assert scan(nearest, pallet("N4", "LYON")).target == "T-LYON-1"  # the default, 0: the nearest


def test_a_pallet_sent_keeps_its_trailer_when_it_comes_within_the_handling_time() -> None:
    # T-A leaves at 12:20; from 12:05 it is within the 15 min handling time: no new pallet is sent to it, but
    # P1, sent at 12:00, keeps it when the trailer's load is settled again (another pallet loaded aboard).
    t = trailer("T-A", "D1", departure=NOW + timedelta(minutes=20))
    d = dispatcher([t], [])
    assert scan(d, pallet("P1", "LYON")).target == "T-A"
    d.put_pallet(pallet("P2", "LYON"))
    assert d.decide("P2", NOW + timedelta(minutes=10)).kind == "staging"
    d.put_pallet(loaded("P3", t))
    assert d.plan().moves["P1"].target == "T-A"


def test_an_offline_instruction_is_kept_by_the_handling_time_when_it_was_given() -> None:
    # T-A leaves at 12:20 (handling 15 min). An edge told P1 "T-A" at 12:00, offline; central hears it at
    # 12:10, when T-A no longer takes new pallets: the worker's instruction stands, as it did at 12:00.
    d = dispatcher([trailer("T-A", "D1", departure=NOW + timedelta(minutes=20))], [])
    later = NOW + timedelta(minutes=10)
    d.put_pallet(pallet("P1", "LYON"))
    assert d.keep("P1", later, trailer="T-A") is None
    kept = d.keep("P1", later, trailer="T-A", decided_at=NOW)
    assert kept is not None
    assert (kept.target, kept.door) == ("T-A", "D1")
    d.put_pallet(pallet("P2", "LYON"))
    assert d.keep("P2", later, trailer="T-A", decided_at=NOW + timedelta(minutes=6)) is None  # told too late


def test_chilled_goes_only_to_a_reefer() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1"), trailer("T-LYON-2", "D3", reefer=True)], [])
    assert scan(d, pallet("C1", "LYON", temp="chilled")).target == "T-LYON-2"
    assert scan(d, pallet("A1", "LYON")).target == "T-LYON-1"


def test_chilled_without_reefer_stages_in_a_cold_area() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1")], [])
    move = scan(d, pallet("C1", "LYON", temp="chilled"))
    assert move == Move("C1", "staging", "S2", None, 70.0, "no reefer for LYON (chilled) · staging S2 · 70 m")


def test_no_cold_staging_area_is_a_no_place_error() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1")], [], areas={"S1": AREAS["S1"]})
    d.put_pallet(pallet("F1", "LYON", temp="frozen"))
    with pytest.raises(NoPlaceError, match=r"pallet F1: no reefer for LYON \(frozen\), and no staging area keeps"):
        d.decide("F1", NOW)


def test_hazmat_needs_an_adr_trailer() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1", accepts_hazmat=False), trailer("T-LYON-2", "D3")], [])
    assert scan(d, pallet("H1", "LYON", hazmat="3")).target == "T-LYON-2"
    d2 = dispatcher([trailer("T-LYON-1", "D1", accepts_hazmat=False)], [])
    assert scan(d2, pallet("H1", "LYON", hazmat="3")).reason == "no ADR trailer for LYON (class 3) · staging S1 · 20 m"


def test_segregated_classes_never_share_a_trailer() -> None:
    t1 = trailer("T-LYON-1", "D1")
    d = dispatcher([t1, trailer("T-LYON-2", "D3")], [loaded("L1", t1, hazmat="3")])
    assert scan(d, pallet("H1", "LYON", hazmat="5.1")).target == "T-LYON-2"
    assert scan(d, pallet("H2", "LYON", hazmat="3")).target == "T-LYON-1"
    d2 = dispatcher([t1], [loaded("L1", t1, hazmat="3")])
    assert scan(d2, pallet("H3", "LYON", hazmat="5.1")).reason == "class 5.1 segregated on LYON · staging S1 · 20 m"


def test_kg_full_and_positions_full_are_both_full() -> None:
    by_kg = trailer("T-KG", "D1", capacity_kg=1000.0)
    by_count = trailer("T-POS", "D2", capacity_pallets=1)
    aboard = [loaded("L1", by_kg, weight_kg=800.0), loaded("L2", by_count)]
    d = dispatcher([by_kg, by_count, trailer("T-FAR", "D3")], aboard)
    assert scan(d, pallet("P1", "LYON", weight_kg=200.0)).target == "T-KG"
    assert scan(d, pallet("P2", "LYON", weight_kg=1.0)).target == "T-FAR"
    d2 = dispatcher([by_kg, by_count], aboard)
    assert scan(d2, pallet("P1", "LYON", weight_kg=300.0)).reason == "trailers for LYON full · staging S1 · 20 m"


def test_too_soon_or_closed_door_is_no_candidate() -> None:
    soon = trailer("T-LYON-1", "D1", departure=NOW + timedelta(minutes=10))
    d = dispatcher([soon, trailer("T-LYON-2", "D3")], [])
    assert scan(d, pallet("P1", "LYON")).target == "T-LYON-2"
    d2 = dispatcher([soon], [])
    assert scan(d2, pallet("P1", "LYON")).reason == "last trailer for LYON gone · staging S1 · 20 m"
    d3 = dispatcher([trailer("T-LYON-3", None)], [])
    assert scan(d3, pallet("P1", "LYON")).reason == "no trailer for LYON at a door · staging S1 · 20 m"


def test_departed_trailers_are_no_candidates_and_the_last_one_gone_is_the_reason() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1", departed=True), trailer("T-LYON-2", "D3")], [])
    assert scan(d, pallet("P1", "LYON")).target == "T-LYON-2"
    d.put_trailer(trailer("T-LYON-2", "D3", departed=True))
    assert scan(d, pallet("P2", "LYON")).reason == "last trailer for LYON gone · staging S1 · 20 m"
    d.put_trailer(trailer("T-LYON-3", "D1"))  # the next one arrives
    assert scan(d, pallet("P3", "LYON")).target == "T-LYON-3"


def test_mixed_goes_to_breakdown_else_staging() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1")], [])
    assert scan(d, pallet("M1", "LYON", "PARIS")) == Move(
        "M1", "indirect", "B1", None, 28.0, "mixed (LYON, PARIS) · breakdown B1 · 28 m"
    )
    d2 = dispatcher([], [], areas={"S1": AREAS["S1"]})
    assert scan(d2, pallet("M1", "LYON", "PARIS", "NICE", "LILLE")).reason == (
        "mixed (LYON, PARIS, NICE +1), no breakdown · staging S1 · 20 m"
    )


def test_unknown_destination_stages() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1")], [])
    assert scan(d, pallet("P1")).reason == "destination unknown · staging S1 · 20 m"


def test_no_trailer_stages_then_rematch_sends_it_direct() -> None:
    d = dispatcher([], [])
    assert scan(d, pallet("P1", "NICE")) == Move("P1", "staging", "S1", None, 20.0,
                                                 "no trailer for NICE yet · staging S1 · 20 m")
    d.put_pallet(replace(d.floor.pallets["P1"], state="staged", location="S1"))
    d.put_trailer(trailer("T-NICE-1", "D2", "NICE"))
    assert d.rematch(NOW) == [
        Move("P1", "direct", "T-NICE-1", "D2", 10.0, "NICE · T-NICE-1 1/33 · 400/24000 kg · dep 16:40 · 10 m")
    ]
    assert d.rematch(NOW) == []
    assert validate(d.floor, d.plan(), NOW) == []


def test_rematch_serves_urgent_then_oldest_within_capacity() -> None:
    d = dispatcher([], [])
    for p in (pallet("OLD", "NICE"), pallet("NEW", "NICE"), pallet("URG", "NICE", priority=2)):
        assert scan(d, p).kind == "staging"
    d.put_trailer(trailer("T-NICE-1", "D2", "NICE", capacity_pallets=2))
    assert [m.sscc for m in d.rematch(NOW)] == ["URG", "OLD"]
    assert d.plan().moves["NEW"].reason == "no trailer for NICE yet · staging S1 · 20 m"
    assert validate(d.floor, d.plan(), NOW) == []


def test_frozen_pallet_keeps_its_trailer_and_nothing_changes() -> None:
    t1 = trailer("T-LYON-1", "D1")
    d = dispatcher([t1, trailer("T-LYON-2", "D2")], [loaded("L1", t1)])
    before = d.plan()
    assert d.decide("L1", NOW) == Move("L1", "direct", "T-LYON-1", "D1", 0.0, "loaded · T-LYON-1 · D1")
    assert d.plan() == before
    assert "L1" not in d.plan().moves


def test_rescan_is_stable_even_when_a_nearer_trailer_appears() -> None:
    d = dispatcher([trailer("T-LYON-2", "D3")], [])
    first = scan(d, pallet("P1", "LYON"))
    d.put_trailer(trailer("T-LYON-1", "D1"))
    assert scan(d, d.floor.pallets["P1"]) is first
    assert scan(d, pallet("P2", "LYON")).target == "T-LYON-1"


def test_trailer_change_sends_its_pallets_back_to_staging_or_to_the_new_door() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1")], [])
    scan(d, pallet("P1", "LYON"))
    d.put_trailer(trailer("T-LYON-1", "D3"))
    assert d.plan().moves["P1"].door == "D3"
    assert d.plan().moves["P1"].metres == 60.0
    d.put_trailer(trailer("T-LYON-1", "D3", departed=True))
    assert d.plan().moves["P1"].reason == "T-LYON-1 changed · staging S1 · 20 m"
    assert validate(d.floor, d.plan(), NOW) == []


def test_adopt_swaps_moves_doors_and_version_keeping_newer_pallets() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1"), trailer("T-LYON-2", None)], [pallet("P1", "LYON")])
    assert d.decide("P1", NOW).target == "T-LYON-1"
    p2 = scan(d, pallet("P2", "LYON"))
    assert p2.reason == "LYON · T-LYON-1 2/33 · 800/24000 kg · dep 16:40 · 10 m"
    replanned = Plan(
        7, {"P1": Move("P1", "direct", "T-LYON-2", "D3", 60.0, "re-plan")}, trailer_doors={"T-LYON-2": "D3"}
    )
    d.adopt(replanned)
    plan = d.plan()
    assert (plan.version, dict(plan.trailer_doors)) == (7, {"T-LYON-2": "D3"})
    assert plan.moves["P1"].target == "T-LYON-2"
    assert plan.moves["P2"] == p2
    assert scan(d, pallet("P3", "LYON")).reason == "LYON · T-LYON-1 2/33 · 800/24000 kg · dep 16:40 · 10 m"
    assert d.floor.pallets["P1"].trailer == "T-LYON-2"
    assert validate(d.floor, d.plan(), NOW) == []


def test_a_pallet_already_told_its_trailer_keeps_it_after_a_restart() -> None:
    told = pallet("P1", "LYON", trailer="T-LYON-2", instructed=True)
    d = dispatcher([trailer("T-LYON-1", "D1"), trailer("T-LYON-2", "D3")], [told])
    assert d.decide("P1", NOW).reason == "LYON · T-LYON-2 1/33 · 400/24000 kg · dep 16:40 · 60 m"


def test_removing_a_pallet_frees_its_position() -> None:
    d = dispatcher([trailer("T-LYON-1", "D1", capacity_pallets=1)], [])
    assert scan(d, pallet("P1", "LYON")).target == "T-LYON-1"
    assert scan(d, pallet("P2", "LYON")).kind == "staging"
    d.remove_pallet("P1")
    assert [m.target for m in d.rematch(NOW)] == ["T-LYON-1"]
    assert validate(d.floor, d.plan(), NOW) == []


def test_a_long_reason_drops_the_destination_the_trailer_id_already_names() -> None:
    d = dispatcher([trailer("T-MONTPELLIER-11", "D3", "MONTPELLIER", capacity_pallets=52)], [])
    move = scan(d, pallet("P1", "MONTPELLIER", weight_kg=11973.0))
    assert move.reason == "T-MONTPELLIER-11 1/52 · 11973/24000 kg · dep 16:40 · 60 m"

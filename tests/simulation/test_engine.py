"""The engine on the two-door day, checked by hand; conservation and reproducibility on seeded days."""

from __future__ import annotations

import dataclasses

import pytest
from tests.simulation.days import small_day, sscc, two_door_day

from xdock.simulation.engine import EngineError, conservation, run_day
from xdock.simulation.kpis import kpis
from xdock.simulation.model import Disturbance, DoorSpan
from xdock.simulation.policies.fcfs import FcfsPolicy
from xdock.simulation.policies.xdock import XdockPolicy
from xdock.simulation.policies.xdock_replan import XdockReplanPolicy
from xdock.simulation.scenario import load_scenario, shipped_scenarios


def test_fcfs_two_door_day_by_hand() -> None:
    # One forklift, 1 m/s = 60 m/min, handle 30 s = 0.5 min each end: a 30 m trip (D1→D2, D1→S1) takes
    # 0.5 + 30/60 + 0.5 = 1.5 min, S1 (0,30) → D2 (30,0) is 30 + 30 = 60 m: 0.5 + 1 + 0.5 = 2 min.
    # Unloading: one pallet every 0.5 min from docking.
    day = two_door_day()
    run = run_day(day, FcfsPolicy())
    got = {p.sscc: p for p in run.pallets}
    p1, p2, p3, p4, p5, p6 = (got[sscc(n)] for n in range(1, 7))
    # TR1 docks at D1 at 0 (T1 docks at D2 at 0). P1 off at 0.5 → T1, carried 0.5 → 2.0.
    assert (p1.inbound_door, p1.unloaded_min, p1.decision, p1.loaded_min) == ("D1", 0.5, "T1", 2.0)
    # P2 off at 1.0 → T1 (now 2/2); the forklift is busy until 2.0: 2.0 → 3.5.
    assert (p2.unloaded_min, p2.decision, p2.loaded_min) == (1.0, "T1", 3.5)
    # P3 off at 1.5: T1 full, to staging S1: 3.5 → 5.0. T2 docks at 90: S1 → D2, 90 → 92.
    assert (p3.unloaded_min, p3.decision, p3.staged_min, p3.trailer, p3.loaded_min) == (1.5, "S1", 5.0, "T2", 92.0)
    assert (p3.handles, p3.travel_m) == (2, 90.0)
    # TR2 docks at 118: P4 (LYON, due 119) off at 118.5 → T2 (1 of 2 left), 118.5 → 120.0. T2 is due to
    # leave at 119 but waits for P4 (due by its departure) and leaves at 120.0: late, and so is P4.
    assert (p4.unloaded_min, p4.decision, p4.loaded_min, p4.departed_min, p4.outcome) == (118.5, "T2", 120.0,
                                                                                          120.0, "late")
    # P5 (PARIS, due 300) off at 119.0 → S1 (no PARIS trailer): 120.0 → 121.5; still on site at 240.
    assert (p5.staged_min, p5.outcome) == (121.5, "on_site")
    # TR3 arrives at 118.5, D1 is TR2's until 119.0: waits 0.5. P6 (PARIS, due 150) off at 119.5 → S1,
    # 121.5 → 123.0; not gone by 150: late.
    assert (p6.unloaded_min, p6.staged_min, p6.outcome) == (119.5, 123.0, "late")
    assert [p.outcome for p in (p1, p2, p3)] == ["loaded", "loaded", "loaded"]
    assert run.truck_waits_min == [0.0, 0.0, 0.5]
    assert [(d.trailer, d.door, d.departed_min, d.pallets, d.late) for d in run.departures] == [
        ("T1", "D2", 60.0, 2, False), ("T2", "D2", 120.0, 2, True)]
    assert sorted(run.door_spans, key=lambda s: s.start_min) == [
        DoorSpan("D1", "inbound", "TR1", 0.0, 1.5), DoorSpan("D2", "outbound", "T1", 0.0, 60.0),
        DoorSpan("D2", "outbound", "T2", 90.0, 120.0), DoorSpan("D1", "inbound", "TR2", 118.0, 119.0),
        DoorSpan("D1", "inbound", "TR3", 119.0, 119.5)]
    assert run.staging == [(5.0, 1), (90.0, 0), (121.5, 1), (123.0, 2)]
    k = kpis(day, run)
    # Six 30 m trips and one 60 m trip: 240 m, 6 × 1.5 + 2 = 11 forklift minutes.
    assert (k["forklift_km"], run.forklift_busy_min) == (0.24, 11.0)
    assert k["forklift_busy_share"] == round(11 / 240, 4)
    # Dock to dock (unloaded → loaded): P1 1.5, P2 2.5, P3 90.5, P4 1.5; nearest rank p50 of 4 = 2nd = 1.5.
    assert (k["dock_to_dock_p50_min"], k["dock_to_dock_p90_min"], k["dock_to_dock_max_min"]) == (1.5, 90.5, 90.5)
    assert (k["truck_wait_p50_min"], k["truck_wait_p90_min"]) == (0.0, 0.5)
    # Doors held 1.5 + 1 + 0.5 (D1) + 60 + 30 (D2) = 93 of 2 × 240 minutes.
    assert k["door_utilisation"] == round(93 / 480, 4)
    assert (k["pallets"], k["loaded"], k["late_pallets"], k["on_site"], k["unaccounted"]) == (6, 3, 2, 1, 0)
    # Due before the horizon: P1-P4 have a LYON trailer leaving between arrival and due; P6 (PARIS) has none.
    assert k["late_unavoidable"] == 1
    assert (k["late_departures"], k["trailer_fill"], k["staging_peak"], k["rehandles"]) == (1, 1.0, 2, 1)
    # 0.24 km × 0.1 kg + 2 departures × 10 kg.
    assert k["co2e_kg"] == 20.024
    assert k["cold_chain_min_out"] == 0.0


def test_unloading_pauses_while_the_dock_apron_is_full() -> None:
    # As the two-door day, but a pallet takes 1 min off the truck and the dock at D1 holds 1 pallet waiting
    # for the forklift. P1 off at 1.0, taken at once (1.0 → 2.5). P2 off at 2.0 and waits: the dock is full
    # until the forklift takes P2 at 2.5, so P3 comes off at 3.5, not 3.0, and TR1 leaves D1 at 3.5.
    base = two_door_day()
    day = dataclasses.replace(base, fleet=dataclasses.replace(base.fleet, unload_s=60.0, dock_apron=1))
    run = run_day(day, FcfsPolicy())
    got = {p.sscc: p for p in run.pallets}
    assert [got[sscc(n)].unloaded_min for n in (1, 2, 3)] == [1.0, 2.0, 3.5]
    assert [got[sscc(n)].loaded_min for n in (1, 2)] == [2.5, 4.0]
    assert DoorSpan("D1", "inbound", "TR1", 0.0, 3.5) in run.door_spans
    free = dataclasses.replace(base, fleet=dataclasses.replace(base.fleet, unload_s=60.0))
    assert [p.unloaded_min for p in run_day(free, FcfsPolicy()).pallets[:3]] == [1.0, 2.0, 3.0]


def test_a_pallet_whose_trailer_left_without_it_is_sent_again() -> None:
    # T1 leaves at 1.75 (P1 and P2 are due at 60, after it: it does not wait). P1 is on the forklift
    # (0.5 → 2.0), P2 waits for it, P3 went to staging at 1.5 (T1 full). Both are sent to S1; the forklift
    # takes them in the order asked: P2 2.0 → 3.5 (D1 → S1), P3 3.5 → 5.0, then P1, put down at D2 at 2.0,
    # D2 (30,0) → S1 (0,30) = 60 m: 5.0 → 7.0. T2 docks at 90 and takes the first staged, P3 then P1
    # (P2 was re-sent with P1, after it): P3 90 → 92, P1 92 → 94; T2 leaves at 119, P1 late (due 60).
    day = two_door_day()
    early = dataclasses.replace(day.trailers[0], departure_min=1.75)
    run = run_day(dataclasses.replace(day, trailers=(early, day.trailers[1])), FcfsPolicy())
    got = {p.sscc: p for p in run.pallets}
    p1, p2, p3 = got[sscc(1)], got[sscc(2)], got[sscc(3)]
    assert (p1.decision, p1.staged_min, p1.trailer, p1.loaded_min, p1.departed_min) == ("T1", 7.0, "T2", 94.0, 119.0)
    assert (p1.handles, p1.travel_m, p1.outcome) == (3, 150.0, "late")
    assert (p2.decision, p2.staged_min, p2.trailer, p2.handles, p2.outcome) == ("T1", 3.5, None, 1, "late")
    assert (p3.staged_min, p3.loaded_min, p3.outcome) == (5.0, 92.0, "loaded")
    assert [(d.trailer, d.departed_min, d.pallets) for d in run.departures] == [("T1", 1.75, 0), ("T2", 119.0, 2)]
    assert kpis(day, run)["rehandles"] == 2 + 1
    assert conservation(day, run) == 0


def test_a_closed_door_takes_no_pallet_until_it_opens() -> None:
    # D2 (T1's door) closed from 0.75 to 10. P1, on its way to T1 since 0.5, is sent to S1; P2 (1.0) and P3
    # (1.5) go to S1. The forklift: P2 2.0 → 3.5 (D1 → S1), P3 3.5 → 5.0, P1 from D2, where it was put down
    # at 2.0, to S1 (60 m) 5.0 → 7.0. D2 opens at 10: T1 takes the first staged, P1 then P2 (60 m each):
    # 10 → 12, 12 → 14. P3 waits for T2 as before. 120 + 60 metres more than the open day's 240.
    day = two_door_day()
    closed = dataclasses.replace(day, disturbances=(Disturbance("door_closed", 0.75, 10.0, "D2"),))
    run = run_day(closed, FcfsPolicy())
    got = {p.sscc: p for p in run.pallets}
    p1, p2, p3 = got[sscc(1)], got[sscc(2)], got[sscc(3)]
    assert (p1.decision, p1.staged_min, p1.loaded_min, p1.handles, p1.travel_m) == ("T1", 7.0, 12.0, 3, 150.0)
    assert (p2.decision, p2.staged_min, p2.loaded_min, p2.handles, p2.outcome) == ("S1", 3.5, 14.0, 2, "loaded")
    assert (p3.staged_min, p3.trailer, p3.loaded_min) == (5.0, "T2", 92.0)
    assert run.forklift_m == 240.0 + 120.0 + 60.0
    assert kpis(closed, run)["unaccounted"] == 0


def test_a_failed_reefer_keeps_its_cold_pallets_out_of_range() -> None:
    # T1 as a reefer failing from 30 to 45; P1 (chilled, aboard at 2.0, gone at 60) is out of range from its
    # unloading to its loading (0.5 → 2.0) and for the 15 failed minutes.
    day = two_door_day()
    cold = dataclasses.replace(day.trucks[0].pallets[0], temp="chilled")
    truck = dataclasses.replace(day.trucks[0], pallets=(cold, *day.trucks[0].pallets[1:]))
    reefer = dataclasses.replace(day.trailers[0], reefer=True)
    failing = dataclasses.replace(day, trucks=(truck, *day.trucks[1:]), trailers=(reefer, day.trailers[1]),
                                  disturbances=(Disturbance("reefer_failure", 30.0, 45.0, "T1"),))
    run = run_day(failing, FcfsPolicy())
    assert run.cold_chain_min_out == 1.5 + 15.0


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("policy", [FcfsPolicy, XdockPolicy, XdockReplanPolicy])
def test_every_pallet_is_loaded_late_or_on_site(seed: int, policy: type[FcfsPolicy] | type[XdockPolicy]) -> None:
    day = small_day(seed, horizon=300.0 + 100 * seed)
    run = run_day(day, policy())
    k = kpis(day, run)
    assert k["unaccounted"] == 0
    assert k["pallets"] == day.pallet_count == k["loaded"] + k["late_pallets"] + k["on_site"]  # type: ignore[operator]
    for p in run.pallets:
        assert p.outcome != "loaded" or (p.departed_min is not None and p.departed_min <= p.due_min)


@pytest.mark.parametrize("policy", [FcfsPolicy, XdockPolicy, XdockReplanPolicy])
def test_same_day_and_policy_give_the_same_kpis(policy: type[FcfsPolicy] | type[XdockPolicy]) -> None:
    first = kpis(small_day(7), run_day(small_day(7), policy()))
    again = kpis(small_day(7), run_day(small_day(7), policy()))
    assert first == again
    assert first != kpis(small_day(8), run_day(small_day(8), policy()))


def test_a_day_the_engine_cannot_play_is_refused_naming_the_field() -> None:
    day = two_door_day()
    with pytest.raises(EngineError, match=r"^disturbances\[0\].target: unknown door 'D9'"):
        run_day(dataclasses.replace(day, disturbances=(Disturbance("door_closed", 0, 60, "D9"),)), FcfsPolicy())
    with pytest.raises(EngineError, match=r"^site.areas: site t has no staging area"):
        run_day(dataclasses.replace(day, site=day.site.model_copy(update={"areas": []})), FcfsPolicy())
    bad = dataclasses.replace(day.trucks[0].pallets[0], destination="NOWHERE")
    truck = dataclasses.replace(day.trucks[0], pallets=(bad,))
    with pytest.raises(EngineError, match=r"^trucks\[0\].pallets\[0\].destination: unknown destination 'NOWHERE'"):
        run_day(dataclasses.replace(day, trucks=(truck,)), FcfsPolicy())


@pytest.mark.parametrize("name", shipped_scenarios())
@pytest.mark.parametrize("policy", [FcfsPolicy, XdockPolicy])
def test_every_shipped_scenario_keeps_every_pallet_accounted_for(
    name: str, policy: type[FcfsPolicy] | type[XdockPolicy]
) -> None:
    day = load_scenario(name).with_horizon(2).draw(11)
    run = run_day(day, policy())
    k = kpis(day, run)
    assert k["unaccounted"] == 0
    assert k["pallets"] == sum(len(t.pallets) for t in day.trucks if t.arrival_min < day.horizon_min) > 0

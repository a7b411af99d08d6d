"""The ``xdock`` policy decides with the site core itself: the same commands to another core give the same answers."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from tests.simulation.days import slow_forklift_day, small_day, sscc, two_door_day

from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import Assignment
from xdock.simulation.engine import run_day
from xdock.simulation.model import DepartureRecord, Disturbance, OutboundTrailer
from xdock.simulation.policies.xdock import XdockPolicy
from xdock.simulation.policies.xdock_replan import XdockReplanPolicy


@pytest.mark.parametrize(("seed", "closed", "kind"), [
    (1, (), XdockPolicy), (4, (), XdockPolicy), (2, (Disturbance("door_closed", 60, 150, "O2"),), XdockPolicy),
    (3, (), XdockReplanPolicy),
])
def test_the_simulated_scans_get_the_live_paths_answers(
    tmp_path: Path, seed: int, closed: tuple[Disturbance, ...], kind: type[XdockPolicy],
) -> None:
    day = dataclasses.replace(small_day(seed), disturbances=closed)
    policy = kind(workdir=tmp_path)
    run = run_day(day, policy)
    names = {c.name for c in policy.calls}
    commands = {"announce_truck", "truck_arrived", "apply_scan", "truck_unloaded", "confirm_load", "depart_trailer"}
    assert commands <= names
    assert ("set_door" in names) == bool(closed)
    replanning = isinstance(policy, XdockReplanPolicy)
    assert ("adopt_plan" in names) == ("suggest_truck_doors" in names) == replanning
    clock = ManualClock(day.start)
    store = Store(tmp_path / "live.db")
    try:
        live = LiveSite(day.site, store, clock)
        answers: dict[str, Assignment] = {}
        for call in policy.calls:  # the live path: the same commands, at the same site times
            clock.current = call.at
            result = getattr(live, call.name)(*call.args, **call.kwargs)
            if call.name == "apply_scan":
                assert not result.duplicate
                answers[call.args[0].sscc] = result.reply
        assert answers == policy.answers
        assert len(answers) == sum(1 for p in run.pallets if p.unloaded_min is not None)
        # What the engine carried out is what the core decided: each pallet's first target is its answer.
        for record in run.pallets:
            reply = answers.get(record.sscc)
            if reply is not None:
                assert record.decision == (reply.trailer if reply.outcome == "assigned" else reply.area)
        aboard = {r.sscc: r.trailer for r in run.pallets if r.departed_min is not None}
        assert aboard
        for sscc, trailer in aboard.items():
            row = live.state.pallets[sscc]
            assert (row.state, row.trailer) == ("loaded", trailer)
    finally:
        store.close()


def test_pallets_of_a_trailer_that_left_without_them_go_where_the_core_sends_them(tmp_path: Path) -> None:
    # The core sends all three pallets to T-LYON-1 (scanned at 0.5, 1.0, 1.5; it leaves at 20, after the
    # 15 min handling). The forklift needs 51 min a trip: T-LYON-1 leaves at 20 with none aboard (none is due
    # by then: it does not wait); the core sends them to staging S1. P1, on the forklift since 0.5, is put
    # down at D2 at 51.5 and carried on to S1 after P2 (51.5 → 102.5) and P3 (→ 153.5) went there from D1:
    # D2 → S1 is 60 m, 101 min, so at the horizon (240) it is still on the forklift, on site.
    day = slow_forklift_day()
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    got = {r.sscc: r for r in run.pallets}
    p1, p2, p3 = (got[sscc(n)] for n in (1, 2, 3))
    assert [p.decision for p in (p1, p2, p3)] == ["T-LYON-1"] * 3
    assert (p2.staged_min, p3.staged_min, p1.staged_min) == (102.5, 153.5, None)
    assert (p1.handles, p1.travel_m, p1.outcome, p2.outcome) == (1, 30.0, "on_site", "on_site")
    assert [(d.trailer, d.departed_min, d.pallets) for d in run.departures] == [("T-LYON-1", 20.0, 0)]
    assert run.forklift_busy_min == 3 * 51.0  # the fourth trip is not done by the horizon


def test_trailers_arriving_during_the_day_are_announced_and_take_the_staged_pallets(tmp_path: Path) -> None:
    # The two-door day under xdock. T1 is announced at D2 when it docks at 0: P1 (0.5) and P2 (1.0) go to it,
    # P3 (1.5) to staging S1, T1 being full (2 of 2). T2 is announced at 90: the core re-matches P3 to it at
    # once, and the forklift carries it S1 → D2, 90 → 92. P4, scanned at 118.5, may not take T2 (it leaves at
    # 119, within the site's 15 min handling): staged, late (due 119); T2 does not wait for it and leaves
    # on time. The forklift's trips are the fcfs run's but for P4 (S1 instead of T2, the same 30 m).
    day = two_door_day()
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    announced = [(c.at, c.args[0], c.kwargs["door"]) for c in policy.calls if c.name == "announce_trailer"]
    assert announced == [(day.start, "T1", "D2"), (day.start + timedelta(minutes=90), "T2", "D2")]
    got = {p.sscc: p for p in run.pallets}
    p1, p2, p3, p4 = (got[sscc(n)] for n in (1, 2, 3, 4))
    assert [(p.decision, p.loaded_min) for p in (p1, p2)] == [("T1", 2.0), ("T1", 3.5)]
    assert (p3.decision, p3.staged_min, p3.trailer, p3.loaded_min, p3.outcome) == ("S1", 5.0, "T2", 92.0, "loaded")
    assert (p4.decision, p4.staged_min, p4.outcome) == ("S1", 120.0, "late")
    assert [(d.trailer, d.departed_min, d.pallets) for d in run.departures] == [("T1", 60.0, 2), ("T2", 119.0, 1)]
    assert run.forklift_m == 240.0



def test_a_trailer_that_gets_a_door_after_its_departure_leaves_empty_unannounced(tmp_path: Path) -> None:
    # T3 (10 → 30) waits for D2, T1's until 60: it gets the door at 60, past its departure, and leaves at once.
    base = two_door_day()
    day = dataclasses.replace(base, trailers=(*base.trailers, OutboundTrailer("T3", "LYON", 10.0, 30.0, 2)))
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    assert policy.unannounced == ["T3"]
    assert DepartureRecord("T3", "LYON", "D2", 30.0, 60.0, 0, 2) in run.departures
    assert [c.name for c in policy.calls if c.args[:1] == ("T3",)] == []  # central never hears of it

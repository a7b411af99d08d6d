"""Central unreachable under the ``xdock`` policy: the edges answer from their snapshots, central answers after.

The two-door day (:func:`tests.simulation.days.two_door_day`: D1 inbound at (0, 0), D2 outbound at (30, 0),
staging S1 at (0, 30); one forklift, a 30 m trip 1.5 min) with central away from minute 0.75. P1, scanned at
0.5, is central's: T1 (LYON, 2 positions, leaving at 60). At 0.75 central's last snapshot for edge-D1 lists
T1 with one free position, all of it the edge's share (central's reserve is a quarter of it, rounded down),
and staging S1. P2 (LYON, scanned at 1.0) takes that position: ``D2 T1 (offline)``, carried to T1 and
loaded at 3.5 while its scan waits in the edge's outbox; P3 (LYON, 1.5) finds the share used up:
``S1 STAGING (offline)``, staged at 5.0.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from tests.simulation.days import START, sscc, two_door_day

from xdock.edge.offline_router import OfflineAnswer
from xdock.protocol.messages import OfflineDecision
from xdock.simulation.engine import run_day
from xdock.simulation.kpis import kpis
from xdock.simulation.model import Day, Disturbance
from xdock.simulation.policies.edges_alone import AloneStats
from xdock.simulation.policies.xdock import XdockPolicy
from xdock.simulation.scenario import load_scenario


def _away(day: Day, start: float, end: float) -> Day:
    return dataclasses.replace(day, disturbances=(Disturbance("central_unreachable", start, end),))


def _offline_answers() -> dict[str, OfflineAnswer]:
    at = START + timedelta(minutes=1)
    return {
        sscc(2): OfflineAnswer(OfflineDecision(plan_version=1, outcome="assigned", door="D2", trailer="T1",
                                               decided_at=at), "D2 T1 (offline)"),
        sscc(3): OfflineAnswer(OfflineDecision(plan_version=1, outcome="staged", area="S1",
                                               decided_at=at + timedelta(seconds=30)), "S1 STAGING (offline)"),
    }


def test_while_central_is_away_the_edge_answers_from_its_snapshot_and_central_keeps_those_answers(
    tmp_path: Path,
) -> None:
    # Central is back at 30: the backlog (P2 to T1, P3 to S1) arrives, both kept (T1 leaves at 60, after
    # the 15 min handling), then P2's load waiting for its scan. T2 docks at 90 and takes P3 (S1 → D2,
    # 60 m, 90 → 92). P4-P6, scanned at 118.5-119.5, are central's own answers, as in the run without outage.
    day = _away(two_door_day(), 0.75, 30)
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    assert kpis(day, run)["unaccounted"] == 0
    assert policy.offline_answers == _offline_answers()
    back = START + timedelta(minutes=30)
    at_back = [(c.name, c.args[0] if c.name == "confirm_load" else c.args[0].sscc, c.args[0].offline if
                c.name == "apply_scan" else c.args[1]) for c in policy.calls if c.at == back]
    assert at_back == [
        ("apply_scan", sscc(2), _offline_answers()[sscc(2)].decision),
        ("apply_scan", sscc(3), _offline_answers()[sscc(3)].decision),
        ("confirm_load", sscc(2), "D2"),
    ]
    answers = {n: policy.answers[sscc(n)] for n in range(1, 7)}
    assert {n: (a.outcome, a.trailer or a.area, a.display, a.correction, a.decided_at - START)
            for n, a in answers.items()} == {
        1: ("assigned", "T1", "→ D2  LYON  dep 07:00", False, timedelta(seconds=30)),
        2: ("assigned", "T1", "→ D2  LYON  dep 07:00", False, timedelta(minutes=30)),
        3: ("staged", "S1", "→ S1  STAGING  as told offline", False, timedelta(minutes=30)),
        4: ("staged", "S1", "→ S1  STAGING  last trailer for LYON gone", False, timedelta(minutes=118.5)),
        5: ("staged", "S1", "→ S1  STAGING  no trailer for PARIS yet", False, timedelta(minutes=119)),
        6: ("staged", "S1", "→ S1  STAGING  no trailer for PARIS yet", False, timedelta(minutes=119.5)),
    }
    got = {r.sscc: r for r in run.pallets}
    assert [(got[sscc(n)].decision, got[sscc(n)].trailer, got[sscc(n)].staged_min, got[sscc(n)].loaded_min,
             got[sscc(n)].outcome) for n in (1, 2, 3)] == [
        ("T1", "T1", None, 2.0, "loaded"), ("T1", "T1", None, 3.5, "loaded"), ("S1", "T2", 5.0, 92.0, "loaded"),
    ]
    assert {s: (row.state, row.trailer) for s, row in policy.site.state.pallets.items() if s <= sscc(3)} == {
        sscc(1): ("loaded", "T1"), sscc(2): ("loaded", "T1"), sscc(3): ("loaded", "T2"),
    }
    assert policy.alone is not None
    assert policy.alone.stats == AloneStats(outages=1, offline_answers=2, kept=2)


def test_central_keeps_an_offline_answer_by_the_handling_time_when_the_edge_gave_it(tmp_path: Path) -> None:
    # Back at 50: T1 leaves at 60, within the 15 min handling time of 50 but not of 1.0, when the edge told
    # P2 "T1": central keeps the instruction, and the load of P2 (aboard since 3.5) is confirmed.
    day = _away(two_door_day(), 0.75, 50)
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    assert kpis(day, run)["unaccounted"] == 0
    assert policy.offline_answers == _offline_answers()
    p2 = policy.answers[sscc(2)]
    assert (p2.outcome, p2.trailer, p2.display, p2.correction) == ("assigned", "T1", "→ D2  LYON  dep 07:00", False)
    assert [c.name for c in policy.calls if c.at == START + timedelta(minutes=50)] == [
        "apply_scan", "apply_scan", "confirm_load"]
    assert policy.alone is not None
    assert policy.alone.stats == AloneStats(outages=1, offline_answers=2, kept=2)


def test_central_corrects_an_offline_answer_whose_trailer_left_during_the_outage_even_if_aboard(
    tmp_path: Path,
) -> None:
    # Back at 65: T1 left at 60, so central does not keep P2 on it and sends it to staging, though P2 has
    # been aboard T1 since 3.5 (its load is not confirmed to central). The floor is the engine's: P2 leaves
    # with T1.
    day = _away(two_door_day(), 0.75, 65)
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    assert kpis(day, run)["unaccounted"] == 0
    p2 = policy.answers[sscc(2)]
    assert (p2.outcome, p2.area, p2.display, p2.correction) == (
        "staged", "S1", "→ S1  STAGING  last trailer for LYON gone", True)
    assert [c.name for c in policy.calls if c.at == START + timedelta(minutes=65)] == ["apply_scan", "apply_scan"]
    record = next(r for r in run.pallets if r.sscc == sscc(2))
    assert (record.trailer, record.loaded_min, record.outcome) == ("T1", 3.5, "loaded")
    assert policy.alone is not None
    assert policy.alone.stats == AloneStats(outages=1, offline_answers=2, kept=1, corrected=1, corrected_aboard=1)


def test_the_central_outage_scenario_plays_under_xdock(tmp_path: Path) -> None:
    # Its first two hours, with its own outage (45 min) moved into them: from minute 45 to 90.
    scenario = load_scenario("central-outage")
    [outage] = [d for d in scenario.draw(11).disturbances if d.kind == "central_unreachable"]
    length = outage.end_min - outage.start_min
    day = _away(scenario.with_horizon(2).draw(11), 45, 45 + length)
    policy = XdockPolicy(workdir=tmp_path)
    run = run_day(day, policy)
    k = kpis(day, run)
    assert (length, k["unaccounted"]) == (45, 0)
    assert k["pallets"] == sum(len(t.pallets) for t in day.trucks if t.arrival_min < day.horizon_min)
    scanned = {r.sscc for r in run.pallets if r.unloaded_min is not None}
    offline = {r.sscc for r in run.pallets if r.unloaded_min is not None and 45 <= r.unloaded_min < 90}
    assert set(policy.offline_answers) == offline
    assert set(policy.answers) == scanned  # every scan answered by central, those of the outage when it was back
    alone = policy.alone
    assert alone is not None
    decided = sum(1 for a in policy.offline_answers.values() if a.decision is not None)
    assert alone.stats.kept + alone.stats.corrected == decided > 0
    assert alone.stats.offline_answers == len(offline) > 0
    assert (alone.backlog, alone.loads) == ([], [])

"""Drawing a Day from a scenario and a seed: deterministic, on separate streams, with the volumes the scenarios state.

Statistical checks use fixed seeds, so they are exact regressions; each range is set at about five standard
deviations of the quantity (the reason is given at each), so a change of the drawing code that keeps the
distributions keeps them green.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

import xdock.simulation
from xdock.protocol.identifiers import check_sscc
from xdock.protocol.messages import ShipToModel
from xdock.protocol.routing import match_destination
from xdock.simulation.model import Day, Disturbance
from xdock.simulation.scenario import Scenario, ScenarioError, load_scenario, parse_scenario, shipped_scenarios


@functools.cache
def full(name: str, seed: int) -> Day:
    """A shipped scenario's whole horizon, drawn once per test session."""
    return load_scenario(name).draw(seed)


@functools.cache
def short(name: str, seed: int = 1) -> Day:
    return load_scenario(name).with_horizon(3).draw(seed)


@pytest.mark.parametrize("name", shipped_scenarios())
def test_every_shipped_scenario_draws_a_consistent_day(name: str) -> None:
    day = short(name)
    assert (day.scenario, day.seed, day.horizon_min) == (name, 1, 180)
    assert day.trucks
    assert day.trailers
    assert all(0 <= t.arrival_min < 180 for t in day.trucks)
    assert [t.arrival_min for t in day.trucks] == sorted(t.arrival_min for t in day.trucks)
    assert all(0 <= t.arrival_min < 180 and t.departure_min > t.arrival_min for t in day.trailers)
    assert len({t.id for t in day.trucks}) == len(day.trucks)
    assert len({t.id for t in day.trailers}) == len(day.trailers)
    destinations = {d.id for d in day.site.destinations}
    assert {t.destination for t in day.trailers} <= destinations
    assert all(p.due_min > 0 for t in day.trucks for p in t.pallets)
    assert day.pallet_count == sum(len(t.pallets) for t in day.trucks)


@pytest.mark.parametrize("name", ["normal-day", "torbali-hh", "black-friday"])
def test_every_sscc_is_valid_and_unique_and_every_postal_code_is_routed_to_its_destination(name: str) -> None:
    day = full(name, 3)
    ssccs = [p.sscc for t in day.trucks for p in t.pallets]
    assert [s for s in ssccs if check_sscc(s) != s] == []
    assert len(set(ssccs)) == len(ssccs) == day.pallet_count
    assert all(s.startswith("03761303") for s in ssccs)  # extension digit 0, then the company prefix
    routed = {
        (p.postal_code, p.destination): match_destination(ShipToModel(kind="postal", value=p.postal_code),
                                                          day.site.destinations)
        for t in day.trucks for p in t.pallets
    }
    assert [(code, dest) for (code, dest), found in routed.items() if found is None or found.id != dest] == []
    assert all(len(code) == 5 for code, _ in routed)


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    scenario = load_scenario("normal-day").with_horizon(6)
    assert scenario.draw(11) == scenario.draw(11)
    assert load_scenario("normal-day").with_horizon(6).draw(11) == scenario.draw(11)
    other = scenario.draw(12)
    assert other.trucks != scenario.draw(11).trucks
    assert other.trailers != scenario.draw(11).trailers


def test_a_shorter_horizon_draws_the_beginning_of_the_same_day() -> None:
    day = full("normal-day", 5)
    six = load_scenario("normal-day").with_horizon(6).draw(5)
    assert day.trucks[: len(six.trucks)] == six.trucks
    assert day.trucks[len(six.trucks)].arrival_min >= 360


def test_normal_day_draws_about_16000_pallets() -> None:
    # 640 trucks a day (1440 min / 2.25 min mean interarrival) × 25 pallets (uniform 17..33). Appointment-booked
    # interarrivals (Uniform(1.25, 3.25)) vary the truck count by ~6.5 (sd) and the pallets per truck by 4.9 (sd):
    # the day's total varies by ~200 pallets (sd); ±1,000 is five of them.
    counts = [full("normal-day", seed).pallet_count for seed in (1, 2, 3)]
    assert all(15_000 <= n <= 17_000 for n in counts), counts
    assert len(set(counts)) == 3


def test_black_friday_is_three_times_normal_day_with_an_afternoon_peak() -> None:
    # The hourly factors average exactly 3; both days vary by ~1.3 % (sd), their ratio by ~2 %: 3 ± 0.15.
    for seed in (1, 2):
        ratio = full("black-friday", seed).pallet_count / full("normal-day", seed).pallet_count
        assert 2.85 <= ratio <= 3.15, ratio
    day = full("black-friday", 1)
    morning = sum(1 for t in day.trucks if t.arrival_min < 720) / 12
    afternoon = sum(1 for t in day.trucks if 720 <= t.arrival_min < 1200) / 8
    # Factors 2 and 5: 2.5 times as many trucks an hour; each count varies by ~1 % (sd).
    assert 2.4 <= afternoon / morning <= 2.6, afternoon / morning
    assert load_scenario("black-friday").site_config == load_scenario("normal-day").site_config


def test_normal_day_mixes_temperatures_and_dangerous_goods_as_stated() -> None:
    pallets = [p for t in full("normal-day", 1).trucks for p in t.pallets]
    n = len(pallets)
    # Binomial shares over ~16,000 pallets: sd 0.0021 (8 %), 0.0013 (3 %), 0.0008 (1 %).
    assert 0.07 <= sum(p.temp == "chilled" for p in pallets) / n <= 0.09
    assert 0.024 <= sum(p.temp == "frozen" for p in pallets) / n <= 0.036
    assert 0.006 <= sum(p.dangerous is not None for p in pallets) / n <= 0.014
    assert {p.dangerous for p in pallets} == {None, "3", "8"}


def test_normal_day_rolling_schedules_have_room_for_every_destinations_dry_and_cold_volume() -> None:
    day = full("normal-day", 1)
    for dest in day.site.destinations:
        mine = [p for t in day.trucks for p in t.pallets if p.destination == dest.id]
        dry = sum(t.capacity for t in day.trailers if t.destination == dest.id and not t.reefer)
        cold = sum(t.capacity for t in day.trailers if t.destination == dest.id and t.reefer)
        # cover 1.25 from the first departure (60-90 min in) to the end of the day: about 1.2 of the volume.
        assert 1.05 <= dry / sum(p.temp == "ambient" for p in mine) <= 1.45, (dest.id, dry)
        # The cold flow is small: a reefer every 4 hours at most leaves room to spare.
        assert cold >= 1.05 * sum(p.temp != "ambient" for p in mine), (dest.id, cold)
        assert sum(t.reefer for t in day.trailers if t.destination == dest.id) >= 5  # at least one every 4 h
    assert all(45 <= t.departure_min - t.arrival_min <= 120 for t in day.trailers if t.arrival_min > 0)


def test_cold_volume_reefers_refuse_a_reefer_share() -> None:
    shipped = Path(xdock.simulation.__file__).parent / "scenarios"
    text = (shipped / "normal-day.yaml").read_text(encoding="utf-8")
    text = text.replace("    rolling: {", "    reefer_share: 0.2\n    rolling: {", 1)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "x.yaml", base=shipped)
    assert str(err.value) == ("x.yaml: outbound.generate: reefer_share: must be 0 with rolling.reefers: cold_volume "
                              "(the reefers are sized from the cold volume), got 0.2")


@pytest.mark.parametrize(("name", "mode"), [("torbali-hh", 10), ("torbali-mm", 20), ("torbali-ll", 40)])
def test_torbali_cases_follow_the_published_parameters(name: str, mode: float) -> None:
    day = full(name, 1)
    gaps = np.diff([0.0] + [t.arrival_min for t in day.trucks])
    # Triangular(mode - 3, mode, mode + 3): sd 1.22 min; over a week's 250-1,000 gaps the mean's sd is at most
    # 1.22 / sqrt(250) = 0.08 min: ±0.4 min is five of them.
    assert abs(gaps.mean() - mode) <= 0.4, gaps.mean()
    assert gaps.min() >= mode - 3
    assert gaps.max() <= mode + 3
    assert {len(t.pallets) for t in day.trucks} == {26}
    assert all(60 <= p.due_min - t.arrival_min <= 1440 for t in day.trucks for p in t.pallets)
    assert {t.capacity for t in day.trailers} == {26}
    assert all(60 <= t.departure_min - t.arrival_min <= 180 for t in day.trailers)
    assert len(day.site.destinations) == 3
    assert {p.destination for t in day.trucks for p in t.pallets} == {d.id for d in day.site.destinations}
    assert (day.fleet.forklifts, day.horizon_min) == (15, 168 * 60)


def test_torbali_hh_mean_interarrival_is_10_minutes_over_a_week() -> None:
    for seed in (1, 2, 3):
        arrivals = [t.arrival_min for t in full("torbali-hh", seed).trucks]
        # 1,008 gaps of Triangular(7, 10, 13) (sd 1.22): the mean's sd is 0.04 min; ±0.2 is five of them.
        assert 9.8 <= float(np.diff(arrivals).mean()) <= 10.2
        # 10,080 min / 10 min: 1,008 trucks; the count's sd is sqrt(1,008 × 1.5 / 10²) = 3.9 trucks.
        assert 988 <= len(arrivals) <= 1_028


def test_variants_share_the_normal_days_trucks() -> None:
    normal = full("normal-day", 4)
    assert full("central-outage", 4).trucks == normal.trucks
    assert full("central-outage", 4).trailers == normal.trailers
    assert full("reefer-failure", 4).trucks == normal.trucks
    late = {t.id: t for t in full("late-suppliers", 4).trucks}
    # Only the arrivals move (a truck moved past the end of the day is gone); pallets and due times stay.
    assert all(late[t.id].pallets == t.pallets for t in normal.trucks if t.id in late)
    moved = [t for t in normal.trucks if t.id in late and late[t.id].arrival_min != t.arrival_min]
    # A third of the trucks, and BRAKE's morning trucks, and LACTALIS's afternoon ones.
    assert 0.3 <= len(moved) / len(normal.trucks) <= 0.45
    brake_morning = [t for t in normal.trucks if t.supplier == "BRAKE" and t.arrival_min < 720]
    assert brake_morning
    assert all(t.id not in late or late[t.id].arrival_min - t.arrival_min >= 120 for t in brake_morning)


def test_central_outage_and_reefer_failure_script_their_disturbances() -> None:
    assert full("central-outage", 1).disturbances == (
        Disturbance(kind="central_unreachable", start_min=600, end_min=645),
        Disturbance(kind="door_closed", start_min=840, end_min=900, target="D12"),
    )
    day = full("reefer-failure", 1)
    trailers = {t.id: t for t in day.trailers}
    [lyon, paris] = day.disturbances
    assert (lyon.kind, lyon.start_min, lyon.end_min) == ("reefer_failure", 600, 780)
    assert (paris.kind, paris.start_min, paris.end_min) == ("reefer_failure", 900, 1020)
    for failure, dest in ((lyon, "LYON"), (paris, "PARIS")):
        trailer = trailers[failure.target]
        assert (trailer.destination, trailer.reefer) == (dest, True)
        assert failure.start_min < trailer.departure_min
        # the reefer at its door when the failure starts, else the next one to arrive
        docked = [t for t in day.trailers if t.destination == dest and t.reefer
                  and t.arrival_min <= failure.start_min < t.departure_min]
        later = [t for t in day.trailers if t.destination == dest and t.reefer and t.arrival_min > failure.start_min]
        assert trailer == (docked[0] if docked else min(later, key=lambda t: t.arrival_min))
    assert short("reefer-failure").disturbances == ()  # both start after a 3-hour horizon


TINY = """
name: tiny
start: "2026-03-28 00:00"
horizon_hours: 48
generated_site:
  timezone: Europe/Paris
  inbound_doors: 2
  outbound_doors: 2
  destinations:
    - {id: LYON, name: Lyon, postal_codes: ["69*"]}
    - {id: VILLEURBANNE, name: Villeurbanne, postal_codes: ["69100", "691*"]}
"""


def tiny(extra: str) -> Scenario:
    return parse_scenario(TINY + extra, "tiny.yaml")


def test_a_timetable_leaves_at_local_times_across_a_clock_change() -> None:
    scenario = tiny(
        "inbound: {generate: {interarrival_min: 30, pallets_per_truck: 2, due_min: 600}}\n"
        "outbound: {generate: {dwell_min: 60, capacity: 30, timetable: {LYON: ['06:30', '18:00']}}}\n"
    )
    day = scenario.draw(1)
    # Europe/Paris moves to summer time at 02:00 on Sunday 29 March 2026: that day is 23 hours long.
    assert [(t.id, t.arrival_min, t.departure_min) for t in day.trailers] == [
        ("LYON-001", 330, 390), ("LYON-002", 1020, 1080), ("LYON-003", 1710, 1770), ("LYON-004", 2400, 2460),
    ]
    assert {t.capacity for t in day.trailers} == {30}
    # Constant 30 min interarrivals from minute 0: trucks at 30, 60, ... 2850.
    assert [t.arrival_min for t in day.trucks] == [30.0 * k for k in range(1, 96)]


def test_a_postal_code_is_drawn_so_that_the_site_routes_it_to_its_destination() -> None:
    # 691xx belongs to VILLEURBANNE (the longer prefix): LYON's pallets never get one.
    day = tiny(
        "inbound: {generate: {interarrival_min: 10, pallets_per_truck: 20, due_min: 600}}\n"
        "outbound: {generate: {dwell_min: 60, interarrival_min: 30}}\n"
    ).draw(2)
    codes = {(p.destination, p.postal_code) for t in day.trucks for p in t.pallets}
    assert {d for d, _ in codes} == {"LYON", "VILLEURBANNE"}
    assert all(not code.startswith("691") for d, code in codes if d == "LYON")
    assert all(code == "69100" or code.startswith("691") for d, code in codes if d == "VILLEURBANNE")


def test_a_volume_peak_makes_trucks_come_more_often_and_is_listed() -> None:
    scenario = tiny(
        "inbound: {generate: {interarrival_min: 10, pallets_per_truck: 1, due_min: 600}}\n"
        "outbound: {generate: {dwell_min: 60, interarrival_min: 30}}\n"
        "disturbances: [{kind: volume_peak, start_min: 600, end_min: 720, factor: 3}]\n"
    )
    day = scenario.draw(1)
    arrivals = [t.arrival_min for t in day.trucks]
    # Every 10 min, every 3⅓ min during the peak: 60 before it, 36 in it, 132 after (to minute 2880).
    assert sum(a < 600 for a in arrivals) == 59
    assert sum(600 <= a < 720 for a in arrivals) == 36
    assert len(arrivals) == 59 + 36 + 216
    assert day.disturbances == (Disturbance(kind="volume_peak", start_min=600, end_min=720, factor=3.0),)


def test_supplier_shifts_move_arrivals_and_keep_due_times() -> None:
    base = "inbound: {generate: {interarrival_min: 60, pallets_per_truck: 1, due_min: 600, suppliers: [A, B]}}\n" \
           "outbound: {generate: {dwell_min: 60, interarrival_min: 30}}\n"
    plain = tiny(base).draw(9)
    early = tiny(base + "disturbances: [{kind: supplier_early, supplier: A, shift_min: 45, end_min: 1200}]\n").draw(9)
    late = tiny(base + "disturbances: [{kind: supplier_late, share: 1, shift_min: 30}]\n").draw(9)
    by_id = {t.id: t for t in plain.trucks}
    for truck in early.trucks:
        was = by_id[truck.id]
        expected = was.arrival_min - 45 if was.supplier == "A" and was.arrival_min < 1200 else was.arrival_min
        assert (truck.arrival_min, truck.pallets) == (expected, was.pallets)
    assert {t.supplier for t in plain.trucks} == {"A", "B"}
    # All late by 30 min; the last truck (minute 2820 + 30 = 2850) is still in the horizon.
    assert [t.arrival_min for t in late.trucks] == [t.arrival_min + 30 for t in plain.trucks]
    assert [t.pallets for t in late.trucks] == [t.pallets for t in plain.trucks]
    assert early.disturbances == late.disturbances == ()


def test_a_reefer_failure_needs_a_reefer_to_fail() -> None:
    scenario = tiny(
        "inbound: {generate: {interarrival_min: 30, pallets_per_truck: 2, due_min: 600}}\n"
        "outbound: {generate: {dwell_min: 60, interarrival_min: 30}}\n"
        "disturbances: [{kind: reefer_failure, destination: LYON, start_min: 60, end_min: 120}]\n"
    )
    with pytest.raises(ScenarioError) as caught:
        scenario.draw(1)
    assert str(caught.value) == (
        "tiny: disturbances[0].destination: no reefer trailer to 'LYON' is at the site after minute 60 (seed 1)"
    )


def test_with_horizon_refuses_a_non_positive_horizon() -> None:
    with pytest.raises(ScenarioError, match=r"^normal-day: horizon_hours: expected above 0, got 0$"):
        load_scenario("normal-day").with_horizon(0)


def test_a_scenario_file_by_path_draws_like_its_name(tmp_path: Path) -> None:
    shipped = Path(xdock.simulation.__file__).parent / "scenarios" / "torbali-ll.yaml"
    copy = tmp_path / "torbali-ll.yaml"
    copy.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_scenario(copy).with_horizon(12).draw(3) == load_scenario("torbali-ll").with_horizon(12).draw(3)

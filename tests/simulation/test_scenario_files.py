"""Scenario files: validation errors name the field and the bad value; lists, sites and `extends` read as written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xdock.simulation.model import InboundTruck, OutboundTrailer, PalletPlan
from xdock.simulation.scenario import ScenarioError, day_as_scenario, load_scenario, parse_scenario, shipped_scenarios

SITE = """
name: tiny
start: "2026-11-23 06:00"
horizon_hours: 4
generated_site:
  timezone: Europe/Paris
  inbound_doors: 2
  outbound_doors: 2
  destinations:
    - {id: LYON, name: Lyon, postal_codes: ["69*"]}
    - {id: PARIS, name: Paris, postal_codes: ["75*", "92100"]}
"""
GENERATED = """
inbound: {generate: {interarrival_min: 5, pallets_per_truck: 26, due_min: 60}}
outbound: {generate: {dwell_min: 60, rolling: {}}}
"""
LISTED = """
inbound:
  trucks:
    - id: T1
      arrival_min: 10
      supplier: ACME
      pallets:
        - {sscc: "376130321000000019", destination: LYON, postal_code: "69003", due_min: 120}
        - {destination: PARIS, due_min: 200.5, temp: chilled, dangerous: "3"}
    - id: T2
      arrival_min: 30
      pallets:
        - {destination: LYON, due_min: 90, postal_code: "69100"}
outbound:
  trailers:
    - {id: X1, destination: LYON, arrival_min: 0, departure_min: 150, capacity: 26}
    - {id: X2, destination: PARIS, arrival_min: 20, departure_min: 230, capacity: 33, reefer: true,
       accepts_hazmat: false}
"""


def refused(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "tiny.yaml")
    return str(caught.value)


def test_an_unknown_distribution_is_named_with_the_known_ones() -> None:
    text = SITE + GENERATED.replace("interarrival_min: 5", "interarrival_min: {weibull: [1, 2]}")
    assert refused(text) == (
        "tiny.yaml: inbound.generate.interarrival_min: unknown distribution 'weibull' "
        "(known: constant, exponential, triangular, uniform, uniform_int)"
    )


def test_a_distribution_with_the_wrong_arguments_is_refused() -> None:
    assert refused(SITE + GENERATED.replace("due_min: 60", "due_min: {triangular: [1, 2]}")) == (
        "tiny.yaml: inbound.generate.due_min: triangular takes [LOW, MODE, HIGH] (finite numbers), got [1, 2]"
    )
    assert refused(SITE + GENERATED.replace("due_min: 60", "due_min: {uniform: [-5, 10]}")) == (
        "tiny.yaml: inbound.generate.due_min: uniform [-5, 10]: a duration or count cannot be negative"
    )
    assert refused(SITE + GENERATED.replace("due_min: 60", "due_min: {uniform: [90, 60]}")) == (
        "tiny.yaml: inbound.generate.due_min: uniform [90, 60]: expected [LOW, HIGH] in increasing order"
    )


def test_a_negative_count_is_refused_with_its_value() -> None:
    assert refused(SITE + "forklifts: {count: -1}\n" + GENERATED) == (
        "tiny.yaml: forklifts.count: Input should be greater than or equal to 1 (got -1)"
    )
    assert refused(SITE.replace("inbound_doors: 2", "inbound_doors: -3") + GENERATED) == (
        "tiny.yaml: generated_site.inbound_doors: Input should be greater than or equal to 1 (got -3)"
    )


def test_a_quoted_number_is_not_a_number() -> None:
    assert refused(SITE + GENERATED.replace("pallets_per_truck: 26", "pallets_per_truck: '26'")) == (
        "tiny.yaml: inbound.generate.pallets_per_truck: expected a distribution such as {uniform: [60, 1440]} "
        "or a number, got '26'"
    )


def test_a_listed_pallet_naming_an_unknown_destination_is_refused() -> None:
    text = SITE + LISTED.replace("{destination: PARIS, due_min: 200.5", "{destination: ROME, due_min: 200.5")
    assert refused(text) == (
        "tiny.yaml: inbound.trucks[0].pallets[1].destination: unknown destination 'ROME' (destinations: LYON, PARIS)"
    )


def test_a_listed_postal_code_must_be_routed_to_the_pallets_destination() -> None:
    text = SITE + LISTED.replace('postal_code: "69100"', 'postal_code: "75011"')
    assert refused(text) == (
        "tiny.yaml: inbound.trucks[1].pallets[0].postal_code: '75011' is routed to PARIS, not 'LYON'"
    )


def test_a_trailer_leaving_before_it_arrives_is_refused() -> None:
    text = SITE + LISTED.replace("arrival_min: 20, departure_min: 230", "arrival_min: 240, departure_min: 230")
    assert refused(text) == "tiny.yaml: outbound.trailers[1].departure_min: 230 is not after arrival_min 240"


def test_duplicates_are_refused() -> None:
    assert refused(SITE + LISTED.replace("id: T2", "id: T1")) == (
        "tiny.yaml: inbound.trucks[1].id: duplicate truck id 'T1'"
    )
    text = SITE + LISTED.replace('{destination: LYON, due_min: 90, postal_code: "69100"}',
                                 '{destination: LYON, due_min: 90, sscc: "376130321000000019"}')
    assert refused(text) == (
        "tiny.yaml: inbound.trucks[1].pallets[0].sscc: duplicate SSCC '376130321000000019' "
        "(also inbound.trucks[0].pallets[0])"
    )


def test_an_sscc_with_a_wrong_check_digit_is_refused() -> None:
    message = refused(SITE + LISTED.replace("376130321000000019", "376130321000000014"))
    assert message.startswith("tiny.yaml: inbound.trucks[0].pallets[0].sscc: Invalid SSCC check digit")


def test_the_site_is_given_exactly_once() -> None:
    assert refused(SITE + "site_file: site.yaml\n" + GENERATED) == (
        "tiny.yaml: give exactly one of site_file, site, generated_site (got ['site_file', 'generated_site'])"
    )


def test_outbound_needs_trailers() -> None:
    text = SITE + "inbound: {generate: {interarrival_min: 5, pallets_per_truck: 26, due_min: 60}}\noutbound: {}\n"
    assert refused(text) == "tiny.yaml: outbound: give generate, trailers or both"


def test_an_outbound_process_is_chosen_once() -> None:
    text = SITE + GENERATED.replace("rolling: {}", "rolling: {}, interarrival_min: 10")
    assert refused(text) == (
        "tiny.yaml: outbound.generate: give exactly one of interarrival_min, rolling, timetable "
        "(got ['interarrival_min', 'rolling'])"
    )


def test_disturbances_name_what_they_touch() -> None:
    assert refused(SITE + GENERATED + "disturbances: [{kind: door_closed, door: D9, start_min: 1, end_min: 2}]\n") == (
        "tiny.yaml: disturbances[0].door: unknown door 'D9' (doors: D1, D2, D3, D4)"
    )
    assert refused(SITE + GENERATED + "disturbances: [{kind: central_unreachable, start_min: 5, end_min: 5}]\n") == (
        "tiny.yaml: disturbances[0]: end_min 5 is not after start_min 5"
    )
    text = SITE + GENERATED + "disturbances: [{kind: supplier_late, supplier: NOBODY, shift_min: 30}]\n"
    assert refused(text) == "tiny.yaml: disturbances[0].supplier: unknown supplier 'NOBODY' (suppliers: SUPPLIER)"
    text = SITE + LISTED + "disturbances: [{kind: reefer_failure, trailer: X1, start_min: 5, end_min: 50}]\n"
    assert refused(text) == (
        "tiny.yaml: disturbances[0].trailer: 'X1' is not a listed reefer trailer (listed reefers: X2)"
    )


def test_start_is_local_time_without_an_offset() -> None:
    assert refused(SITE.replace('"2026-11-23 06:00"', '"monday"') + GENERATED) == (
        "tiny.yaml: start: expected a local date and time YYYY-MM-DD HH:MM, got 'monday'"
    )
    assert refused(SITE.replace('"2026-11-23 06:00"', '"2026-11-23T06:00+01:00"') + GENERATED) == (
        "tiny.yaml: start: '2026-11-23T06:00+01:00': give the site's local time without an offset; "
        "the zone is `timezone`"
    )


def test_an_unknown_scenario_lists_the_shipped_ones() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("no-such-day")
    assert str(caught.value) == (
        "unknown scenario 'no-such-day': no such file, and not a shipped scenario (shipped: black-friday, "
        "central-outage, late-suppliers, normal-day, reefer-failure, torbali-hh, torbali-ll, torbali-mm)"
    )


def test_explicit_lists_come_out_as_written() -> None:
    day = parse_scenario(SITE + LISTED, "tiny.yaml").draw(seed=7)
    [t1, t2] = day.trucks
    assert t1 == InboundTruck(id="T1", arrival_min=10, supplier="ACME", pallets=(
        PalletPlan(sscc="376130321000000019", destination="LYON", postal_code="69003", due_min=120),
        PalletPlan(sscc=t1.pallets[1].sscc, destination="PARIS", postal_code=t1.pallets[1].postal_code,
                   due_min=200.5, temp="chilled", dangerous="3"),
    ))
    assert t1.pallets[1].postal_code.startswith("75") or t1.pallets[1].postal_code == "92100"
    assert t2 == InboundTruck(id="T2", arrival_min=30, pallets=(
        PalletPlan(sscc=t2.pallets[0].sscc, destination="LYON", postal_code="69100", due_min=90),
    ))
    assert day.trailers == (
        OutboundTrailer(id="X1", destination="LYON", arrival_min=0, departure_min=150, capacity=26),
        OutboundTrailer(id="X2", destination="PARIS", arrival_min=20, departure_min=230, capacity=33, reefer=True,
                        accepts_hazmat=False),
    )
    assert day.start.isoformat() == "2026-11-23T06:00:00+01:00"
    assert day.horizon_min == 240
    assert day.disturbances == ()


def test_a_site_file_is_read_relative_to_the_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "two.yaml").write_text(
        "site: two\ntimezone: UTC\ndoors:\n  - {id: IN1, role: inbound, x: 0, y: 0}\n"
        "  - {id: OUT1, role: outbound, x: 0, y: 20}\n"
        "destinations:\n  - {id: LYON, name: Lyon, postal_codes: ['69*']}\n", encoding="utf-8")
    scenario_text = (
        'name: two-doors\nstart: "2026-01-05 08:00"\nhorizon_hours: 2\nsite_file: sites/two.yaml\n'
        "inbound: {trucks: [{id: T1, arrival_min: 0, pallets: [{destination: LYON, due_min: 60}]}]}\n"
        "outbound: {trailers: [{id: X1, destination: LYON, arrival_min: 0, departure_min: 60, capacity: 26}]}\n"
    )
    (tmp_path / "two.yaml").write_text(scenario_text, encoding="utf-8")
    scenario = load_scenario(tmp_path / "two.yaml")
    assert [d.id for d in scenario.site_config.doors] == ["IN1", "OUT1"]
    monkeypatch.chdir(tmp_path.parent)  # a relative path to the scenario: the site file is still beside it
    relative = load_scenario(Path(tmp_path.name) / "two.yaml")
    assert [d.id for d in relative.site_config.doors] == ["IN1", "OUT1"]
    (tmp_path / "broken.yaml").write_text(scenario_text.replace("sites/two.yaml", "sites/none.yaml"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "broken.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'broken.yaml'}: site_file: {tmp_path / 'sites' / 'none.yaml'}: "
                                        "cannot read site file")


def test_an_inline_site_is_validated_as_a_site_file() -> None:
    text = (
        'name: inline\nstart: "2026-01-05 08:00"\nhorizon_hours: 2\n'
        "site:\n  site: inline\n  doors: [{id: IN1, role: inbound, x: 0, y: 0}]\n"
        "  destinations: [{id: LYON, name: Lyon, postal_codes: ['69*']}]\n"
        "  trailers: [{id: X, door: IN9, destination: LYON, capacity_pallets: 26, departure: '10:00'}]\n"
        + GENERATED
    )
    assert refused(text) == "tiny.yaml: site: trailers[0].door: unknown door 'IN9' (doors: IN1)"


def test_extends_overrides_what_it_sets_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "peak.yaml").write_text(
        "extends: normal-day\nname: my-peak\nhorizon_hours: 6\nforklifts: {count: 45}\n", encoding="utf-8")
    peak = load_scenario(tmp_path / "peak.yaml")
    normal = load_scenario("normal-day")
    assert (peak.name, peak.horizon_hours, peak.forklifts.count) == ("my-peak", 6, 45)
    assert peak.forklifts.speed_m_per_s == normal.forklifts.speed_m_per_s
    assert peak.inbound == normal.inbound
    assert peak.site_config == normal.site_config
    (tmp_path / "loop.yaml").write_text("extends: loop.yaml\nname: loop\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"loop\.yaml: extends: 'loop\.yaml' extends itself"):
        load_scenario(tmp_path / "loop.yaml")


def test_the_generated_site_is_an_i_shaped_dock() -> None:
    site = load_scenario("normal-day").site_config
    inbound = [d for d in site.doors if d.role == "inbound"]
    outbound = [d for d in site.doors if d.role == "outbound"]
    assert (len(site.doors), len(inbound), len(outbound)) == (100, 40, 60)
    assert [d.id for d in site.doors] == [f"D{i}" for i in range(1, 101)]
    assert {d.y for d in inbound} == {0.0}
    assert {d.y for d in outbound} == {40.0}
    # 60 outbound doors 4 m apart span 240 m; the 40 inbound doors are centred on them.
    assert (outbound[0].x, outbound[-1].x) == (2.0, 238.0)
    assert (inbound[0].x, inbound[-1].x) == (42.0, 198.0)
    staging = [(a.id, a.temp) for a in site.areas]
    assert staging == [(f"S{i}", "ambient") for i in range(1, 9)] + [("S9", "chilled"), ("S10", "chilled"),
                                                                     ("S11", "frozen")]
    assert len(site.destinations) == 20
    assert site.zone.key == "Europe/Paris"


def test_every_shipped_scenario_validates() -> None:
    assert shipped_scenarios() == ["black-friday", "central-outage", "late-suppliers", "normal-day",
                                   "reefer-failure", "torbali-hh", "torbali-ll", "torbali-mm"]
    for name in shipped_scenarios():
        assert load_scenario(name).name == name


@pytest.mark.parametrize("name", ["central-outage", "reefer-failure", "torbali-ll"])
def test_a_drawn_day_written_as_lists_loads_and_draws_the_same_day(name: str) -> None:
    scenario = load_scenario(name)
    day = scenario.with_horizon(12).draw(5)
    assert day.disturbances or name == "torbali-ll"
    text = yaml.dump(day_as_scenario(day, name="frozen"), sort_keys=False,
                     Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    again = parse_scenario(text, "frozen.yaml").draw(seed=99)
    assert again.trucks == day.trucks
    assert again.trailers == day.trailers
    assert again.disturbances == day.disturbances
    assert (again.start, again.horizon_min, again.site, again.fleet, again.co2) == (
        day.start, day.horizon_min, day.site, day.fleet, day.co2)
    assert again.scenario == "frozen"


def test_a_misspelt_field_is_named_with_the_missing_one() -> None:
    assert refused(SITE + GENERATED.replace("interarrival_min: 5", "interarival_min: 5")) == (
        "tiny.yaml: inbound.generate.interarrival_min: Field required; "
        "inbound.generate.interarival_min: Extra inputs are not permitted (got 5)"
    )


def test_a_listed_reefers_failure_goes_with_it() -> None:
    text = SITE + LISTED + "disturbances: [{kind: reefer_failure, trailer: X2, start_min: 10, end_min: 130}]\n"
    scenario = parse_scenario(text, "tiny.yaml")
    assert [(d.kind, d.target, d.start_min, d.end_min) for d in scenario.draw(1).disturbances] == [
        ("reefer_failure", "X2", 10, 130)
    ]
    # Cut to 15 minutes, the day has neither X2 (arriving at minute 20) nor its failure (from minute 10).
    short = scenario.with_horizon(0.25).draw(1)
    assert ([t.id for t in short.trailers], short.disturbances) == (["X1"], ())


def test_a_distribution_given_over_an_extended_one_replaces_it(tmp_path: Path) -> None:
    over = tmp_path / "over.yaml"
    over.write_text("extends: normal-day\nname: over\ninbound:\n  generate:\n    interarrival_min: {exponential: 2}\n",
                    encoding="utf-8")
    assert load_scenario(over).inbound.generate is not None
    assert load_scenario(over).inbound.generate.interarrival_min.kind == "exponential"  # type: ignore[union-attr]
    over.write_text("extends: normal-day\nname: over\ninbound:\n  generate:\n    interarrival_min: {weibull: 2}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(over)
    assert "inbound.generate.interarrival_min: unknown distribution 'weibull'" in str(caught.value)

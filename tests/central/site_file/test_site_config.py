from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from xdock.central.site_file.config import SiteConfigError, load_site, parse_site
from xdock.demo.runner import demo_site

ROOT = Path(__file__).resolve().parents[3]

GOOD = """
site: s1
timezone: Europe/Paris
doors:
  - {id: D1, role: inbound, x: 0, y: 0}
  - {id: D12, role: outbound, x: 44, y: 30}
destinations:
  - {id: LYON, name: Lyon, postal_codes: ["69*"], glns: ["3761303211001"]}
trailers:
  - {id: T1, door: D12, destination: LYON, capacity_pallets: 33, departure: "16:40"}
"""


def test_sample_and_demo_sites_are_valid() -> None:
    sample = load_site(ROOT / "deploy" / "site.sample.yaml")
    assert sample.site == "lyon-nord"
    assert len(sample.doors) == 19
    assert {t.id for t in sample.trailers} >= {"T-LYON-1", "T-PARIS-2"}
    assert demo_site().site == "demo"


def test_departure_accepts_quoted_and_bare_times() -> None:
    assert parse_site(GOOD).trailers[0].departure == time(16, 40)
    assert parse_site(GOOD.replace('"16:40"', "16:40")).trailers[0].departure == time(16, 40)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("door: D12,", "door: D99,", "site.yaml: trailers[0].door: unknown door 'D99' (doors: D1, D12)"),
        ("door: D12,", "door: D1,", "site.yaml: trailers[0].door: door 'D1' is inbound, not outbound"),
        ("destination: LYON", "destination: ROME", "site.yaml: trailers[0].destination: unknown destination 'ROME' "
         "(destinations: LYON)"),
        ("capacity_pallets: 33", "capacity_pallets: 0", "site.yaml: trailers[0].capacity_pallets: "
         "Input should be greater than 0"),
        ('"16:40"', '"25:00"', "site.yaml: trailers[0].departure: expected a time of day HH:MM, got '25:00'"),
        ('"16:40"', "25:00", "site.yaml: trailers[0].departure: expected a time of day HH:MM, got 25:00"),
        ("Europe/Paris", "Mars/Olympus", "site.yaml: timezone: unknown time zone 'Mars/Olympus'"),
        ("role: inbound", "role: sideways",
         "site.yaml: doors[0].role: Input should be 'inbound', 'outbound' or 'both'"),
        ("x: 44", "x: .nan", "site.yaml: doors[1].x: must be a finite number of metres"),
        ("id: D12,", "id: D1,", "site.yaml: doors[1].id: duplicate id 'D1'"),
        ('glns: ["3761303211001"]', 'glns: ["37613"]', "site.yaml: destinations[0].glns[0]: Invalid GLN '37613': "
         "expected 13 digits"),
        ('glns: ["3761303211001"]', 'glns: ["3761303211008"]', "site.yaml: destinations[0].glns[0]: Invalid GLN "
         "check digit for '3761303211008': expected 1, got 8"),
        ('postal_codes: ["69*"]', 'postal_codes: ["69/*"]', "site.yaml: destinations[0].postal_codes[0]: Invalid "
         "postal code '69/*': expected 1-20 letters, digits, spaces or -, a letter or digit first, then * for a "
         "prefix"),
        ("site: s1", "site: s/1", "site.yaml: site: Invalid id 's/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("id: D12,", 'id: "D\\x0712",', "site.yaml: doors[1].id: Invalid id 'D\\x0712': expected 1-64 characters "
         "of A-Z a-z 0-9 _ -"),
        ("capacity_pallets: 33", 'capacity_pallets: "33"', "site.yaml: trailers[0].capacity_pallets: Input should "
         "be a valid integer"),
        ("capacity_pallets: 33", "capacity_pallets: true", "site.yaml: trailers[0].capacity_pallets: Input should "
         "be a valid integer"),
        ("x: 44", 'x: "44"', "site.yaml: doors[1].x: Input should be a valid number"),
        ("id: T1,", "id: T/1,", "site.yaml: trailers[0].id: Invalid id 'T/1': expected 1-64 characters of "
         "A-Z a-z 0-9 _ -"),
        ("timezone: Europe/Paris", "timezone: Europe/Paris\ncolour: red", "site.yaml: colour: Extra inputs are not "
         "permitted"),
    ],
)
def test_bad_site_names_field_and_reason(old: str, new: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(SiteConfigError) as err:
        parse_site(GOOD.replace(old, new), "site.yaml")
    assert str(err.value) == message


def test_yaml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(SiteConfigError) as err:
        parse_site("site: a\ndoors: [\n", "site.yaml")
    assert str(err.value).startswith("site.yaml: line 3, column 1: not valid YAML")


def test_not_a_mapping_and_missing_file() -> None:
    with pytest.raises(SiteConfigError, match=r"^s.yaml: expected a mapping with site, doors, trailers; got list$"):
        parse_site("- 1\n", "s.yaml")
    with pytest.raises(SiteConfigError, match=r"nope.yaml: cannot read site file: No such file or directory"):
        load_site(Path("nope.yaml"))


def test_missing_doors_is_refused() -> None:
    with pytest.raises(SiteConfigError) as err:
        parse_site("site: a\n", "s.yaml")
    assert str(err.value) == "s.yaml: doors: Field required"


def test_areas_rules_and_trailer_options() -> None:
    text = GOOD.replace(
        'departure: "16:40"}', 'departure: "16:40", reefer: true, capacity_kg: 18000, accepts_hazmat: false}'
    ) + """
areas:
  - {id: S1, kind: staging, x: 10, y: 15, temp: chilled}
  - {id: B1, kind: breakdown, x: 30, y: 15}
rules:
  change_penalty_m: 150
  segregate: [["3", "5.1"]]
"""
    site = parse_site(text)
    trailer = site.trailers[0]
    assert (trailer.reefer, trailer.capacity_kg, trailer.accepts_hazmat) == (True, 18000.0, False)
    areas = [(a.id, a.kind, a.temp) for a in site.areas]
    assert areas == [("S1", "staging", "chilled"), ("B1", "breakdown", "ambient")]
    assert site.rules.change_penalty_m == 150
    assert site.rules.segregate == [["3", "5.1"]]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("areas:\n  - {id: D1, kind: staging, x: 0, y: 0}\n", "s.yaml: areas[0].id: 'D1' is already a door id"),
        ("areas:\n  - {id: S1, kind: parking, x: 0, y: 0}\n",
         "s.yaml: areas[0].kind: Input should be 'staging' or 'breakdown'"),
        ("rules:\n  segregate: [[\"3\"]]\n",
         "s.yaml: rules.segregate[0]: List should have at least 2 items after validation, not 1"),
        ("rules:\n  change_penalty_m: -1\n",
         "s.yaml: rules.change_penalty_m: Input should be greater than or equal to 0"),
    ],
)
def test_bad_areas_and_rules(extra: str, message: str) -> None:
    with pytest.raises(SiteConfigError) as err:
        parse_site(GOOD + extra, "s.yaml")
    assert str(err.value) == message

"""The site file's sensors section: references checked, errors name the field."""

from __future__ import annotations

import pytest

from xdock.central.sensors.service import temperature_limit
from xdock.central.site_file.config import SiteConfigError, parse_site

HEAD = """
site: s
doors:
  - {id: D12, role: outbound, x: 0, y: 0}
areas:
  - {id: STG-F, kind: staging, x: 1, y: 1, temp: frozen}
  - {id: STG-A, kind: staging, x: 2, y: 1}
destinations: [{id: LYON, name: Lyon}]
trailers:
  - {id: T1, door: D12, destination: LYON, capacity_pallets: 33, departure: "16:40"}
sensors:
"""


def test_limits_default_from_what_the_sensor_watches() -> None:
    site = parse_site(HEAD + """
  - {id: A, kind: temperature, area: STG-F}
  - {id: B, kind: temperature, area: STG-A}
  - {id: C, kind: temperature, trailer: T1, max_c: 4}
  - {id: D, kind: temperature, trailer: T1}
""")
    assert [temperature_limit(s, site) for s in site.sensors] == [-18.0, None, 4.0, None]
    assert site.staging_dwell_minutes == 240.0


@pytest.mark.parametrize(("entry", "error"), [
    ("{id: X, kind: temperature, trailer: T9}", "<site>: sensors[0].trailer: unknown trailer 'T9' (trailers: T1)"),
    ("{id: X, kind: door_contact, door: D99}", "<site>: sensors[0].door: unknown door 'D99' (doors: D12)"),
    ("{id: X, kind: door_contact}", "<site>: sensors[0]: door: a door_contact sensor must name the door it watches"),
    ("{id: X, kind: temperature, trailer: T1, area: STG-A}",
     "<site>: sensors[0]: trailer: a temperature sensor watches exactly one trailer or one area"),
    ("{id: X, kind: door_contact, door: D12, max_c: 3}",
     "<site>: sensors[0]: max_c: only temperature sensors have a limit, not door_contact"),
    ("{id: X, kind: temperature, trailer: T1, grace_s: -1}",
     "<site>: sensors[0].grace_s: Input should be greater than or equal to 0"),
])
def test_a_bad_sensor_entry_is_refused_naming_the_field(entry: str, error: str) -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(HEAD + f"  - {entry}\n")
    assert str(caught.value) == error


def test_a_duplicate_sensor_id_is_refused() -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(HEAD + "  - {id: X, kind: door_contact, door: D12}\n"
                          "  - {id: X, kind: trailer_presence, door: D12}\n")
    assert str(caught.value) == "<site>: sensors[1].id: duplicate id 'X'"


def test_report_s_is_optional_and_defaults_by_kind() -> None:
    site = parse_site(HEAD + """
  - {id: A, kind: temperature, area: STG-F}
  - {id: B, kind: humidity, area: STG-F, report_s: 900}
  - {id: C, kind: door_contact, door: D12}
  - {id: D, kind: trailer_presence, door: D12, report_s: 300}
  - {id: E, kind: door_contact, door: D12, report_s: 0.5}
""")
    assert [(s.report_s, s.report_period_s) for s in site.sensors] == [
        (None, 300.0), (900.0, 900.0), (None, 60.0), (300.0, 300.0), (0.5, 0.5),
    ]


@pytest.mark.parametrize(("value", "error"), [
    ("0", "sensors[0].report_s: Input should be greater than 0"),
    ("-60", "sensors[0].report_s: Input should be greater than 0"),
    ("86401", "sensors[0].report_s: Input should be less than or equal to 86400"),
    (".inf", "sensors[0].report_s: Input should be a finite number"),
    (".nan", "sensors[0].report_s: Input should be a finite number"),
    ("soon", "sensors[0].report_s: Input should be a valid number"),
    ("\"300\"", "sensors[0].report_s: Input should be a valid number"),
])
def test_a_bad_report_s_is_refused_naming_it(value: str, error: str) -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(HEAD + f"  - {{id: X, kind: door_contact, door: D12, report_s: {value}}}\n")
    assert str(caught.value) == f"<site>: {error}"

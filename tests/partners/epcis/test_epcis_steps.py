"""A step that cannot become EPCIS is refused on creation, the error naming the field, expected and found."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from epcis_samples import C1, CET, P1, P2, SITE, step

from xdock.partners.epcis import EpcisError, Reading, event_for, events_for

AT = datetime(2024, 3, 5, 8, 15, tzinfo=CET)
BAD_CHECK = "106141412345678907"


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("receiving", {"ssccs": (P1, BAD_CHECK)},
         "ssccs[1]: Invalid SSCC check digit for '106141412345678907': expected 8, got 7"),
        ("receiving", {"ssccs": (P1, "1234")}, "ssccs[1]: Invalid SSCC '1234': expected 18 digits"),
        ("receiving", {"ssccs": (P1, P2, P1)}, "ssccs[2]: '106141412345678908' repeats ssccs[0]"),
        ("receiving", {"ssccs": ()}, "ssccs: receiving step needs at least one SSCC, got none"),
        ("receiving", {"ssccs": [P1]}, "ssccs: expected a tuple of SSCCs, got list"),
        ("receiving", {"source": ""}, "source: expected a non-empty string, got ''"),
        ("unloading", {},
         "kind: expected receiving, staging, loading, departing or breakdown, got 'unloading'"),
        ("receiving", {"at": datetime(2024, 3, 5, 8, 15)},
         "at: expected an aware datetime (with its UTC offset), got naive 2024-03-05T08:15:00"),
        ("receiving", {"at": AT.replace(tzinfo=timezone(timedelta(hours=14, minutes=30)))},
         "at: expected a UTC offset of whole minutes within ±14:00, got 2024-03-05T08:15:00+14:30"),
        ("receiving", {"at": AT.replace(tzinfo=timezone(timedelta(seconds=30)))},
         "at: expected a UTC offset of whole minutes within ±14:00, got 2024-03-05T08:15:00+00:00:30"),
        ("receiving", {"location": "door 1"},
         "location: Invalid SGLN extension 'door 1': character ' ' is not allowed: expected A-Z a-z 0-9 ! \" % & '"
         " ( ) * + , - . / : ; < = > ? _ (GS1 AI encodable character set 82)"),
        ("loading", {"trailer": None}, "loading step needs a trailer"),
        ("departing", {"trailer": None}, "departing step needs a trailer"),
        ("departing", {"trailer": ""}, "trailer: expected a non-empty string, got ''"),
        ("receiving", {"trailer": "TR-7"}, "trailer: receiving step takes no trailer, got 'TR-7'"),
        ("staging", {"children": (C1,)}, "children: staging step takes no children, got 1"),
        ("breakdown", {"children": ()}, "breakdown step needs children (the SSCCs made from ssccs[0])"),
        ("breakdown", {"ssccs": (P1, P2)}, "ssccs: breakdown step takes one parent SSCC, got 2"),
        ("breakdown", {"children": (C1, BAD_CHECK)},
         "children[1]: Invalid SSCC check digit for '106141412345678907': expected 8, got 7"),
        ("breakdown", {"children": (C1, P1)}, "children[1]: '106141412345678908' is the parent ssccs[0] itself"),
        ("receiving", {"readings": ({"sensor_id": "T1"},)}, "readings[0]: expected a Reading, got dict"),
        ("receiving", {"truck": ""}, "truck: expected a non-empty string, got ''"),
    ],
)
def test_a_bad_step_is_refused_naming_the_field(kind: str, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(EpcisError) as raised:
        step(kind, **fields)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value_c": float("nan")}, "value_c: expected a finite number of degrees Celsius, got nan"),
        ({"value_c": "4.0"}, "value_c: expected a finite number of degrees Celsius, got '4.0'"),
        ({"sensor_id": ""}, "sensor_id: expected a non-empty string, got ''"),
        ({"at": datetime(2024, 3, 5, 8, 10)},
         "at: expected an aware datetime (with its UTC offset), got naive 2024-03-05T08:10:00"),
    ],
)
def test_a_bad_reading_is_refused_naming_the_field(fields: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"sensor_id": "T1", "at": AT, "value_c": 4.0} | fields
    with pytest.raises(EpcisError) as raised:
        Reading(**values)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("loading", {"trailer": "T" * 24}, f"trailer: Invalid trailer id {'T' * 24!r}: expected 1 to 23 characters,"
                                           " got 24"),
        ("receiving", {"readings": (Reading("T1", AT, 4.0), Reading("T 2", AT, 4.0))},
         "readings[1].sensor_id: Invalid sensor id 'T 2': character ' ' is not allowed: expected A-Z a-z 0-9 ! \" % &"
         " ' ( ) * + , - . / : ; < = > ? _ (GS1 AI encodable character set 82)"),
        ("receiving", {"shipment_id": "ASN 1"},
         "shipment_id: Invalid business transaction id 'ASN 1': character ' ' is not allowed: expected A-Z a-z 0-9"
         " ! \" % & ' ( ) * + , - . / : ; < = > ? _ (GS1 AI encodable character set 82)"),
    ],
)
def test_what_the_site_cannot_name_is_refused_when_the_events_are_built(
    kind: str, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(EpcisError) as raised:
        events_for(step(kind, **fields), SITE)
    assert str(raised.value) == message


def test_event_for_a_breakdown_says_to_take_all_its_events() -> None:
    with pytest.raises(EpcisError) as raised:
        event_for(step("breakdown"), SITE)
    assert str(raised.value) == "kind: a breakdown step makes 2 events: use events_for"

"""Each step kind as its exact EPCIS 2.0 events, valid against GS1's schema, with stable event ids."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from epcis_samples import C1, C2, CET, P1, P2, SITE, SITE_SGLN, context_words, dl, schema_errors, step, steps
from hypothesis import assume, given
from hypothesis import strategies as st

from xdock.partners.epcis import Reading, Step, event_for, event_id, events_for

HEAD = {"eventTime": "2024-03-05T08:15:00+01:00", "eventTimeZoneOffset": "+01:00"}
DOOR = {"readPoint": {"id": "urn:epc:id:sgln:0614141.00001.D-1"}}
AT_SITE = {"bizLocation": {"id": SITE_SGLN}}


def an_id(kind: str, position: int = 0) -> dict[str, str]:
    return {"eventID": event_id(f"lyon-nord/event/{kind}", position)}


def test_a_receiving_with_its_truck_asn_and_readings() -> None:
    receiving = step(
        "receiving", truck="TRK-9", shipment_id="ASN-1",
        readings=(
            Reading("T1", datetime(2024, 3, 5, 8, 10, tzinfo=CET), 3.5),
            Reading("T2", datetime(2024, 3, 5, 8, 11, tzinfo=CET), 4),
            Reading("T1", datetime(2024, 3, 5, 8, 12, tzinfo=CET), 3.75),
        ),
    )
    assert events_for(receiving, SITE) == [{
        "type": "ObjectEvent", **HEAD, **an_id("receiving"),
        "epcList": [dl(P1), dl(P2)], "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
        **DOOR, **AT_SITE,
        "bizTransactionList": [
            {"type": "bol", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000012:TRK-9"},
            {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000012:ASN-1"},
        ],
        "sensorElementList": [
            {"sensorMetadata": {"deviceID": "urn:epc:id:giai:0614141.T1"}, "sensorReport": [
                {"type": "Temperature", "time": "2024-03-05T08:10:00+01:00", "value": 3.5, "uom": "CEL"},
                {"type": "Temperature", "time": "2024-03-05T08:12:00+01:00", "value": 3.75, "uom": "CEL"},
            ]},
            {"sensorMetadata": {"deviceID": "urn:epc:id:giai:0614141.T2"}, "sensorReport": [
                {"type": "Temperature", "time": "2024-03-05T08:11:00+01:00", "value": 4.0, "uom": "CEL"},
            ]},
        ],
    }]


def test_a_staging() -> None:
    assert event_for(step("staging", location="STG-A"), SITE) == {
        "type": "ObjectEvent", **HEAD, **an_id("staging"),
        "epcList": [dl(P1), dl(P2)], "action": "OBSERVE", "bizStep": "staging_outbound",
        "disposition": "in_progress", "readPoint": {"id": "urn:epc:id:sgln:0614141.00001.STG-A"}, **AT_SITE,
    }


def test_a_loading_adds_the_pallets_to_the_trailer() -> None:
    assert event_for(step("loading"), SITE) == {
        "type": "AggregationEvent", **HEAD, **an_id("loading"),
        "parentID": "urn:epc:id:giai:0614141.TR-7", "childEPCs": [dl(P1), dl(P2)], "action": "ADD",
        "bizStep": "loading", "disposition": "in_progress", **DOOR, **AT_SITE,
    }


def test_a_departing_observes_the_trailer_with_its_pallets_in_transit() -> None:
    assert event_for(step("departing"), SITE) == {
        "type": "AggregationEvent", **HEAD, **an_id("departing"),
        "parentID": "urn:epc:id:giai:0614141.TR-7", "childEPCs": [dl(P1), dl(P2)], "action": "OBSERVE",
        "bizStep": "departing", "disposition": "in_transit", **DOOR,
    }


def test_a_breakdown_unpacks_the_parent_then_makes_the_children_from_it() -> None:
    reading = Reading("T9", datetime(2024, 3, 5, 8, 14, tzinfo=CET), 5.0)
    area = {"readPoint": {"id": "urn:epc:id:sgln:0614141.00001.BD-1"}}
    assert events_for(step("breakdown", readings=(reading,)), SITE) == [
        {
            "type": "AggregationEvent", **HEAD, **an_id("breakdown", 0),
            "parentID": dl(P1), "action": "DELETE", "bizStep": "unpacking", "disposition": "in_progress",
            **area, **AT_SITE,
            "sensorElementList": [{"sensorMetadata": {"deviceID": "urn:epc:id:giai:0614141.T9"}, "sensorReport": [
                {"type": "Temperature", "time": "2024-03-05T08:14:00+01:00", "value": 5.0, "uom": "CEL"},
            ]}],
        },
        {
            "type": "TransformationEvent", **HEAD, **an_id("breakdown", 1),
            "inputEPCList": [dl(P1)], "outputEPCList": [dl(C1), dl(C2)], "bizStep": "repackaging",
            "disposition": "in_progress", **area, **AT_SITE,
        },
    ]


@pytest.mark.parametrize("kind", ["receiving", "staging", "loading", "departing", "breakdown"])
def test_every_kind_makes_events_the_schema_accepts(kind: str) -> None:
    events = events_for(step(kind, truck="TRK-9", shipment_id="ASN-1"), SITE)
    assert schema_errors(events) == []


def test_escaped_door_and_trailer_ids_still_make_valid_events() -> None:
    loading = step("loading", location='a"%&/<>?b', trailer="!'()*+,-.:;=_", shipment_id="ASN/1")
    event = event_for(loading, SITE)
    assert (event["readPoint"], event["parentID"], event["bizTransactionList"]) == (
        {"id": "urn:epc:id:sgln:0614141.00001.a%22%25%26%2F%3C%3E%3Fb"}, "urn:epc:id:giai:0614141.!'()*+,-.:;=_",
        [{"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000012:ASN%2F1"}],
    )
    assert schema_errors([event]) == []


def test_the_schema_check_has_teeth() -> None:
    event = event_for(step("receiving"), SITE)
    assert schema_errors([event | {"bizStep": "recieving"}, event | {"eventTimeZoneOffset": "+1:00"}]) == [
        "epcisBody/eventList/0/bizStep: \"recieving\" is not valid under any of the schemas listed in the 'anyOf'"
        " keyword",
        "epcisBody/eventList/1/eventTimeZoneOffset: \"+1:00\" does not match \"^([+]|[-])((0[0-9]|1[0-3]):([0-5]"
        "[0-9])|14:00)$\"",
    ]


@given(steps())
def test_any_valid_step_makes_events_the_schema_accepts(any_step: Step) -> None:
    assert schema_errors(events_for(any_step, SITE)) == []


@given(steps())
def test_the_words_our_events_use_are_the_ones_the_standard_context_maps(any_step: Step) -> None:
    for event in events_for(any_step, SITE):
        assert event["bizStep"] in context_words("bizStep")
        assert event["disposition"] in context_words("disposition")
        assert {t["type"] for t in event.get("bizTransactionList", [])} <= context_words("bizTransactionList", "type")
        reports = [r for element in event.get("sensorElementList", []) for r in element["sensorReport"]]
        assert {r["type"] for r in reports} <= context_words("sensorElementList", "sensorReport", "type")


@pytest.mark.parametrize(
    ("offset", "shown"),
    [(timedelta(0), "+00:00"), (timedelta(hours=-5, minutes=-30), "-05:30"), (timedelta(hours=14), "+14:00"),
     (timedelta(hours=5, minutes=45), "+05:45")],
)
def test_the_time_zone_offset_is_the_steps(offset: timedelta, shown: str) -> None:
    at = datetime(2024, 3, 5, 8, 15, tzinfo=timezone(offset))
    event = event_for(step("staging", at=at), SITE)
    assert (event["eventTime"], event["eventTimeZoneOffset"]) == (f"2024-03-05T08:15:00{shown}", shown)


@given(steps())
def test_the_same_step_sent_again_gets_the_same_event_ids(any_step: Step) -> None:
    again = Step(**{field: getattr(any_step, field) for field in any_step.__dataclass_fields__})
    assert [e["eventID"] for e in events_for(again, SITE)] == [e["eventID"] for e in events_for(any_step, SITE)]


@given(steps(), steps())
def test_different_sources_get_different_event_ids(first: Step, second: Step) -> None:
    assume(first.source != second.source)
    ids: list[Any] = [e["eventID"] for s in (first, second) for e in events_for(s, SITE)]
    assert len(set(ids)) == len(ids)


@given(st.tuples(st.text(min_size=1), st.integers(0, 3)), st.tuples(st.text(min_size=1), st.integers(0, 3)))
def test_different_source_or_position_different_event_id(first: tuple[str, int], second: tuple[str, int]) -> None:
    assume(first != second)
    assert event_id(*first) != event_id(*second)


def test_the_event_id_is_pinned_so_ids_already_sent_never_change() -> None:
    assert event_id("lyon-nord/event/1234", 0) == "urn:uuid:1d33fe5a-e5cd-5f11-ab91-d91412689115"
    assert event_id("lyon-nord/event/1234", 1) == "urn:uuid:0ffb5bf8-92a7-5da2-abf3-86c8e08d1429"

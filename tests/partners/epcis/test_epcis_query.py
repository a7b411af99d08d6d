"""EPCIS queries over our events: each parameter parsed and refused exactly, matching, and paging by token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from epcis_samples import C1, CET, P1, P2, P3, SITE, dl, step
from hypothesis import given
from hypothesis import strategies as st

from xdock.partners.epcis import EpcisQueryError, QueryParams, events_for, select

OTHER = "001234560000000018"
"""A pallet of another company: prefix 0123456 (7 digits) after extension digit 0."""
START = datetime(2024, 3, 5, 6, 0, tzinfo=CET)


def day() -> list[dict[str, Any]]:
    """25 events, one a minute from 06:00 CET: receiving, staging, loading, departing of P1-P3 and OTHER."""
    kinds = ["receiving", "staging", "loading", "departing"]
    pallets = [(P1,), (P2, P3), (OTHER,), (P1, OTHER)]
    return [
        event
        for i in range(25)
        for event in events_for(
            step(kinds[i % 4], source=f"ev/{i}", at=START + timedelta(minutes=i), ssccs=pallets[i % 4]), SITE
        )
    ]


def sources(events: list[Any]) -> list[int]:
    """Which of :func:`day`'s events these are, by minute."""
    return [round((datetime.fromisoformat(e["eventTime"]) - START) / timedelta(minutes=1)) for e in events]


def run(**parameters: str) -> list[int]:
    page, token = select(day(), QueryParams.parse(parameters))
    assert token is None
    return sources(page)


def test_parse_reads_every_standard_parameter() -> None:
    assert QueryParams.parse({
        "eventType": "ObjectEvent, AggregationEvent", "GE_eventTime": "2024-03-05T06:00:00+01:00",
        "LT_eventTime": "2024-03-05T07:00:00Z", "EQ_bizStep": "receiving,https://ref.gs1.org/cbv/BizStep-loading",
        "MATCH_epc": f"{dl(P1)},urn:epc:idpat:sscc:0614141.*", "perPage": "10", "nextPageToken": "abc",
    }) == QueryParams(
        event_type=frozenset({"ObjectEvent", "AggregationEvent"}), ge_event_time=START,
        lt_event_time=datetime(2024, 3, 5, 7, 0, tzinfo=UTC), eq_biz_step=frozenset({"receiving", "loading"}),
        match_epc=(dl(P1), "urn:epc:idpat:sscc:0614141.*"), per_page=10, next_page_token="abc",
    )
    assert QueryParams.parse({}) == QueryParams()


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"eventType": "ObjectEvent,Foo"},
         "eventType: expected ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent,"
         " got 'Foo'"),
        ({"GE_eventTime": "yesterday"},
         "GE_eventTime: expected a date-time with its UTC offset (2024-03-05T08:00:00+01:00), got 'yesterday'"),
        ({"LT_eventTime": "2024-03-05T08:00:00"},
         "LT_eventTime: expected a date-time with its UTC offset (2024-03-05T08:00:00+01:00), got"
         " '2024-03-05T08:00:00'"),
        ({"EQ_bizStep": "recieving"},
         "EQ_bizStep: expected a CBV business step (receiving, loading, ...) or a URI, got 'recieving'"),
        ({"MATCH_epc": "106141412345678908"},
         "MATCH_epc: expected an EPC URI (urn:epc:id:...), an EPC pattern (urn:epc:idpat:...) or a Digital Link"
         " URI, got '106141412345678908'"),
        ({"MATCH_epc": "urn:epc:id:sscc:0614141.*"},
         "MATCH_epc: expected a * only in a pattern URI (urn:epc:idpat:...), got 'urn:epc:id:sscc:0614141.*'"),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:0614141.*.12"},
         "MATCH_epc: expected components followed by a trailing run of * (urn:epc:idpat:sscc:0614141.*), got"
         " 'urn:epc:idpat:sgtin:0614141.*.12'"),
        ({"MATCH_epc": "urn:epc:idpat:sscc:06141.*"},
         "MATCH_epc: expected an SSCC company prefix of 6 to 12 digits, got 'urn:epc:idpat:sscc:06141.*'"),
        ({"MATCH_epc": "urn:epc:id:sscc:0614141.12"},
         "MATCH_epc: Invalid SSCC URN 'urn:epc:id:sscc:0614141.12': expected a 6-12 digit company prefix and a"
         " serial reference, 17 digits together, got 7 and 2"),
        ({"perPage": "0"}, "perPage: expected a whole number from 1 to 1000, got 0"),
        ({"perPage": "1001"}, "perPage: expected a whole number from 1 to 1000, got 1001"),
        ({"perPage": "ten"}, "perPage: expected a whole number from 1 to 1000, got 'ten'"),
        ({"eventCountLimit": "5"},
         "eventCountLimit: not a parameter this query takes: expected one of eventType, GE_eventTime, LT_eventTime,"
         " EQ_bizStep, MATCH_epc, perPage, nextPageToken"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it_and_its_value(parameters: dict[str, str], message: str) -> None:
    with pytest.raises(EpcisQueryError) as raised:
        QueryParams.parse(parameters)
    assert str(raised.value) == message


def test_event_type() -> None:
    assert run(eventType="ObjectEvent") == [0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24]
    assert run(eventType="AggregationEvent", GE_eventTime="2024-03-05T06:10:00+01:00") == [10, 11, 14, 15, 18, 19,
                                                                                          22, 23]


def test_event_time_bounds_take_the_instant_ge_inclusive_lt_exclusive() -> None:
    assert run(GE_eventTime="2024-03-05T06:20:00+01:00") == [20, 21, 22, 23, 24]
    assert run(LT_eventTime="2024-03-05T05:03:00Z") == [0, 1, 2]
    assert run(GE_eventTime="2024-03-05T00:05:00-05:00", LT_eventTime="2024-03-05T06:08:00+01:00") == [5, 6, 7]


def test_biz_step_bare_or_as_its_cbv_uri() -> None:
    assert run(EQ_bizStep="departing") == [3, 7, 11, 15, 19, 23]
    assert run(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-departing") == [3, 7, 11, 15, 19, 23]
    both = "staging_outbound,urn:epcglobal:cbv:bizstep:receiving"
    assert run(EQ_bizStep=both, LT_eventTime="2024-03-05T06:06:00+01:00") == [0, 1, 4, 5]


def test_match_epc_looks_in_epc_list_child_epcs_and_parent_id() -> None:
    all_minutes = list(range(25))
    assert run(MATCH_epc=dl(P1)) == [i for i in all_minutes if i % 4 in (0, 3)]
    assert run(MATCH_epc=dl(OTHER)) == [i for i in all_minutes if i % 4 in (2, 3)]
    assert run(MATCH_epc="urn:epc:id:giai:0614141.TR-7") == [i for i in all_minutes if i % 4 in (2, 3)]
    assert run(MATCH_epc=f"{dl(P2)},{dl(OTHER)}") == [i for i in all_minutes if i % 4 in (1, 2, 3)]


def test_an_sscc_urn_matches_the_digital_link_our_events_carry() -> None:
    assert run(MATCH_epc="urn:epc:id:sscc:0123456.0000000001") == [i for i in range(25) if i % 4 in (2, 3)]
    assert run(MATCH_epc="urn:epc:id:sscc:012345.06000000001") == [i for i in range(25) if i % 4 in (2, 3)]


def test_a_wildcard_in_the_last_component() -> None:
    """Company 0614141's pallets are P1-P3; OTHER is company 0123456's, alone at minute 2 of each four."""
    assert run(MATCH_epc="urn:epc:idpat:sscc:0614141.*") == [i for i in range(25) if i % 4 != 2]
    assert run(MATCH_epc="urn:epc:idpat:sscc:0123456.*") == [i for i in range(25) if i % 4 in (2, 3)]
    assert run(MATCH_epc="urn:epc:idpat:sscc:061414.*") == [i for i in range(25) if i % 4 != 2]
    assert run(MATCH_epc="urn:epc:idpat:sscc:0614142.*") == []
    assert run(MATCH_epc="urn:epc:idpat:giai:0614141.*") == [i for i in range(25) if i % 4 in (2, 3)]
    assert run(MATCH_epc="urn:epc:idpat:sscc:*.*") == list(range(25))


def test_breakdown_events_match_by_parent() -> None:
    events = events_for(step("breakdown"), SITE)
    page, _ = select(events, QueryParams(match_epc=(dl(P1),)))
    assert [e["type"] for e in page] == ["AggregationEvent"]
    page, _ = select(events, QueryParams(match_epc=(dl(C1),)))
    assert page == []


def test_paging_through_25_events_10_at_a_time_returns_each_once_in_time_order() -> None:
    events = day()[::-1]  # the order given does not matter: eventTime, then eventID
    pages: list[list[int]] = []
    token: str | None = None
    params = QueryParams.parse({"perPage": "10"})
    while True:
        page, token = select(events, params, token)
        pages.append(sources(page))
        if token is None:
            break
    assert pages == [list(range(10)), list(range(10, 20)), list(range(20, 25))]


def test_the_token_also_comes_as_the_next_page_token_parameter() -> None:
    _, token = select(day(), QueryParams.parse({"perPage": "20"}))
    assert token is not None
    page, last = select(day(), QueryParams.parse({"perPage": "20", "nextPageToken": token}))
    assert (sources(page), last) == ([20, 21, 22, 23, 24], None)


@given(st.integers(1, 30))
def test_any_page_size_serves_every_event_once(per_page: int) -> None:
    events, served, token = day(), [], None
    while True:
        page, token = select(events, QueryParams(per_page=per_page), token)
        assert 0 < len(page) <= per_page
        served += sources(page)
        if token is None:
            break
    assert served == list(range(25))


def test_events_at_the_same_instant_page_by_event_id() -> None:
    same_time = [events_for(step("staging", source=f"s/{i}", at=START), SITE)[0] for i in range(7)]
    seen: list[str] = []
    token: str | None = None
    while True:
        page, token = select(same_time, QueryParams(per_page=3), token)
        seen += [e["eventID"] for e in page]
        if token is None:
            break
    assert seen == sorted(e["eventID"] for e in same_time)


def test_a_tampered_token_is_refused() -> None:
    params = QueryParams(per_page=10)
    _, token = select(day(), params)
    assert token is not None
    tampered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    for bad in (tampered, token[:-4], "not-a-token!", ""):
        with pytest.raises(EpcisQueryError) as raised:
            select(day(), params, bad)
        shown = repr(bad) if len(bad) <= 40 else repr(bad[:40]) + "..."
        assert str(raised.value) == (
            f"nextPageToken: not a token this service issued (edited or truncated?), got {shown}"
        )


def test_a_token_of_another_query_is_refused() -> None:
    _, token = select(day(), QueryParams(per_page=10))
    assert token is not None
    with pytest.raises(EpcisQueryError) as raised:
        select(day(), QueryParams(per_page=10, eq_biz_step=frozenset({"loading"})), token)
    assert str(raised.value) == "nextPageToken: the token belongs to another query: send the same parameters again"

"""``GET /api/v1/epcis/events``: the site's EPCIS events as one EPCISDocument, filtered by the standard's
query parameters, paged through the ``Link`` header; a bad parameter is a 422 naming it, a site file
without a GLN a 404. The floor is :mod:`support.departure_day`'s morning.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.central_rig import running_api
from support.departure_day import SITE, play_day, schema_errors
from support.scans import AT, scan, sscc
from support.sites import site_config
from xdock.central.app import Central
from xdock.central.partners.epcis_log import EpcisLog
from xdock.partners.epcis import sscc_urn
from xdock.protocol.clock import ManualClock

URL = "/api/v1/epcis/events"
LINK = re.compile(r'<(/api/v1/epcis/events\?[^>]*nextPageToken=[A-Za-z0-9_-]+)>; rel="next"')


@dataclass
class Api:
    central: Central
    http: httpx.AsyncClient
    clock: ManualClock

    @property
    def epcis(self) -> EpcisLog:
        assert self.central.epcis is not None
        return self.central.epcis


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    clock = ManualClock(AT)
    async with running_api(SITE, tmp_path / "c.db", clock, auth=False) as (central, http):
        play_day(central.site, clock)
        yield Api(central, http, clock)


def dl(pallet: int) -> str:
    return f"https://id.gs1.org/00/{sscc(pallet)}"


def told(events: list[dict[str, Any]]) -> list[tuple[str, tuple[int, ...]]]:
    """Each event as (bizStep, the pallets it names by number), sorted."""
    numbers = {dl(n): n for n in range(1, 10)}
    return sorted((e["bizStep"], tuple(numbers[epc] for epc in e.get("epcList", e.get("childEPCs", ()))))
                  for e in events)


async def test_the_whole_log_is_one_epcis_document_in_event_time_order(api: Api) -> None:
    response = await api.http.get(URL)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/ld+json")
    assert "link" not in response.headers
    document = response.json()
    ordered = sorted(api.epcis.all(), key=lambda e: (e["eventTime"], e["eventID"]))
    assert document == {
        "@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld", "type": "EPCISDocument",
        "schemaVersion": "2.0", "creationDate": "2026-11-23T07:02:00+00:00", "epcisBody": {"eventList": ordered},
    }
    assert schema_errors(document) == []
    assert told(document["epcisBody"]["eventList"]) == [
        ("departing", (1, 2)), ("loading", (1,)), ("loading", (2,)), ("receiving", (1,)), ("receiving", (2,)),
        ("receiving", (3,)), ("receiving", (4,)), ("staging_outbound", (4,)),
    ]


RECEIVED = [("receiving", (1,)), ("receiving", (2,)), ("receiving", (3,)), ("receiving", (4,)),
            ("staging_outbound", (4,))]
LOADED = [("loading", (1,)), ("loading", (2,))]


@pytest.mark.parametrize(("query", "expected"), [
    ({"eventType": "AggregationEvent"}, [("departing", (1, 2)), *LOADED]),
    ({"eventType": "ObjectEvent,TransformationEvent"}, RECEIVED),
    ({"GE_eventTime": "2026-11-23T08:01:00+01:00"}, [("departing", (1, 2)), *LOADED]),
    ({"LT_eventTime": "2026-11-23T07:01:00Z"}, RECEIVED),
    ({"GE_eventTime": "2026-11-23T07:01:00Z", "LT_eventTime": "2026-11-23T07:02:00Z"}, LOADED),
    ({"EQ_bizStep": "departing"}, [("departing", (1, 2))]),
    ({"EQ_bizStep": "receiving, loading"}, sorted([*LOADED, *RECEIVED[:4]])),
    ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-staging_outbound"}, [("staging_outbound", (4,))]),
    ({"MATCH_epc": dl(1)}, [("departing", (1, 2)), ("loading", (1,)), ("receiving", (1,))]),
    ({"MATCH_epc": sscc_urn(sscc(4), 7)}, [("receiving", (4,)), ("staging_outbound", (4,))]),
    ({"MATCH_epc": "urn:epc:id:giai:3761303.T-LYON-1"}, [("departing", (1, 2)), *LOADED]),
    ({"MATCH_epc": f"{dl(3)},{dl(4)}"}, [("receiving", (3,)), ("receiving", (4,)), ("staging_outbound", (4,))]),
    ({"MATCH_epc": "urn:epc:idpat:sscc:3761303.*", "eventType": "ObjectEvent"}, RECEIVED),
    ({"MATCH_epc": "urn:epc:idpat:sscc:4012345.*"}, []),
    ({"EQ_bizStep": "departing", "eventType": "ObjectEvent"}, []),
])
async def test_each_parameter_keeps_the_events_it_names(
    api: Api, query: dict[str, str], expected: list[tuple[str, tuple[int, ...]]],
) -> None:
    response = await api.http.get(URL, params=query)
    assert response.status_code == 200
    assert told(response.json()["epcisBody"]["eventList"]) == expected


async def pages(http: httpx.AsyncClient, query: dict[str, str]) -> list[list[dict[str, Any]]]:
    """Every page of ``query``, following the Link headers to the end."""
    response = await http.get(URL, params=query)
    got = [response.json()["epcisBody"]["eventList"]]
    while "link" in response.headers:
        match = LINK.fullmatch(response.headers["link"])
        assert match is not None, response.headers["link"]
        response = await http.get(match.group(1))
        assert response.status_code == 200
        got.append(response.json()["epcisBody"]["eventList"])
    return got


async def test_paging_through_the_link_header_serves_each_event_once(api: Api) -> None:
    served = await pages(api.http, {"perPage": "3"})
    assert [len(page) for page in served] == [3, 3, 2]
    ids = [e["eventID"] for page in served for e in page]
    assert sorted(ids) == sorted(e["eventID"] for e in api.epcis.all())
    assert len(set(ids)) == 8
    assert await pages(api.http, {"perPage": "8"}) == [[e for page in served for e in page]]


async def test_the_next_page_keeps_the_filters(api: Api) -> None:
    first = await api.http.get(URL, params={"eventType": "ObjectEvent", "perPage": "2"})
    match = LINK.fullmatch(first.headers["link"])
    assert match is not None
    assert match.group(1).startswith(f"{URL}?eventType=ObjectEvent&perPage=2&nextPageToken=")
    served = await pages(api.http, {"eventType": "ObjectEvent", "perPage": "2"})
    assert [len(page) for page in served] == [2, 2, 1]
    assert told([e for page in served for e in page]) == RECEIVED


async def test_an_event_added_between_two_pages_is_served_once(api: Api) -> None:
    first = await api.http.get(URL, params={"perPage": "5"})
    match = LINK.fullmatch(first.headers["link"])
    assert match is not None
    api.central.site.apply_scan(scan(20, n=7, postal="75001"))  # at 07:02, after every event served so far
    rest = (await api.http.get(match.group(1))).json()["epcisBody"]["eventList"]
    ids = [e["eventID"] for e in first.json()["epcisBody"]["eventList"] + rest]
    assert len(ids) == len(set(ids)) == 9
    assert rest[-1]["epcList"] == [dl(7)]


@pytest.mark.parametrize(("query", "field_name", "detail"), [
    ({"eventType": "Foo"}, "eventType", "eventType: expected ObjectEvent, AggregationEvent, TransactionEvent,"
     " TransformationEvent, AssociationEvent, got 'Foo'"),
    ({"GE_eventTime": "2026-11-23T08:00:00"}, "GE_eventTime", "GE_eventTime: expected a date-time with its UTC"
     " offset (2024-03-05T08:00:00+01:00), got '2026-11-23T08:00:00'"),
    ({"LT_eventTime": "soon"}, "LT_eventTime", "LT_eventTime: expected a date-time with its UTC offset"
     " (2024-03-05T08:00:00+01:00), got 'soon'"),
    ({"EQ_bizStep": "stacking"}, "EQ_bizStep",
     "EQ_bizStep: expected a CBV business step (receiving, loading, ...) or a URI, got 'stacking'"),
    ({"MATCH_epc": sscc(1)}, "MATCH_epc", "MATCH_epc: expected an EPC URI (urn:epc:id:...), an EPC pattern"
     f" (urn:epc:idpat:...) or a Digital Link URI, got '{sscc(1)}'"),
    ({"perPage": "0"}, "perPage", "perPage: expected a whole number from 1 to 1000, got 0"),
    ({"perPage": "ten"}, "perPage", "perPage: expected a whole number from 1 to 1000, got 'ten'"),
    ({"nextPageToken": "abc"}, "nextPageToken",
     "nextPageToken: not a token this service issued (edited or truncated?), got 'abc'"),
    ({"eventtype": "ObjectEvent"}, "eventtype", "eventtype: not a parameter this query takes: expected one of"
     " eventType, GE_eventTime, LT_eventTime, EQ_bizStep, MATCH_epc, perPage, nextPageToken"),
])
async def test_a_bad_parameter_is_a_422_naming_it(
    api: Api, query: dict[str, str], field_name: str, detail: str,
) -> None:
    response = await api.http.get(URL, params=query)
    assert (response.status_code, response.headers["content-type"]) == (422, "application/problem+json")
    body = response.json()
    assert (body["status"], body["field"], body["detail"]) == (422, field_name, detail)


async def test_a_page_token_serves_only_its_own_query(api: Api) -> None:
    first = await api.http.get(URL, params={"perPage": "3"})
    match = LINK.fullmatch(first.headers["link"])
    assert match is not None
    token = match.group(1).rsplit("nextPageToken=", 1)[1]
    response = await api.http.get(URL, params={"perPage": "3", "eventType": "ObjectEvent", "nextPageToken": token})
    assert (response.status_code, response.json()["field"], response.json()["detail"]) == (
        422, "nextPageToken", "nextPageToken: the token belongs to another query: send the same parameters again")


async def test_a_site_file_without_gln_tells_no_epcis(tmp_path: Path) -> None:
    clock = ManualClock(AT)
    async with running_api(site_config(), tmp_path / "c.db", clock, auth=False) as (central, http):
        central.site.apply_scan(scan(1))
        response = await http.get(URL)
        assert (response.status_code, response.headers["content-type"]) == (404, "application/problem+json")
        assert (response.json()["field"], response.json()["detail"]) == (
            "gln", "the site file gives no gln and gs1_company_prefix_length: no EPCIS events")

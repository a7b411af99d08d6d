"""Advance shipping notices over REST: a DESADV or its JSON in, applied once or refused (problem+json); receiving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.advices import LYON_GLN, NICE_GLN, PARIS_GLN, SUPPLIER_GLN, advice, advice_site, edifact, pallet
from support.central_rig import api_client, built_central
from support.scans import AT, scan, sscc
from support.sites import inbound, outbound, staging
from xdock.central.api.auth import UserAdmin
from xdock.central.app import Central
from xdock.partners.desadv import to_json
from xdock.protocol.clock import ManualClock

SITE = advice_site(doors=[inbound(), outbound()], areas=[staging(), staging("B1", 8, 10, kind="breakdown")],
                   sscc_prefix="03761303")
ASN = f"{SUPPLIER_GLN}/SHP-1"
SENT = advice(pallet(1), pallet(2, to=PARIS_GLN))
EDI = {"Content-Type": "application/edifact"}
PROBLEM = "application/problem+json"
APPLIED = {"id": ASN, "shipment_id": "SHP-1", "supplier_gln": SUPPLIER_GLN, "truck": "IN-1",
           "received_at": "2026-11-23T07:00:00Z", "source": "api", "pallets": 2, "applied_before": False}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(AT)


@pytest.fixture
async def central(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Central]:
    built = built_central(SITE, tmp_path / "c.db", clock)
    yield built
    await built.aclose()


@pytest.fixture
async def api(central: Central) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(central) as client:
        yield client


def _problem(status: int, title: str, detail: str, field: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, "field": field}


async def _post(api: httpx.AsyncClient, text: str, content_type: str = "application/edifact") -> httpx.Response:
    return await api.post("/api/v1/asns", content=text.encode(), headers={"Content-Type": content_type})


async def test_an_advice_is_applied_201_and_sent_again_200_applied_before(api: httpx.AsyncClient) -> None:
    r = await _post(api, edifact(SENT))
    assert (r.status_code, r.json()) == (201, APPLIED)
    again = await api.post("/api/v1/asns", json=to_json(SENT))  # the same advice in its JSON form
    assert (again.status_code, again.json()) == (200, APPLIED | {"applied_before": True})
    assert (await api.get("/api/v1/asns")).json() == [APPLIED]
    assert (await api.get("/api/v1/asns?truck=IN-1")).json() == [APPLIED]
    assert (await api.get("/api/v1/asns?truck=IN-2")).json() == []
    [truck] = (await api.get("/api/v1/inbound-trucks")).json()
    assert (truck["id"], truck["pallets"], truck["destinations"], truck["carrier"]) == (
        "IN-1", 2, {"LYON": 1, "PARIS": 1}, "Rapid Freight")
    kinds = [e["kind"] for e in (await api.get("/api/v1/events")).json()]
    assert kinds == ["inbound_truck_announced", "asn_applied"]


async def test_json_and_plain_text_are_read_by_their_content_type(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/v1/asns", json=to_json(SENT), headers={"Content-Type": "application/json; charset=utf-8"})
    assert (r.status_code, r.json()["pallets"]) == (201, 2)
    other = advice(pallet(3), shipment="SHP-2")
    r = await _post(api, edifact(other), "text/plain")
    assert (r.status_code, r.json()["id"], r.json()["pallets"]) == (201, f"{SUPPLIER_GLN}/SHP-2", 1)


async def test_a_message_that_does_not_read_is_422_naming_segment_and_element(api: httpx.AsyncClient) -> None:
    bad = edifact(SENT).replace(sscc(2), sscc(2)[:-1] + "0")
    r = await _post(api, bad)
    assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM)
    assert r.json() == _problem(422, "Unprocessable Content", f"segment 21 GIN+BJ: SSCC {sscc(2)[:-1]}0: bad check"
                                f" digit (expected {sscc(2)[-1]}, got 0)", "body")
    r = await api.post("/api/v1/asns", json=to_json(SENT) | {"pallets": []})
    assert r.json() == _problem(422, "Unprocessable Content", "pallets: Tuple should have at least 1 item after"
                                " validation, not 0", "pallets")
    assert (await api.get("/api/v1/asns")).json() == []
    assert (await api.get("/api/v1/inbound-trucks")).json() == []


@pytest.mark.parametrize("content_type", ["application/xml", "application/edi-x12", None])
async def test_another_content_type_is_415(api: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    r = await api.post("/api/v1/asns", content=edifact(SENT).encode(), headers=headers)
    assert (r.status_code, r.headers["content-type"]) == (415, PROBLEM)
    body = r.json()
    assert (body["status"], body["field"], body["detail"]) == (
        415, "Content-Type", f"Content-Type {content_type or '(none)'} is neither application/edifact nor"
        " application/json")
    assert (await api.get("/api/v1/asns")).json() == []


async def test_refusals_are_problems_naming_the_field(central: Central, api: httpx.AsyncClient) -> None:
    await _post(api, edifact(SENT))
    r = await _post(api, edifact(advice(pallet(1), shipment="SHP-1")))
    assert r.json() == _problem(409, "Conflict", f"shipment SHP-1 of supplier {SUPPLIER_GLN} was applied on"
                                " 2026-11-23T07:00:00+00:00 with other content; send a new shipment id", "shipment_id")
    r = await _post(api, edifact(advice(pallet(2), shipment="SHP-2")))
    assert r.json() == _problem(409, "Conflict", f"pallets[0] (SSCC {sscc(2)}): already announced by ASN {ASN}",
                                "pallets")
    r = await _post(api, edifact(advice(pallet(3, to=NICE_GLN), shipment="SHP-3")))
    assert r.json() == _problem(422, "Unprocessable Content", f"pallets[0] (SSCC {sscc(3)}): final destination GLN"
                                f" {NICE_GLN} is no GLN of the site's destinations (theirs: {LYON_GLN}, {PARIS_GLN})",
                                "pallets")
    central.site.truck_arrived("IN-1", "D1", by="yard")
    central.site.truck_unloaded("IN-1", by="yard")
    r = await _post(api, edifact(advice(pallet(4), shipment="SHP-4")))
    assert r.json() == _problem(409, "Conflict", "inbound truck IN-1 is unloaded: no pallets can be added", "truck_id")
    assert [a["id"] for a in (await api.get("/api/v1/asns")).json()] == [ASN]


async def test_receiving_of_a_truck(central: Central, api: httpx.AsyncClient, clock: ManualClock) -> None:
    await _post(api, edifact(SENT))
    r = await api.get("/api/v1/inbound-trucks/IN-1/receiving")
    assert (r.status_code, r.json()) == (200, {
        "truck": "IN-1", "state": "waiting", "announced": 2, "received": [], "pending": [sscc(1), sscc(2)],
        "short": [], "over": [], "mismatched": []})
    central.site.truck_arrived("IN-1", "D1", by="yard")
    clock.advance(60)
    central.site.apply_scan(scan(1, postal="75001"))
    central.site.apply_scan(scan(3))
    central.site.truck_unloaded("IN-1", by="yard")
    r = await api.get("/api/v1/inbound-trucks/IN-1/receiving")
    assert r.json() == {
        "truck": "IN-1", "state": "unloaded", "announced": 2, "received": [sscc(1)], "pending": [],
        "short": [sscc(2)], "over": [sscc(3)],
        "mismatched": [{"sscc": sscc(1), "fields": {"destination": ["PARIS", "LYON"]}}]}
    r = await api.get("/api/v1/inbound-trucks/IN-9/receiving")
    assert (r.status_code, r.json()) == (404, {"type": "about:blank", "title": "Not Found", "status": 404,
                                               "detail": "No inbound truck 'IN-9' has been announced",
                                               "field": "truck_id"})


async def test_a_split_pallets_children_are_not_counted_as_announced(central: Central, api: httpx.AsyncClient) -> None:
    sent = advice(pallet(1, to=(LYON_GLN, PARIS_GLN)), pallet(2))
    await _post(api, edifact(sent))
    assert central.site.apply_scan(scan(1, postal=None)).reply.area == "B1"
    assert len(central.site.split_pallet(sscc(1), by="bob")) == 2
    assert [a["pallets"] for a in (await api.get("/api/v1/asns")).json()] == [2]
    again = await _post(api, edifact(sent))
    assert (again.status_code, again.json()["pallets"]) == (200, 2)
    receiving = (await api.get("/api/v1/inbound-trucks/IN-1/receiving")).json()
    assert (receiving["announced"], receiving["received"], receiving["pending"]) == (2, [sscc(1)], [sscc(2)])


async def test_a_worker_may_read_but_only_a_supervisor_applies(central: Central, api: httpx.AsyncClient) -> None:
    users = UserAdmin(central.store)
    users.add("wanda", "worker", AT, by="test")
    users.add("sam", "supervisor", AT, by="test")
    worker = {"Authorization": f"Bearer {users.issue('wanda', AT, by='test')}"}
    supervisor = {"Authorization": f"Bearer {users.issue('sam', AT, by='test')}"}
    r = await api.post("/api/v1/asns", content=edifact(SENT).encode(), headers=EDI | worker)
    assert (r.status_code, r.json()["detail"]) == (403, "user wanda is a worker; this needs a supervisor")
    r = await api.post("/api/v1/asns", content=edifact(SENT).encode(), headers=EDI | supervisor)
    assert r.status_code == 201
    assert [a["id"] for a in (await api.get("/api/v1/asns", headers=worker)).json()] == [ASN]
    r = await api.get("/api/v1/inbound-trucks/IN-1/receiving", headers=worker)
    assert (r.status_code, r.json()["announced"]) == (200, 2)
    events = (await api.get("/api/v1/events", headers=worker)).json()
    assert [e["body"]["by"] for e in events if e["kind"] == "asn_applied"] == ["sam"]

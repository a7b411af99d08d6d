"""The REST API refuses bad identifiers, wrongly typed fields and far-off ETAs with a 422 naming the field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from support.central_rig import api_client, built_central
from support.sites import LYON_GLN, destination, outbound, site_config, staging
from xdock.central.site.inbound import ETA_AHEAD, ETA_BEHIND
from xdock.protocol.clock import ManualClock

SITE = site_config(
    timezone="UTC", more_doors=[outbound("D13", 14, 30)], areas=[staging()],
    destinations=[destination(glns=[LYON_GLN])],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
TRUCK: dict[str, Any] = {"id": "IN-1", "eta": "2026-11-23T08:30:00+00:00", "pallets": 26}
SSCC = "376130321109103420"
ID_TEXT = "expected 1-64 characters of A-Z a-z 0-9 _ -"


@pytest.fixture
async def api(tmp_path: Any) -> AsyncIterator[httpx.AsyncClient]:
    central = built_central(SITE, tmp_path / "c.db", ManualClock(START), auth=False)
    async with api_client(central) as client:
        yield client
    await central.aclose()


async def _refused(response: httpx.Response) -> str:
    assert (response.status_code, response.headers["content-type"]) == (422, "application/problem+json")
    return str(response.json()["detail"])


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"id": "A/B"}, f"body.id: Invalid id 'A/B': {ID_TEXT}"),
        ({"id": "IN\x011"}, f"body.id: Invalid id 'IN\\x011': {ID_TEXT}"),
        ({"id": "IN 1"}, f"body.id: Invalid id 'IN 1': {ID_TEXT}"),
        ({"door": "D/1"}, f"body.door: Invalid id 'D/1': {ID_TEXT}"),
        ({"destinations": {"LY/ON": 3}}, f"body.destinations.LY/ON.[key]: Invalid id 'LY/ON': {ID_TEXT}"),
        ({"pallets": "7"}, "body.pallets: Input should be a valid integer"),
        ({"pallets": True}, "body.pallets: Input should be a valid integer"),
        ({"pallets": 7.0}, "body.pallets: Input should be a valid integer"),
        ({"carrier": 12}, "body.carrier: Input should be a valid string"),
        ({"eta": 1795424400}, "body.eta: Input should be a date and time as ISO 8601 text"),
        ({"colour": "red"}, "body.colour: Extra inputs are not permitted"),
    ],
)
async def test_announce_refuses_bad_fields(api: httpx.AsyncClient, changes: dict[str, Any], detail: str) -> None:
    assert await _refused(await api.post("/api/v1/inbound-trucks", json=TRUCK | changes)) == detail
    assert (await api.get("/api/v1/inbound-trucks")).json() == []


@pytest.mark.parametrize(
    ("eta", "detail"),
    [
        ("2026-11-30T07:00:01+00:00", "eta 2026-11-30T07:00:01+00:00 is 7 days 0 h ahead of the site's clock "
         "(2026-11-23T07:00:00+00:00): expected at most 7 days ahead and 1 day behind"),
        ("2027-11-23T09:00:00+01:00", "eta 2027-11-23T09:00:00+01:00 is 365 days 1 h ahead of the site's clock "
         "(2026-11-23T07:00:00+00:00): expected at most 7 days ahead and 1 day behind"),
        ("2026-11-22T06:00:00+00:00", "eta 2026-11-22T06:00:00+00:00 is 1 day 1 h behind the site's clock "
         "(2026-11-23T07:00:00+00:00): expected at most 7 days ahead and 1 day behind"),
    ],
)
async def test_an_eta_far_from_site_time_is_refused_naming_eta(api: httpx.AsyncClient, eta: str, detail: str) -> None:
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"eta": eta})
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (422, "eta", detail)


@pytest.mark.parametrize("offset", [ETA_AHEAD, -ETA_BEHIND, timedelta(0)])
async def test_an_eta_at_the_bounds_is_accepted(api: httpx.AsyncClient, offset: timedelta) -> None:
    r = await api.post("/api/v1/inbound-trucks", json=TRUCK | {"eta": (START + offset).isoformat()})
    assert r.status_code == 201


async def test_arrive_refuses_a_door_that_is_no_id(api: httpx.AsyncClient) -> None:
    assert (await api.post("/api/v1/inbound-trucks", json=TRUCK)).status_code == 201
    r = await api.post("/api/v1/inbound-trucks/IN-1/arrive", json={"door": "D\n1"})
    assert await _refused(r) == f"body.door: Invalid id 'D\\n1': {ID_TEXT}"
    r = await api.post("/api/v1/inbound-trucks/IN-1/arrive", json={"door": 1})
    assert await _refused(r) == "body.door: Input should be a valid string"


async def test_overrides_refuse_ids_that_are_no_ids(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/v1/trailers/T-LYON-1/move", json={"door": "D 13"})
    assert await _refused(r) == f"body.door: Invalid id 'D 13': {ID_TEXT}"
    r = await api.post(f"/api/v1/pallets/{SSCC}/assign", json={"trailer": "T/LYON"})
    assert await _refused(r) == f"body.trailer: Invalid id 'T/LYON': {ID_TEXT}"


async def test_an_edge_is_registered_only_under_an_id_its_topics_accept(api: httpx.AsyncClient) -> None:
    r = await api.put("/api/v1/admin/edges/edge.d1", json={"door": "D1"})
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (
        422, "edge_id", f"Invalid edge id 'edge.d1': {ID_TEXT}")
    r = await api.put("/api/v1/admin/edges/edge-d1", json={"door": "D\t1"})
    assert await _refused(r) == f"body.door: Invalid id 'D\\t1': {ID_TEXT}"
    assert (await api.put("/api/v1/admin/edges/edge-d1", json={"door": "D1"})).status_code == 200


async def test_a_token_lifetime_must_be_a_number(api: httpx.AsyncClient) -> None:
    assert (await api.put("/api/v1/admin/users/ann", json={"role": "worker"})).status_code == 200
    r = await api.post("/api/v1/admin/users/ann/tokens", json={"expires_in_s": "3600"})
    assert await _refused(r) == "body.expires_in_s: Input should be a valid number"
    assert (await api.post("/api/v1/admin/users/ann/tokens", json={"expires_in_s": 3600})).status_code == 201


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"seq": "1"}, "body.seq: Input should be a valid integer"),
        ({"seq": True}, "body.seq: Input should be a valid integer"),
        ({"door": "D1/"}, f"body.door: Invalid id 'D1/': {ID_TEXT}"),
        ({"label": f"(00){SSCC}(420)69/001"}, "label: bad postal code (Invalid postal code '69/001': expected 1-20 "
         "letters, digits, spaces or -, a letter or digit first)"),
        ({"label": f"(00){SSCC}(410)3761303211008"}, "label: bad ship-to GLN (Invalid ship-to GLN check digit for "
         "'3761303211008': expected 1, got 8)"),
    ],
)
async def test_handheld_scan_refuses_bad_fields(api: httpx.AsyncClient, body: dict[str, Any], detail: str) -> None:
    scan = {"device": "hh1", "seq": 1, "door": "D1", "label": f"(00){SSCC}(410)3761303211001"}
    assert await _refused(await api.post("/api/v1/handheld/scan", json=scan | body)) == detail
    assert (await api.get("/api/v1/pallets")).json() == []


async def test_handheld_load_refuses_an_sscc_with_a_bad_check_digit(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": "376130320510005997", "at": "D12"})
    assert await _refused(r) == (
        "body.sscc: Invalid SSCC check digit for '376130320510005997': expected 6, got 7")


@pytest.mark.parametrize(("name", "shown"), [("bob%0A", "'bob\\n'"), ("bob%09", "'bob\\t'")])
async def test_a_user_name_with_a_control_character_is_refused(api: httpx.AsyncClient, name: str, shown: str) -> None:
    r = await api.put(f"/api/v1/admin/users/{name}", json={"role": "worker"})
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (
        422, "name", f"Invalid user name {shown}: expected 1-64 letters, digits or . _ @ - (not first)")
    assert (await api.get("/api/v1/admin/users")).json() == []

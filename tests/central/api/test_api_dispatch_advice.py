"""``GET /api/v1/trailers/{id}/desadv``: a departed trailer's dispatch advice as JSON or as an EANCOM
interchange (``?format=edifact``), the same bytes on every call; refusals are problem+json naming the
trailer. The floor is :mod:`support.departure_day`'s morning: T-LYON-1 left with pallets 1 and 2.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.central_rig import running_api
from support.departure_day import GTIN_A, GTIN_B, SITE, SITE_GLN, log_id, play_day
from support.scans import AT, scan, sscc
from support.sites import LYON_GLN, site_config
from xdock.central.app import Central
from xdock.partners.desadv import parse_edifact, parse_json
from xdock.protocol.clock import ManualClock


@dataclass
class Api:
    central: Central
    http: httpx.AsyncClient


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    clock = ManualClock(AT)
    async with running_api(SITE, tmp_path / "c.db", clock, auth=False) as (central, http):
        play_day(central.site, clock)
        yield Api(central, http)


def url(trailer: str, form: str | None = None) -> str:
    return f"/api/v1/trailers/{trailer}/desadv" + ("" if form is None else f"?format={form}")


async def test_the_advice_as_json_lists_the_pallets_aboard(api: Api) -> None:
    response = await api.http.get(url("T-LYON-1"))
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    departure = log_id(api.central.store, "override_trailer_departed")
    assert response.json() == {
        "shipment_id": f"T-LYON-1-{departure}", "issued_at": "2026-11-23T07:02:00Z", "expected_arrival": None,
        "supplier_gln": SITE_GLN, "consignee_gln": LYON_GLN, "ultimate_consignee_gln": None, "carrier": None,
        "truck_id": "T-LYON-1",
        "pallets": [
            {"sscc": sscc(1), "max_temp_c": None, "min_temp_c": None, "gross_weight_kg": 412.5,
             "lines": [
                 {"gtin": GTIN_A, "quantity": 24, "best_before": "2026-12-31", "batch": None,
                  "final_destination_gln": LYON_GLN},
                 {"gtin": GTIN_B, "quantity": 12, "best_before": None, "batch": None,
                  "final_destination_gln": LYON_GLN},
             ],
             "dangerous_goods": [{"adr_class": "3", "un_number": "1203"}, {"adr_class": "8", "un_number": "1760"}]},
            {"sscc": sscc(2), "max_temp_c": None, "min_temp_c": None, "gross_weight_kg": 380.0, "lines": [],
             "dangerous_goods": []},
        ],
    }
    assert sscc(3) not in response.text  # left behind


async def test_the_edifact_reads_back_to_the_json_the_same_bytes_every_time(api: Api) -> None:
    first = await api.http.get(url("T-LYON-1", "edifact"))
    assert (first.status_code, first.headers["content-type"]) == (200, "application/edifact")
    again = await api.http.get(url("T-LYON-1", "edifact"))
    assert again.content == first.content
    as_json = await api.http.get(url("T-LYON-1"))
    assert parse_edifact(first.content, zone=SITE.zone) == parse_json(as_json.text)
    assert (await api.http.get(url("T-LYON-1"))).content == as_json.content
    segments = first.text.splitlines()
    assert (segments[0], segments[2]) == ("UNA:+.? '", "UNH+1+DESADV:D:96A:UN:EAN005'")
    assert [s for s in segments if s.startswith("GIN+BJ+")] == [f"GIN+BJ+{sscc(1)}'", f"GIN+BJ+{sscc(2)}'"]


async def problem(http: httpx.AsyncClient, path: str) -> tuple[int, str, str, str]:
    response = await http.get(path)
    body = response.json()
    return response.status_code, response.headers["content-type"], body["field"], body["detail"]


@pytest.mark.parametrize("form", [None, "edifact"])
async def test_an_unknown_or_waiting_trailer_is_refused(api: Api, form: str | None) -> None:
    assert await problem(api.http, url("T-NOPE", form)) == (
        404, "application/problem+json", "trailer_id", "no trailer 'T-NOPE' at t")
    assert await problem(api.http, url("T-PARIS-1", form)) == (
        409, "application/problem+json", "trailer_id",
        "trailer T-PARIS-1 has not departed: its dispatch advice is not final")


async def test_a_destination_without_gln_is_refused_once_departed(api: Api) -> None:
    site = api.central.site
    site.apply_scan(scan(5, postal="75001"))
    site.confirm_load(sscc(5), "D14", device="h1")
    site.depart_trailer("T-PARIS-1", by="sue")
    assert await problem(api.http, url("T-PARIS-1")) == (
        404, "application/problem+json", "trailer_id",
        "trailer T-PARIS-1's destination PARIS has no GLN in the site file: no dispatch advice can name it")


async def test_a_trailer_that_left_empty_has_no_advice(tmp_path: Path) -> None:
    async with running_api(SITE, tmp_path / "c.db", ManualClock(AT), auth=False) as (central, http):
        central.site.depart_trailer("T-LYON-1", by="sue")
        assert await problem(http, url("T-LYON-1", "edifact")) == (
            404, "application/problem+json", "trailer_id",
            "trailer T-LYON-1 left with no pallet aboard: nothing to advise")


@pytest.mark.parametrize("departed", [True, False])
async def test_a_site_file_without_gln_gives_no_advice(tmp_path: Path, departed: bool) -> None:
    async with running_api(site_config(), tmp_path / "c.db", ManualClock(AT), auth=False) as (central, http):
        central.site.apply_scan(scan(1))
        central.site.confirm_load(sscc(1), "D12", device="h1")
        if departed:
            central.site.depart_trailer("T-LYON-1", by="sue")
        assert await problem(http, url("T-LYON-1")) == (
            404, "application/problem+json", "trailer_id",
            "the site file gives no gln: no dispatch advice can name the site")


async def test_a_format_other_than_json_or_edifact_is_refused(api: Api) -> None:
    status, media, field_name, detail = await problem(api.http, url("T-LYON-1", "xml"))
    assert (status, media, field_name) == (422, "application/problem+json", "format")
    assert detail == "query.format: Input should be 'json' or 'edifact'"

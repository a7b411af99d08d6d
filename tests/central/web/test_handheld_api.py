from __future__ import annotations

from pathlib import Path

import httpx

from support.central_rig import api_client, built_central
from support.web_rig import SITE, SSCC, START
from xdock.central.app import Central
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub
from xdock.protocol.clock import ManualClock

LABEL = f"(00){SSCC}(420)69001"


async def _scan(http: httpx.AsyncClient, seq: int, label: str = LABEL, door: str = "D1") -> httpx.Response:
    return await http.post("/api/v1/handheld/scan", json={"device": "hh1", "seq": seq, "door": door, "label": label})


async def test_scan_answers_the_door_and_applies_once_per_seq(
    http: httpx.AsyncClient, central: Central, site: LiveSite,
) -> None:
    first = await _scan(http, 1)
    assert first.status_code == 200
    body = first.json()
    assert {k: body[k] for k in ("sscc", "outcome", "door", "trailer", "destination", "destination_name",
                                 "departure_local", "duplicate")} == {
        "sscc": SSCC, "outcome": "assigned", "door": "D12", "trailer": "T-LYON-1", "destination": "LYON",
        "destination_name": "Lyon", "departure_local": "16:40", "duplicate": False,
    }
    assert body["reason"].startswith("LYON · T-LYON-1 1/33")
    again = (await _scan(http, 1)).json()
    assert (again["door"], again["duplicate"]) == ("D12", True)
    assert (site.stats.applied, site.stats.duplicates) == (1, 1)
    assert central.store.applied_reply("handheld-hh1", 1) is not None
    assert site.state.pallets[SSCC].scans == 1


async def test_raw_gs1_with_gs_marker_reads_like_the_human_readable_form(http: httpx.AsyncClient) -> None:
    body = (await _scan(http, 1, label=f"]C100{SSCC}<GS>42069001")).json()
    assert (body["sscc"], body["door"]) == (SSCC, "D12")


async def test_bad_label_is_problem_json_naming_the_label(http: httpx.AsyncClient, site: LiveSite) -> None:
    response = await _scan(http, 1, label="(00)376130321109103429(420)69001")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("label: bad check digit (")
    assert site.stats.applied == 0


async def test_unknown_destination_is_staged(http: httpx.AsyncClient) -> None:
    body = (await _scan(http, 1, label=f"(00){SSCC}(420)06000")).json()
    assert (body["outcome"], body["area"], body["door"]) == ("staged", "S1", None)


async def test_wrong_door_stops_right_door_loads(http: httpx.AsyncClient, central: Central, hub: LiveHub) -> None:
    await _scan(http, 1)
    wrong = await http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": SSCC, "at": "D13"})
    assert wrong.json() == {"ok": False, "sscc": SSCC, "door": "D12", "trailer": "T-LYON-1", "at_door": "D13",
                            "message": "STOP - wrong door: take it to D12"}
    assert (hub.loads.wrong_door_scans_stopped, hub.loads.portal_misloads, hub.loads.loaded) == (1, 0, {})
    right = (await http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": SSCC, "at": "t-lyon-1"})).json()
    assert (right["ok"], right["at_door"], right["message"]) == (True, "D12", "Loaded on T-LYON-1 to Lyon")
    assert list(hub.loads.loaded) == [SSCC]
    kinds = [(e.kind, e.sscc, e.body["at"]) for e in central.store.events() if e.kind != "scan"]
    assert kinds == [("misload_prevented", SSCC, "D13"), ("loaded", SSCC, "D12")]


async def test_load_refusals_name_the_field(http: httpx.AsyncClient) -> None:
    unknown = await http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": SSCC, "at": "D12"})
    assert (unknown.status_code, unknown.json()["detail"]) == (404, f"sscc: no pallet {SSCC} has been scanned at t")
    await _scan(http, 1)
    nowhere = await http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": SSCC, "at": "D99"})
    assert (nowhere.status_code, nowhere.json()["detail"]) == (422, "at: 'D99' is no door or trailer of t")
    await _scan(http, 2, label="(00)376130321109103437(420)06000")
    staged = await http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": "376130321109103437", "at": "D12"})
    assert (staged.status_code, staged.json()["detail"]) == (
        409, "sscc: pallet 376130321109103437 is staged (sent to S1), not assigned to a trailer")


async def test_pages_and_assets_are_served_locally(http: httpx.AsyncClient) -> None:
    page = await http.get("/")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script src="/static/dashboard.js">' in page.text
    assert "http" not in page.text.replace('href="/', "")  # nothing from a CDN
    assert (await http.get("/handheld")).text.count("/static/handheld.js") == 1
    js = await http.get("/static/live.js")
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert (await http.get("/static/../api.py")).status_code == 404
    assert (await http.get("/static/nothing.css")).json()["detail"] == "No static file 'nothing.css'"


async def test_with_access_control_the_handheld_needs_a_token(tmp_path: Path) -> None:
    guarded = built_central(SITE, tmp_path / "guarded.db", ManualClock(START), auth=True)
    async with api_client(guarded) as http:
        response = await _scan(http, 1)
        assert (response.status_code, response.json()["detail"]) == (401, "Authorization: a bearer token is required")
        assert (await http.get("/handheld")).status_code == 200  # the page itself is open
    assert guarded.site.stats.applied == 0
    await guarded.aclose()

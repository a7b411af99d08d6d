"""The API and the supervisor's board tell the same numbers for one scripted floor: the trailers' fill
(assigned, confirmed loaded and how), the pallets loaded, the mis-loads against their alerts, the
wrong-door scans stopped, and the scans' answers against the pallets in staging.

Site of ``web_rig``: T-LYON-1 loads at D12; D13 ships too; D1 receives; Nice has no trailer (staged at S1).
"""

from __future__ import annotations

import json

import httpx

from support.scans import scan
from support.web_rig import START
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.passages import DoorPassage


def _sscc(n: int) -> str:
    return sscc_with_check_digit(f"3761303211{n:07d}")


def _scan(site: LiveSite, seq: int, postal: str, door: str = "D1") -> None:
    site.apply_scan(scan(seq, sscc=_sscc(seq), postal=postal, door=door, at=START))


def _out(site: LiveSite, seq: int, n: int, door: str) -> str:
    return site.apply_passage(DoorPassage(
        edge_id="edge-r", seq=seq, device_id="r1", door=door, sscc=_sscc(n),
        epc=epc_hex(Sscc96.from_sscc(_sscc(n), company_prefix_length=7).encode()),
        direction="out", at=START, reads=30, peak_rssi=-45,
    )).outcome


async def test_the_api_and_the_board_agree_on_a_busy_floor(
    site: LiveSite, hub: LiveHub, http: httpx.AsyncClient
) -> None:
    for seq in range(1, 6):
        _scan(site, seq, "69001")  # five for Lyon: assigned to T-LYON-1
    _scan(site, 6, "06000")  # two for Nice: staged at S1
    _scan(site, 7, "06100")
    _scan(site, 8, "69002", door="D12")  # scanned at an outbound door: rejected
    assert site.confirm_load(_sscc(1), "D12", device="hh1").ok  # loaded by handheld scan
    assert _out(site, 1, 2, "D12") == "loaded"  # loaded through the portal
    assert not site.confirm_load(_sscc(3), "D13", device="hh1").ok  # stopped: wrong door
    assert (_out(site, 2, 4, "D13"), _out(site, 3, 4, "D13")) == ("misload", "misload")  # one mis-load

    board = json.loads(hub.snapshot_text())
    [trailer] = (await http.get("/api/v1/trailers")).json()
    [tile] = board["trailers"]
    assert (trailer["assigned_pallets"], trailer["loaded_pallets"], trailer["loaded_by"]) == (
        5, 2, {"scan": 1, "rfid": 1})
    assert (tile["pallets"], tile["loaded"], tile["loaded_by"]) == (5, 2, {"scan": 1, "rfid": 1})

    kpis = board["kpis"]
    loaded = (await http.get("/api/v1/pallets", params={"state": "loaded"})).json()
    assert kpis["loaded"] == len(loaded) == sum(board["confirmations"]["loaded"].values()) == 2
    alerts = (await http.get("/api/v1/alerts", params={"open": "true"})).json()
    assert [a["subject"] for a in alerts if a["kind"] == "misload"] == [f"{_sscc(4)}@D13"]
    assert [a["subject"] for a in board["alerts"] if a["kind"] == "misload"] == [f"{_sscc(4)}@D13"]
    assert kpis["portal_misloads"] == 1
    events = (await http.get("/api/v1/events", params={"limit": 1000})).json()
    assert kpis["wrong_door_scans_stopped"] == [e["kind"] for e in events].count("misload_prevented") == 1

    stats = (await http.get("/api/v1/stats")).json()
    staged = (await http.get("/api/v1/pallets", params={"state": "staged"})).json()
    assert {k: stats[k] for k in ("applied", "assigned_direct", "staged", "breakdown", "rejected")} == {
        "applied": 8, "assigned_direct": 5, "staged": 2, "breakdown": 0, "rejected": 1,
    }
    assert len(staged) == len([p for p in board["flow"] if p["state"] == "staged"]) == stats["staged"]
    assert len(board["transit"]) == 5 - 2  # assigned, not confirmed loaded (the stopped and the mis-loaded too)

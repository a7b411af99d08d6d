"""The API's pallets tell how a loaded pallet's load was confirmed: ``confirmed_by`` is ``scan`` (a worker's
handheld at the outbound door), ``rfid`` (a portal passage) or ``null`` (not loaded), in the list, one by
one, and in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.central_rig import api_client, built_central
from support.lyon_site import SITE, START
from support.scans import scan
from xdock.central.site.live_site import LiveSite
from xdock.protocol.clock import ManualClock
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.passages import DoorPassage

BY_SCAN, BY_RFID, WAITING, UNROUTED = (sscc_with_check_digit(f"37613032{n:09d}") for n in range(1, 5))


@dataclass
class Site:
    core: LiveSite
    http: httpx.AsyncClient


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    central = built_central(SITE, tmp_path / "c.db", ManualClock(START))
    for seq, sscc in enumerate((BY_SCAN, BY_RFID, WAITING, UNROUTED), start=1):
        postal = "06000" if sscc == UNROUTED else "69001"
        central.site.apply_scan(scan(seq, sscc=sscc, postal=postal, at=START))
    async with api_client(central) as http:
        yield Site(central.site, http)
    await central.aclose()


async def _load(site: Site) -> None:
    """A handheld confirms BY_SCAN at D12; the D12 portal sees BY_RFID go out."""
    answer = await site.http.post("/api/v1/handheld/load", json={"device": "hh1", "sscc": BY_SCAN, "at": "D12"})
    assert (answer.status_code, answer.json()["ok"]) == (200, True)
    epc = epc_hex(Sscc96.from_sscc(BY_RFID, company_prefix_length=7).encode())
    outcome = site.core.apply_passage(DoorPassage(
        edge_id="edge-r", seq=1, device_id="r1", door="D12", sscc=BY_RFID, epc=epc, direction="out", at=START,
        reads=30, peak_rssi=-45,
    )).outcome
    assert outcome == "loaded"


async def test_the_pallets_tell_how_each_load_was_confirmed(site: Site) -> None:
    before = (await site.http.get("/api/v1/pallets")).json()
    assert [(p["sscc"], p["state"], p["confirmed_by"]) for p in before] == [
        (BY_SCAN, "assigned", None), (BY_RFID, "assigned", None), (WAITING, "assigned", None),
        (UNROUTED, "unrouted", None),
    ]
    await _load(site)
    after = (await site.http.get("/api/v1/pallets")).json()
    assert [(p["sscc"], p["state"], p["confirmed_by"]) for p in after] == [
        (BY_SCAN, "loaded", "scan"), (BY_RFID, "loaded", "rfid"), (WAITING, "assigned", None),
        (UNROUTED, "unrouted", None),
    ]
    loaded = (await site.http.get("/api/v1/pallets", params={"state": "loaded"})).json()
    assert [(p["sscc"], p["confirmed_by"]) for p in loaded] == [(BY_SCAN, "scan"), (BY_RFID, "rfid")]


async def test_one_pallet_tells_how_its_load_was_confirmed(site: Site) -> None:
    await _load(site)
    one = {s: (await site.http.get(f"/api/v1/pallets/{s}")).json() for s in (BY_SCAN, BY_RFID, WAITING)}
    assert {s: (p["state"], p["trailer"], p["confirmed_by"]) for s, p in one.items()} == {
        BY_SCAN: ("loaded", "T-LYON-1", "scan"), BY_RFID: ("loaded", "T-LYON-1", "rfid"),
        WAITING: ("assigned", "T-LYON-1", None),
    }
    assert set(one[BY_SCAN]) == {
        "sscc", "state", "destination", "ship_to", "trailer", "door", "inbound_door", "first_seen", "updated_at",
        "scans", "confirmed_by",
    }


async def test_the_schema_documents_confirmed_by(site: Site) -> None:
    schema = (await site.http.get("/openapi.json")).json()
    pallet = schema["components"]["schemas"]["PalletOut"]
    assert pallet["properties"]["confirmed_by"]["anyOf"] == [{"type": "string", "enum": ["scan", "rfid"]},
                                                             {"type": "null"}]
    assert "confirmed_by" in pallet["required"]

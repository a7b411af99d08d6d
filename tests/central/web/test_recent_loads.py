"""The snapshot lists the latest loads (``recent_loads``), newest first, however each was confirmed, so a
screen that opens after them shows them at once; a ``pallet`` message of a loaded pallet tells when it was.

Site of ``web_rig``: T-LYON-1 loads at D12 (33 pallets); D13 ships too; D1 receives.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from support.scans import scan
from support.web_rig import START
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub, Subscription
from xdock.central.web.views import RECENT_LOADS
from xdock.protocol.clock import ManualClock
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.passages import DoorPassage


def _pallets(site: LiveSite, count: int) -> list[str]:
    """``count`` pallets scanned in at D1 for Lyon (all assigned to T-LYON-1)."""
    ssccs = [sscc_with_check_digit(f"37613032{n:09d}") for n in range(1, count + 1)]
    for seq, sscc in enumerate(ssccs, start=1):
        site.apply_scan(scan(seq, sscc=sscc, at=START))
    return ssccs


def _rfid(site: LiveSite, seq: int, sscc: str, door: str = "D12") -> str:
    epc = epc_hex(Sscc96.from_sscc(sscc, company_prefix_length=7).encode())
    return site.apply_passage(DoorPassage(
        edge_id="edge-r", seq=seq, device_id="r1", door=door, sscc=sscc, epc=epc, direction="out",
        at=START, reads=30, peak_rssi=-45,
    )).outcome


def _clock(site: LiveSite) -> ManualClock:
    assert isinstance(site.clock, ManualClock)
    return site.clock


def _rows(snapshot: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (p["sscc"], p["inbound_door"], p["door"], p["trailer"], p["loaded_at"], p["confirmed_by"])
        for p in snapshot["recent_loads"]
    ]


def test_the_snapshot_lists_the_loads_newest_first_with_how_each_was_confirmed(site: LiveSite, hub: LiveHub) -> None:
    first, second, third, waiting = _pallets(site, 4)
    clock = _clock(site)
    assert site.confirm_load(first, "D12", device="hh1").ok
    clock.advance(60)
    assert _rfid(site, 1, second) == "loaded"
    assert _rfid(site, 2, waiting, door="D13") == "misload"  # stopped: not loaded, not listed
    clock.advance(60)
    assert site.confirm_load(third, "T-LYON-1", device="hh1").ok

    snap = json.loads(hub.snapshot_text())
    assert _rows(snap) == [
        (third, "D1", "D12", "T-LYON-1", "2026-11-23T07:02:00+00:00", "scan"),
        (second, "D1", "D12", "T-LYON-1", "2026-11-23T07:01:00+00:00", "rfid"),
        (first, "D1", "D12", "T-LYON-1", "2026-11-23T07:00:00+00:00", "scan"),
    ]
    assert [p["sscc"] for p in snap["transit"]] == [waiting]
    assert {(p["state"], p["loaded"]) for p in snap["recent_loads"]} == {("loaded", True)}


def test_the_snapshot_lists_only_the_latest_loads(site: LiveSite, hub: LiveHub) -> None:
    ssccs = _pallets(site, RECENT_LOADS + 2)
    clock = _clock(site)
    for sscc in ssccs:
        clock.advance(30)
        site.confirm_load(sscc, "D12", device="hh1")

    snap = json.loads(hub.snapshot_text())
    assert RECENT_LOADS == 12
    assert [p["sscc"] for p in snap["recent_loads"]] == ssccs[:1:-1]  # the 12 latest, newest first
    assert snap["recent_loads"][0]["loaded_at"] == (START + timedelta(seconds=30 * 14)).isoformat()
    assert snap["kpis"]["loaded"] == 14


def test_loads_at_the_same_time_list_the_later_confirmed_first(site: LiveSite, hub: LiveHub) -> None:
    ssccs = _pallets(site, 3)
    assert _rfid(site, 1, ssccs[1]) == "loaded"
    site.confirm_load(ssccs[2], "D12", device="hh1")
    site.confirm_load(ssccs[0], "D12", device="hh1")
    _clock(site).advance(timedelta(minutes=5).total_seconds())
    site.confirm_load(ssccs[2], "D12", device="hh1")  # again: no new load

    snap = json.loads(hub.snapshot_text())
    assert [(p["sscc"], p["confirmed_by"]) for p in snap["recent_loads"]] == [
        (ssccs[0], "scan"), (ssccs[2], "scan"), (ssccs[1], "rfid"),
    ]


def test_a_fresh_site_lists_no_loads_and_a_negative_limit_is_refused(site: LiveSite, hub: LiveHub) -> None:
    _pallets(site, 2)
    assert json.loads(hub.snapshot_text())["recent_loads"] == []
    assert hub.loads.latest(0) == []
    with pytest.raises(ValueError, match=r"^limit must not be negative, got -1$"):
        hub.loads.latest(-1)


async def _first_pallet(sub: Subscription) -> dict[str, Any]:
    """The first ``pallet`` message queued for ``sub`` (5 s at most)."""
    async with asyncio.timeout(5):
        while True:
            text = await sub.queue.get()
            assert text is not None
            data = json.loads(text)
            for message in data if isinstance(data, list) else [data]:
                if message["type"] == "pallet":
                    return dict(message)


async def test_a_loaded_pallets_message_tells_when_and_how(site: LiveSite, hub: LiveHub) -> None:
    [sscc] = _pallets(site, 1)
    sub = hub.subscribe()
    try:
        _clock(site).advance(90)
        site.confirm_load(sscc, "D12", device="hh1")
        hub.pallet_changed(sscc)  # as the handheld's endpoint does
        message = await _first_pallet(sub)
        assert (message["pallet"]["sscc"], message["pallet"]["loaded_at"], message["pallet"]["confirmed_by"]) == (
            sscc, "2026-11-23T07:01:30+00:00", "scan")
        assert (message["pallet"]["state"], message["pallet"]["loaded"]) == ("loaded", True)
    finally:
        hub.unsubscribe(sub)
        await hub.aclose()

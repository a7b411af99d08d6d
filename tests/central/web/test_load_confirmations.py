"""The dashboard's loads and mis-loads come from the pallet rows and the event log, whether a handheld
scan or an RFID door passage confirmed them: in the KPIs, the departures board (the trailers' fill)
and the pallets, each telling how it was confirmed; and they survive a restart of central.

Site of ``web_rig``: T-LYON-1 loads at D12; D13 ships too; D1 receives.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from support.central_rig import built_central
from support.scans import scan
from support.web_rig import SITE, SSCC, START
from xdock.central.alerts.book import Alerts
from xdock.central.app import Central
from xdock.central.optimiser.dispatcher import Dispatcher
from xdock.central.site.aboard import confirm_aboard
from xdock.central.site.floor_view import floor_from
from xdock.central.site.live_site import LiveSite
from xdock.central.site.loading import LoadBook
from xdock.central.site.parts import SiteParts
from xdock.central.site.passages import PassageResult
from xdock.central.site.state import SiteState
from xdock.central.store.database import AlertRow
from xdock.central.store.event_tail import EventTail
from xdock.central.web import LiveHub, Subscription
from xdock.protocol.clock import ManualClock
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.passages import DoorPassage

OTHER = sscc_with_check_digit("37613032110910355")
THIRD = sscc_with_check_digit("37613032110910366")


def _scan(site: LiveSite, sscc: str, seq: int) -> None:
    site.apply_scan(scan(seq, sscc=sscc, at=START))


def _out(site: LiveSite, seq: int, sscc: str, door: str) -> PassageResult:
    epc = epc_hex(Sscc96.from_sscc(sscc, company_prefix_length=7).encode())
    return site.apply_passage(DoorPassage(
        edge_id="edge-r", seq=seq, device_id="r1", door=door, sscc=sscc, epc=epc,
        direction="out", at=START, reads=30, peak_rssi=-45,
    ))


def _board(snapshot: dict[str, Any]) -> list[tuple[str, int, dict[str, int]]]:
    return [(t["id"], t["loaded"], t["loaded_by"]) for t in snapshot["trailers"]]


def test_an_rfid_load_is_counted_on_the_dashboard_and_the_departures_board(site: LiveSite, hub: LiveHub) -> None:
    _scan(site, SSCC, 1)
    _scan(site, OTHER, 2)
    assert _out(site, 10, SSCC, "D12") == PassageResult("loaded", None)
    assert site.confirm_load(OTHER, "D12", device="hh1").first_time

    snap = json.loads(hub.snapshot_text())
    assert (snap["kpis"]["loaded"], snap["kpis"]["dock_to_dock_basis"]) == (2, "loaded")
    assert _board(snap) == [("T-LYON-1", 2, {"scan": 1, "rfid": 1})]
    assert snap["confirmations"] == {"loaded": {"scan": 1, "rfid": 1}}
    assert snap["transit"] == []
    assert hub.loads.loaded == {SSCC: START, OTHER: START}
    assert (hub.loads.confirmed_by(SSCC), hub.loads.confirmed_by(OTHER)) == ("rfid", "scan")


def test_a_handheld_confirmation_after_an_rfid_load_stores_nothing_more(
    central: Central, site: LiveSite, hub: LiveHub,
) -> None:
    _scan(site, SSCC, 1)
    _out(site, 10, SSCC, "D12")
    again = site.confirm_load(SSCC, "D12", device="hh1")
    assert (again.ok, again.first_time) == (True, False)
    assert [e.kind for e in central.store.events()].count("loaded") == 1
    assert hub.loads.confirmed_by(SSCC) == "rfid"


def test_an_rfid_misload_is_counted_apart_from_the_stopped_scans_once_per_alert(site: LiveSite, hub: LiveHub) -> None:
    _scan(site, SSCC, 1)
    _scan(site, OTHER, 2)
    assert _out(site, 10, SSCC, "D13").outcome == "misload"
    assert _out(site, 11, SSCC, "D13").outcome == "misload"  # read again going out: the same mis-load
    assert not site.confirm_load(OTHER, "D13", device="hh1").ok
    assert not site.confirm_load(OTHER, "D13", device="hh2").ok

    snap = json.loads(hub.snapshot_text())
    assert (snap["kpis"]["wrong_door_scans_stopped"], snap["kpis"]["portal_misloads"]) == (2, 1)
    assert [(a["kind"], a["subject"]) for a in snap["alerts"]] == [("misload", f"{SSCC}@D13")]
    assert snap["confirmations"] == {"loaded": {"scan": 0, "rfid": 0}}
    assert (snap["kpis"]["loaded"], _board(snap)) == (0, [("T-LYON-1", 0, {"scan": 0, "rfid": 0})])
    assert (hub.loads.wrong_door_scans_stopped, hub.loads.portal_misloads) == (2, 1)


async def test_the_counts_survive_a_restart_of_central(central: Central, site: LiveSite, hub: LiveHub) -> None:
    for seq, sscc in enumerate((SSCC, OTHER, THIRD), start=1):
        _scan(site, sscc, seq)
    _out(site, 10, SSCC, "D12")
    _out(site, 11, THIRD, "D13")
    site.confirm_load(OTHER, "D12", device="hh1")
    site.confirm_load(THIRD, "D13", device="hh1")
    before = json.loads(hub.snapshot_text())

    restarted = built_central(SITE, central.config.db, ManualClock(START))
    try:
        after = json.loads(restarted.live.snapshot_text())
    finally:
        await restarted.aclose()
    assert (after["kpis"]["loaded"], after["kpis"]["wrong_door_scans_stopped"], after["kpis"]["portal_misloads"]) == (
        2, 1, 1)
    assert _board(after) == [("T-LYON-1", 2, {"scan": 1, "rfid": 1})]
    assert after["confirmations"] == before["confirmations"] == {
        "loaded": {"scan": 1, "rfid": 1},
    }


async def _until(sub: Subscription, done: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """The messages queued for ``sub`` up to the first one that is ``done`` (5 s at most)."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while not any(done(m) for m in seen):
            text = await sub.queue.get()
            assert text is not None
            data = json.loads(text)
            seen += data if isinstance(data, list) else [data]
    return seen


def _tick(message: dict[str, Any]) -> bool:
    return bool(message["type"] == "tick")


async def test_an_rfid_load_reaches_the_screens_and_alerts_are_read_when_they_change(
    central: Central, site: LiveSite, hub: LiveHub,
) -> None:
    _scan(site, SSCC, 1)
    _scan(site, OTHER, 2)
    reads: list[bool | None] = []
    read_alerts = central.store.alerts

    def counted(*, open_only: bool | None = None, limit: int = 1000) -> list[AlertRow]:
        reads.append(open_only)
        return read_alerts(open_only=open_only, limit=limit)

    central.store.alerts = counted  # type: ignore[method-assign]
    sub = hub.subscribe()
    try:
        sub.queue.put_nowait(hub.snapshot_text())
        [snapshot, first] = await _until(sub, _tick)
        assert (snapshot["type"], snapshot["alerts"], first["alerts"]) == ("snapshot", [], [])
        reads.clear()
        ticks = [m for _ in range(3) for m in await _until(sub, _tick)]
        assert [("alerts" in m, reads) for m in ticks] == [(False, [])] * 3  # no alert event, no read

        _out(site, 10, SSCC, "D12")
        [message] = [m for m in await _until(sub, lambda m: m["type"] == "pallet") if m["type"] == "pallet"]
        assert (message["pallet"]["sscc"], message["pallet"]["loaded"], message["pallet"]["confirmed_by"]) == (
            SSCC, True, "rfid")
        assert _board(message) == [("T-LYON-1", 1, {"scan": 0, "rfid": 1})]

        _out(site, 11, OTHER, "D13")
        tick = (await _until(sub, lambda m: "alerts" in m))[-1]
        assert [(a["kind"], a["subject"]) for a in tick["alerts"]] == [("misload", f"{OTHER}@D13")]
        assert (tick["kpis"]["loaded"], tick["kpis"]["wrong_door_scans_stopped"], tick["kpis"]["portal_misloads"]) == (
            1, 0, 1)
        assert tick["confirmations"] == {"loaded": {"scan": 0, "rfid": 1}}
        assert reads == [True, False]  # open, then cleared alerts read once, after the misload's alert was raised
    finally:
        hub.unsubscribe(sub)
        await hub.aclose()


def test_a_loaded_event_without_via_is_a_handhelds(central: Central, site: LiveSite) -> None:
    _scan(site, SSCC, 1)
    state = SiteState(SITE, START.date())
    state.load(central.store.pallets())
    parts = SiteParts(SITE, state, central.store, Dispatcher(floor_from(state)), Alerts(central.store), site.clock)
    book = LoadBook(parts, EventTail(central.store))
    confirm_aboard(parts, SSCC, START, {"sscc": SSCC, "device": "hh1"})  # as stored before ``via``
    assert (book.loaded, book.confirmed_by(SSCC), book.loaded_by()) == ({SSCC: START}, "scan", {"scan": 1, "rfid": 0})

"""Scans applied by the site core on a floor with staging areas, reefers and dangerous-goods rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support.scans import scan as scan_event
from support.scans import sscc
from support.sites import NICE, outbound, site_config, staging, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import ScanEvent

SITE = site_config(
    more_doors=[outbound("D13", 40, 30)],
    areas=[staging(), staging("S2", 30, 15, temp="chilled")],
    more_destinations=[NICE],
    trailers=[
        trailer(capacity=2, capacity_kg=1000, hazmat=False),
        trailer("T-LYON-R", "D13", capacity=10, departure="17:00", reefer=True),
    ],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def scan(seq: int, n: int, postal: str | None = "69001", **extra: object) -> ScanEvent:
    return scan_event(seq, n=n, postal=postal, at=START, **extra)


def open_site(path: Path) -> tuple[LiveSite, Store]:
    store = Store(path / "c.db")
    return LiveSite(SITE, store, ManualClock(START)), store


def test_no_trailer_sends_the_pallet_to_staging(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, "06000")).reply
    assert (reply.outcome, reply.area, reply.door) == ("staged", "S1", None)
    assert reply.display == "→ S1  STAGING  no trailer for NICE yet"
    assert reply.reason == "no trailer for NICE yet · staging S1 · 20 m"
    row = site.state.pallets[sscc(1)]
    assert (row.state, row.target, row.destination) == ("staged", "S1", "NICE")


def test_unknown_destination_waits_in_staging(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, "38000")).reply
    assert (reply.outcome, reply.display) == ("staged", "→ S1  STAGING  destination unknown")


def test_chilled_pallet_goes_to_the_reefer_only(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, max_temp_c=4.0)).reply
    assert (reply.outcome, reply.trailer, reply.door) == ("assigned", "T-LYON-R", "D13")


def test_dangerous_goods_skip_the_trailer_that_takes_none(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, dangerous_goods=True)).reply
    assert reply.trailer == "T-LYON-R"
    (tmp_path / "other").mkdir()
    site, _ = open_site(tmp_path / "other")
    assert site.apply_scan(scan(1, 1)).reply.trailer == "T-LYON-1"


def test_weight_fills_a_trailer_before_its_positions(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    assert site.apply_scan(scan(1, 1, weight_kg=800.0)).reply.trailer == "T-LYON-1"
    assert site.apply_scan(scan(2, 2, weight_kg=300.0)).reply.trailer == "T-LYON-R"


def test_restart_keeps_what_workers_were_told(tmp_path: Path) -> None:
    first, store = open_site(tmp_path)
    told = [first.apply_scan(scan(i, i)).reply.trailer for i in (1, 2)]
    staged = first.apply_scan(scan(3, 3, "06000")).reply
    store.close()
    second, store = open_site(tmp_path)
    assert [second.apply_scan(scan(10 + i, i)).reply.trailer for i in (1, 2)] == told
    assert second.plan().moves[sscc(3)].target == staged.area
    assert second.state.trailers["T-LYON-1"].assigned == 2


def test_restart_after_a_departure_reroutes_and_records_it(tmp_path: Path) -> None:
    first, store = open_site(tmp_path)
    assert first.apply_scan(scan(1, 1)).reply.trailer == "T-LYON-1"
    store.close()
    late = ManualClock(datetime(2026, 11, 23, 15, 35, tzinfo=UTC))  # 16:35 in Paris: T-LYON-1 leaves at 16:40
    store = Store(tmp_path / "c.db")
    second = LiveSite(SITE, store, late)
    row = second.state.pallets[sscc(1)]
    assert (row.state, row.trailer, row.door) == ("assigned", "T-LYON-R", "D13")
    [resumed] = [e for e in store.events() if e.kind == "resumed"]
    assert resumed.body == {"changed": {sscc(1): "T-LYON-R"}}
    assert second.state.trailers["T-LYON-1"].assigned == 0

"""Scans an edge answered offline: central keeps the worker's instruction where its rules allow, else corrects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support.scans import scan as scan_event
from support.scans import sscc
from support.sites import NICE, outbound, site_config, staging, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import OfflineDecision, ScanEvent

SITE = site_config(
    more_doors=[outbound("D13", 40, 30)],
    areas=[staging(), staging("S2", 30, 15, temp="chilled")],
    more_destinations=[NICE],
    trailers=[
        trailer(capacity=2, hazmat=False),
        trailer("T-LYON-R", "D13", capacity=10, departure="17:00", reefer=True),
    ],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def told(trailer: str | None = None, door: str | None = None, area: str | None = None) -> OfflineDecision:
    outcome = "assigned" if trailer is not None else "staged"
    return OfflineDecision(plan_version=3, outcome=outcome, door=door, trailer=trailer, area=area, decided_at=START)


def scan(seq: int, n: int, postal: str = "69001", offline: OfflineDecision | None = None,
         **extra: object) -> ScanEvent:
    return scan_event(seq, n=n, postal=postal, offline=offline, at=START, **extra)


def open_site(path: Path) -> tuple[LiveSite, Store]:
    store = Store(path / "c.db")
    return LiveSite(SITE, store, ManualClock(START)), store


def kinds(store: Store) -> list[str]:
    return [e.kind for e in store.events(limit=1000)]


def test_offline_instruction_that_fits_is_kept_without_correction(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    # Central alone would pick T-LYON-1 (nearer); the worker was told the reefer, which also fits.
    reply = site.apply_scan(scan(1, 1, offline=told("T-LYON-R", "D13"))).reply
    assert (reply.outcome, reply.trailer, reply.door, reply.correction) == ("assigned", "T-LYON-R", "D13", False)
    assert site.state.pallets[sscc(1)].trailer == "T-LYON-R"
    assert site.state.trailers["T-LYON-R"].pallets == {sscc(1)}
    assert kinds(store) == ["scan", "offline_kept"]
    [kept] = [e for e in store.events() if e.kind == "offline_kept"]
    assert kept.body["central"] == {"outcome": "assigned", "door": "D13", "trailer": "T-LYON-R"}
    assert (kept.sscc, kept.edge_id, kept.seq) == (sscc(1), "e1", 1)
    assert (site.stats.offline_kept, site.stats.offline_corrected) == (1, 0)


def test_offline_instruction_to_a_full_trailer_is_corrected(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    site.apply_scan(scan(1, 1))
    site.apply_scan(scan(2, 2))  # T-LYON-1 (2 positions) is now full
    reply = site.apply_scan(scan(3, 3, offline=told("T-LYON-1", "D12"))).reply
    assert (reply.outcome, reply.trailer, reply.door, reply.correction) == ("assigned", "T-LYON-R", "D13", True)
    assert site.state.trailers["T-LYON-1"].pallets == {sscc(1), sscc(2)}
    assert site.state.pallets[sscc(3)].trailer == "T-LYON-R"
    assert kinds(store).count("offline_corrected") == 1
    assert (site.stats.offline_kept, site.stats.offline_corrected) == (0, 1)


def test_chilled_pallet_told_an_ambient_trailer_is_corrected_to_the_reefer(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, offline=told("T-LYON-1", "D12"), max_temp_c=4.0)).reply
    assert (reply.trailer, reply.door, reply.correction) == ("T-LYON-R", "D13", True)


def test_dangerous_goods_told_a_trailer_that_takes_none_are_corrected(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, offline=told("T-LYON-1", "D12"), dangerous_goods=True)).reply
    assert (reply.trailer, reply.door, reply.correction) == ("T-LYON-R", "D13", True)


def test_a_trailer_for_another_destination_is_corrected(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, "06000", offline=told("T-LYON-1", "D12"))).reply
    assert (reply.outcome, reply.area, reply.trailer, reply.correction) == ("staged", "S1", None, True)


def test_same_trailer_at_another_door_is_a_correction(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, offline=told("T-LYON-R", "D12"))).reply
    assert (reply.trailer, reply.door, reply.correction) == ("T-LYON-R", "D13", True)


def test_staging_that_keeps_the_temperature_is_kept(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, offline=told(area="S2"))).reply
    assert (reply.outcome, reply.area, reply.correction) == ("staged", "S2", False)
    assert reply.reason == "as told offline · staging S2 · 45 m"
    row = site.state.pallets[sscc(1)]
    assert (row.state, row.target) == ("staged", "S2")


def test_chilled_pallet_told_ambient_staging_is_corrected(tmp_path: Path) -> None:
    site, _ = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1, offline=told(area="S1"), max_temp_c=4.0)).reply
    assert (reply.outcome, reply.trailer, reply.correction) == ("assigned", "T-LYON-R", True)


def test_redelivered_offline_scan_counts_once(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    first = site.apply_scan(scan(1, 1, offline=told("T-LYON-1", "D12"), max_temp_c=4.0))
    again = site.apply_scan(scan(1, 1, offline=told("T-LYON-1", "D12"), max_temp_c=4.0))
    assert again.duplicate
    assert again.reply == first.reply
    assert again.reply.correction
    assert (site.stats.offline_kept, site.stats.offline_corrected) == (0, 1)
    assert kinds(store) == ["scan", "offline_corrected"]


def test_online_scan_is_never_a_correction(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    assert site.apply_scan(scan(1, 1)).reply.correction is False
    assert kinds(store) == ["scan"]

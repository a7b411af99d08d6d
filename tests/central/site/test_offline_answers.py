"""Offline answers an edge reports it gave after the scan left: recorded once as kept or corrected."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support.scans import scan as scan_event
from support.sites import site_config, staging, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import OfflineAnswerShown, OfflineDecision, ScanEvent

SITE = site_config(areas=[staging()], trailers=[trailer(capacity=10)])
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def sscc(n: int) -> str:
    return sscc_with_check_digit(f"0376130324{n:07d}")


def told(trailer: str | None = None, door: str | None = None, area: str | None = None) -> OfflineDecision:
    outcome = "assigned" if trailer is not None else "staged"
    return OfflineDecision(plan_version=3, outcome=outcome, door=door, trailer=trailer, area=area, decided_at=START)


def scan(seq: int, n: int) -> ScanEvent:
    """A scan that left the edge without an offline decision."""
    return scan_event(seq, sscc=sscc(n), at=START)


def open_site(path: Path) -> tuple[LiveSite, Store]:
    store = Store(path / "c.db")
    return LiveSite(SITE, store, ManualClock(START)), store


def kinds(store: Store) -> list[str]:
    return [e.kind for e in store.events(limit=1000)]


def report(seq: int, scan_seq: int, n: int, offline: OfflineDecision) -> OfflineAnswerShown:
    return OfflineAnswerShown(edge_id="e1", seq=seq, scan_seq=scan_seq, device_id="s1", sscc=sscc(n),
                              offline=offline)


def test_a_differing_offline_answer_is_recorded_as_a_correction(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    reply = site.apply_scan(scan(1, 1)).reply  # left without a decision: central picks T-LYON-1 at D12
    assert (reply.trailer, reply.correction) == ("T-LYON-1", False)
    assert site.apply_offline_answer(report(2, 1, 1, told(area="S1"))) == "offline_corrected"
    assert (site.stats.offline_kept, site.stats.offline_corrected) == (0, 1)
    assert kinds(store) == ["scan", "offline_corrected"]
    [event] = [e for e in store.events() if e.kind == "offline_corrected"]
    assert (event.sscc, event.edge_id, event.seq) == (sscc(1), "e1", 1)
    assert event.body == {
        "offline": {"plan_version": 3, "outcome": "staged", "area": "S1", "decided_at": "2026-11-23T07:00:00Z"},
        "central": {"outcome": "assigned", "door": "D12", "trailer": "T-LYON-1"},
        "correction": True, "after_sent": True,
    }


def test_a_matching_offline_answer_is_recorded_as_kept(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    site.apply_scan(scan(1, 1))
    assert site.apply_offline_answer(report(2, 1, 1, told("T-LYON-1", "D12"))) == "offline_kept"
    assert (site.stats.offline_kept, site.stats.offline_corrected) == (1, 0)
    [event] = [e for e in store.events() if e.kind == "offline_kept"]
    assert (event.body["correction"], event.seq) == (False, 1)


def test_a_report_is_applied_once_also_by_a_restarted_central(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    site.apply_scan(scan(1, 1))
    assert site.apply_offline_answer(report(2, 1, 1, told(area="S1"))) == "offline_corrected"
    assert site.apply_offline_answer(report(2, 1, 1, told(area="S1"))) == "duplicate"
    store.close()
    again, store = open_site(tmp_path)
    assert again.apply_offline_answer(report(2, 1, 1, told(area="S1"))) == "duplicate"
    assert (site.offline_answer_stats.duplicates, again.offline_answer_stats.duplicates,
            again.stats.offline_corrected) == (1, 1, 0)
    assert kinds(store).count("offline_corrected") == 1


def test_a_report_for_a_scan_not_applied_or_another_pallet_is_kept_unmatched(tmp_path: Path) -> None:
    site, store = open_site(tmp_path)
    site.apply_scan(scan(1, 1))
    assert site.apply_offline_answer(report(2, 5, 1, told(area="S1"))) == "offline_unmatched"
    assert site.apply_offline_answer(report(3, 1, 2, told(area="S1"))) == "offline_unmatched"
    assert (site.offline_answer_stats.unmatched, site.stats.offline_kept, site.stats.offline_corrected) == (2, 0, 0)
    found = [e.body["found"] for e in store.events() if e.kind == "offline_unmatched"]
    assert sorted(found) == sorted(["no scan", f"pallet {sscc(1)}"])

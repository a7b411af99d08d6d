"""Scan totals folded from the event log agree with what the scan service counted, whatever the chunk size."""

from __future__ import annotations

from contextlib import closing

import pytest

from support.lyon_site import SITE, START
from support.scans import scan as scan_event
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.store.scan_totals import EventTotals, ScanTotals
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import OfflineDecision, ScanEvent


def scan(seq: int, n: int, postal: str = "69001", offline: OfflineDecision | None = None) -> ScanEvent:
    return scan_event(seq, n=n, postal=postal, offline=offline, at=START)


def told(trailer: str, door: str) -> OfflineDecision:
    return OfflineDecision(plan_version=3, outcome="assigned", door=door, trailer=trailer, decided_at=START)


EXPECTED = ScanTotals(
    applied=5, assigned_direct=4, staged=0, breakdown=0, rejected=1, offline_kept=1, offline_corrected=1,
    seq_conflicts=1, clock_skew=1,
    logged_refusals={"bad_payload": 2, "oversized": 1},
)


@pytest.mark.parametrize("chunk", [1, 2, 20_000])
async def test_totals_from_the_log_match_the_service_counters_and_a_fresh_read(store_at: str, chunk: int) -> None:
    db = store_at
    opened = Store(db)
    site = LiveSite(SITE, opened, ManualClock(START))
    totals = EventTotals(opened, chunk=chunk)
    assert await totals.read() == ScanTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, {})
    site.apply_scan(scan(1, 1))
    site.apply_scan(scan(2, 2, "06000"))  # no destination: rejected
    site.apply_scan(scan(1, 1))  # a redelivery: not counted again
    site.apply_scan(scan(1, 3))  # the key of another pallet: a seq conflict
    site.apply_scan(scan(3, 4, offline=told("T-LYON-1", "D12")))  # kept
    site.apply_scan(scan(4, 5, offline=told("T-LYON-9", "D12")))  # no such trailer: corrected
    with opened.transaction() as tx:
        tx.append_event(START, "clock_skew", {"skew_s": 3600.0}, edge_id="e1", seq=3)
        tx.append_event(START, "seq_conflict", {"passage": {}})  # a door passage's: not a scan's
        for reason in ("bad_payload", "oversized", "bad_payload"):  # kept by older versions
            tx.append_event(START, "rejected_uplink", {"reason": reason})
    site.apply_scan(scan(5, 6))
    s = site.stats
    assert (s.applied, s.assigned_direct, s.staged, s.breakdown, s.rejected, s.offline_kept, s.offline_corrected,
            s.seq_conflicts) == (
        EXPECTED.applied, EXPECTED.assigned_direct, EXPECTED.staged, EXPECTED.breakdown, EXPECTED.rejected,
        EXPECTED.offline_kept, EXPECTED.offline_corrected, EXPECTED.seq_conflicts,
    )
    assert await totals.read() == EXPECTED
    assert await totals.read() == EXPECTED  # read again: nothing new, nothing counted twice
    opened.close()
    with closing(Store(db)) as store:
        assert await EventTotals(store, chunk=chunk).read() == EXPECTED

"""Scan totals folded from the event log agree with what the scan service counted, whatever the chunk size."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest

from support.lyon_site import SITE, START
from xdock.central.site.scans import ScanService
from xdock.central.site.state import SiteState
from xdock.central.store.database import Store
from xdock.central.store.scan_totals import EventTotals, ScanTotals
from xdock.protocol.clock import ManualClock
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import OfflineDecision, ScanEvent, ShipToModel


def scan(seq: int, n: int, postal: str = "69001", offline: OfflineDecision | None = None) -> ScanEvent:
    return ScanEvent(
        edge_id="e1", seq=seq, device_id="s1", door="D1", scanned_at=START,
        sscc=sscc_with_check_digit(f"0376130321{n:07d}"), ship_to=ShipToModel(kind="postal", value=postal), raw="x",
        offline=offline,
    )


def told(trailer: str, door: str) -> OfflineDecision:
    return OfflineDecision(plan_version=3, outcome="assigned", door=door, trailer=trailer, decided_at=START)


EXPECTED = ScanTotals(
    applied=5, assigned_direct=4, staged=0, breakdown=0, rejected=1, offline_kept=1, offline_corrected=1,
    seq_conflicts=1, clock_skew=1,
    logged_refusals={"bad_payload": 2, "oversized": 1},
)


@pytest.mark.parametrize("chunk", [1, 2, 20_000])
async def test_totals_from_the_log_match_the_service_counters_and_a_fresh_read(tmp_path: Path, chunk: int) -> None:
    db = tmp_path / "c.db"
    service = ScanService(SiteState(SITE, START.date()), Store(db), ManualClock(START))
    totals = EventTotals(service.store, chunk=chunk)
    assert await totals.read() == ScanTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, {})
    service.apply(scan(1, 1))
    service.apply(scan(2, 2, "06000"))  # no destination: rejected
    service.apply(scan(1, 1))  # a redelivery: not counted again
    service.apply(scan(1, 3))  # the key of another pallet: a seq conflict
    service.apply(scan(3, 4, offline=told("T-LYON-1", "D12")))  # kept
    service.apply(scan(4, 5, offline=told("T-LYON-9", "D12")))  # no such trailer: corrected
    with service.store.transaction() as tx:
        tx.append_event(START, "clock_skew", {"skew_s": 3600.0}, edge_id="e1", seq=3)
        tx.append_event(START, "seq_conflict", {"passage": {}})  # a door passage's: not a scan's
        for reason in ("bad_payload", "oversized", "bad_payload"):  # kept by older versions
            tx.append_event(START, "rejected_uplink", {"reason": reason})
    service.apply(scan(5, 6))
    s = service.stats
    assert (s.applied, s.assigned_direct, s.staged, s.breakdown, s.rejected, s.offline_kept, s.offline_corrected,
            s.seq_conflicts) == (
        EXPECTED.applied, EXPECTED.assigned_direct, EXPECTED.staged, EXPECTED.breakdown, EXPECTED.rejected,
        EXPECTED.offline_kept, EXPECTED.offline_corrected, EXPECTED.seq_conflicts,
    )
    assert await totals.read() == EXPECTED
    assert await totals.read() == EXPECTED  # read again: nothing new, nothing counted twice
    service.store.close()
    with closing(Store(db)) as store:
        assert await EventTotals(store, chunk=chunk).read() == EXPECTED

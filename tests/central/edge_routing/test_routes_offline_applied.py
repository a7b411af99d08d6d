"""Central names in each edge's snapshot the offline decisions of that edge it applied, and takes them off its share."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.scans import offline, scan
from support.sites import inbound, outbound, site_config, staging, trailer
from xdock.central.edge_routing.offline_applied import OFFLINE_APPLIED_KEY, AppliedOffline
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import RouteSnapshot, ScanEvent

SITE = site_config(
    handling_minutes=15,
    doors=[inbound(), inbound("D2", 20, 0), outbound("D11", 0, 30), outbound("D14", 40, 30)],
    areas=[staging(), staging("C1", 50, 15, temp="chilled")],
    trailers=[trailer(door="D11", capacity=8), trailer("T-LYON-R", "D14", capacity=4, departure="18:00", reefer=True)],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Paris
EDGES = {"e1": "D1", "e2": "D2"}


def offline_scan(seq: int, trailer: str, *, edge: str = "e1", max_temp_c: float | None = None) -> ScanEvent:
    door = "D11" if trailer == "T-LYON-1" else "D14"
    return scan(seq, edge=edge, door=EDGES[edge], at=START, max_temp_c=max_temp_c,
                offline=offline(door=door, trailer=trailer, at=START))


def make(folder: Path, clock: ManualClock) -> tuple[LiveSite, RoutesPublisher]:
    store = Store(folder / "c.db")
    site = LiveSite(SITE, store, clock)
    return site, RoutesPublisher(site, store, clock, edges=EDGES)


def shares(snapshot: RouteSnapshot | None) -> tuple[dict[str, int], list[int] | None]:
    assert snapshot is not None
    return {r.trailer: r.free_positions for r in snapshot.routes}, snapshot.applied_offline


def test_applied_decisions_are_named_in_any_order_and_use_up_the_edges_own_share(tmp_path: Path) -> None:
    clock = ManualClock(START)
    site, publisher = make(tmp_path, clock)
    try:
        publisher.update(clock.now())
        assert shares(publisher.snapshot("e1")) == ({"T-LYON-1": 3, "T-LYON-R": 1}, [])
        assert shares(publisher.snapshot("e2")) == ({"T-LYON-1": 3, "T-LYON-R": 1}, [])
        e2_before = publisher.snapshot("e2")
        # e1's offline scans reach central out of order (its live scans overtook the backlog).
        site.apply_scan(offline_scan(7, "T-LYON-1"))
        site.apply_scan(offline_scan(5, "T-LYON-1"))
        clock.advance(1)
        publisher.update(clock.now())
        assert shares(publisher.snapshot("e1")) == ({"T-LYON-1": 1, "T-LYON-R": 1}, [5, 7])
        assert publisher.snapshot("e2") is e2_before  # 6 free: e2's 3 still fit, nothing of e2's changed

        # A decision central could not keep (a chilled pallet needs a reefer) is named, and uses no share.
        site.apply_scan(offline_scan(8, "T-LYON-1", max_temp_c=4.0))
        clock.advance(1)
        publisher.update(clock.now())
        # Central sent the pallet to the reefer instead: e1's share of T-LYON-1 stays as it was.
        assert shares(publisher.snapshot("e1")) == ({"T-LYON-1": 1, "T-LYON-R": 1}, [5, 7, 8])
        assert publisher.snapshot("e2") is e2_before
        assert site.stats.offline_corrected == 1
    finally:
        publisher.store.close()


def test_what_central_applied_is_still_named_after_it_restarts_and_forgotten_once_the_trailer_closes(
    tmp_path: Path,
) -> None:
    clock = ManualClock(START)
    site, publisher = make(tmp_path, clock)
    publisher.update(clock.now())
    site.apply_scan(offline_scan(3, "T-LYON-1", edge="e2"))
    site.apply_scan(offline_scan(4, "T-LYON-R", edge="e2"))
    publisher.update(clock.now())
    publisher.store.close()

    site, publisher = make(tmp_path, clock)
    try:
        assert publisher.applied_offline.of("e2") == [3, 4]
        publisher.update(clock.now())
        assert shares(publisher.snapshot("e2"))[1] == [3, 4]
        assert shares(publisher.snapshot("e1"))[1] == []
        clock.advance(timedelta(hours=8, minutes=30).total_seconds())  # 16:30 in Paris: T-LYON-1 is no longer offered
        publisher.update(clock.now())
        assert shares(publisher.snapshot("e2")) == ({"T-LYON-R": 1}, [4])
    finally:
        publisher.store.close()


def test_a_stored_ledger_that_cannot_be_read_is_ignored_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    ledger = AppliedOffline()
    ledger.add("e1", "T1", 9)
    ledger.add("e1", "T2", 2)
    assert AppliedOffline.loads(ledger.dumps()).of("e1") == [2, 9]
    with caplog.at_level(logging.WARNING):
        assert AppliedOffline.loads('{"e1": {"T1": ["9"]}}').of("e1") == []
        assert AppliedOffline.loads("[1]").of("e1") == []
    assert [r.getMessage() for r in caplog.records] == [
        f"stored {OFFLINE_APPLIED_KEY} ignored: seq of e1/T1 must be an integer, got '9'",
        f"stored {OFFLINE_APPLIED_KEY} ignored: expected an object, got list",
    ]

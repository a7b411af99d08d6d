"""Scans that arrive together are applied in one store transaction, each exactly once by its key.

Central's ingest hands the site core every scan already waiting on the broker as one batch
(:meth:`~xdock.central.site.live_site.LiveSite.apply_scans`): one transaction, one disk sync, then
the answers. These tests pin what a batch does to each scan in it, on both stores (an SQLite file
and a fresh PostgreSQL database).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from support.scans import scan as scan_event
from support.scans import sscc
from support.sites import site_config, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store, StoreError, Transaction
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import ScanEvent

SITE = site_config(trailers=[trailer(capacity=3)])
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Paris


def scan(seq: int, n: int | None = None, *, door: str = "D1") -> ScanEvent:
    return scan_event(seq, n=n, door=door, at=START)


class CountingStore(Store):
    """The real store, counting its transactions; ``fail_commits`` makes the next ones fail at commit."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.transactions = 0
        self.fail_commits = 0

    @contextmanager
    def transaction(self, *, looking_up: Iterable[tuple[str, int]] = ()) -> Iterator[Transaction]:
        self.transactions += 1
        with super().transaction(looking_up=looking_up) as tx:
            yield tx
            if self.fail_commits:
                self.fail_commits -= 1
                raise StoreError("Cannot write store: disk I/O error (injected)")


def open_site(target: str) -> tuple[LiveSite, CountingStore]:
    store = CountingStore(target)
    return LiveSite(SITE, store, ManualClock(START)), store


def test_a_batch_is_one_transaction_with_every_scan_answered_in_order(store_at: str) -> None:
    site, store = open_site(store_at)
    before = store.transactions
    results = site.apply_scans([scan(1), scan(2), scan(3)])
    assert store.transactions == before + 1
    assert [(r.reply.seq, r.reply.outcome, r.reply.trailer, r.duplicate) for r in results] == [
        (1, "assigned", "T-LYON-1", False), (2, "assigned", "T-LYON-1", False), (3, "assigned", "T-LYON-1", False),
    ]
    assert site.state.trailers["T-LYON-1"].assigned == 3
    assert store.applied_count() == 3
    assert [(e.kind, e.seq) for e in store.events()] == [("scan", 1), ("scan", 2), ("scan", 3)]


def test_a_key_twice_in_one_batch_is_applied_once_and_answered_alike(store_at: str) -> None:
    site, store = open_site(store_at)
    first, other, again = site.apply_scans([scan(1), scan(2), scan(1)])
    assert (first.duplicate, other.duplicate, again.duplicate) == (False, False, True)
    assert again.reply == first.reply
    assert (site.stats.applied, site.stats.duplicates) == (2, 1)
    assert site.state.trailers["T-LYON-1"].assigned == 2
    assert site.state.pallets[sscc(1)].scans == 1
    assert [(e.kind, e.seq) for e in store.events()] == [("scan", 1), ("scan", 2)]


def test_a_batch_redelivered_later_gets_the_stored_answers_and_changes_nothing(store_at: str) -> None:
    site, store = open_site(store_at)
    first = site.apply_scans([scan(1), scan(2)])
    again = site.apply_scans([scan(2), scan(1), scan(3)])
    assert [(r.reply.seq, r.duplicate) for r in again] == [(2, True), (1, True), (3, False)]
    assert [r.reply for r in again[:2]] == [first[1].reply, first[0].reply]
    assert site.state.trailers["T-LYON-1"].assigned == 3
    assert store.applied_count() == 3


def test_a_refused_scan_in_a_batch_is_answered_and_stored_and_the_others_applied(store_at: str) -> None:
    site, store = open_site(store_at)
    results = site.apply_scans([scan(1), scan(2, door="D9"), scan(3)])
    assert [(r.reply.seq, r.reply.outcome, r.reply.display) for r in results] == [
        (1, "assigned", "→ D12  LYON  dep 16:40"), (2, "rejected", "unknown door D9"),
        (3, "assigned", "→ D12  LYON  dep 16:40"),
    ]
    assert (site.stats.applied, site.stats.rejected) == (3, 1)
    assert site.state.trailers["T-LYON-1"].assigned == 2
    assert sscc(2) not in site.state.pallets
    redelivered = site.apply_scan(scan(2, door="D9"))
    assert redelivered.duplicate
    assert redelivered.reply == results[1].reply
    assert store.applied_count() == 3


def test_a_batch_after_a_full_trailer_is_refused_by_the_scans_before_it_in_the_batch(store_at: str) -> None:
    site, _ = open_site(store_at)
    results = site.apply_scans([scan(1), scan(2), scan(3), scan(4)])
    assert [(r.reply.outcome, r.reply.display) for r in results][3] == ("rejected", "trailers for LYON full")
    assert site.state.trailers["T-LYON-1"].assigned == 3


def test_a_batch_whose_commit_fails_leaves_nothing_and_is_applied_whole_when_redelivered(store_at: str) -> None:
    site, store = open_site(store_at)
    kept = site.apply_scans([scan(1)])
    store.fail_commits = 1
    with pytest.raises(StoreError, match="injected"):
        site.apply_scans([scan(2), scan(3), scan(1)])
    assert site.state.trailers["T-LYON-1"].assigned == 1
    assert sorted(site.state.pallets) == [sscc(1)]
    assert (site.stats.applied, site.stats.duplicates, store.applied_count()) == (1, 0, 1)
    results = site.apply_scans([scan(2), scan(3), scan(1)])  # the broker delivers the batch again
    assert [(r.reply.seq, r.reply.outcome, r.duplicate) for r in results] == [
        (2, "assigned", False), (3, "assigned", False), (1, "assigned", True),
    ]
    assert results[2].reply == kept[0].reply
    assert site.state.trailers["T-LYON-1"].assigned == 3
    assert (site.stats.applied, site.stats.duplicates, store.applied_count()) == (3, 1, 3)
    assert [(e.kind, e.seq) for e in store.events()] == [("scan", 1), ("scan", 2), ("scan", 3)]


def test_a_crash_between_batches_loses_no_applied_scan_and_applies_none_twice(store_at: str) -> None:
    before, store = open_site(store_at)
    first = before.apply_scans([scan(1), scan(2)])
    store.close()  # central dies after the first batch's commit, before the broker had its acknowledgement
    after, store = open_site(store_at)
    assert after.state.trailers["T-LYON-1"].assigned == 2
    results = after.apply_scans([scan(1), scan(2), scan(3)])  # first batch redelivered, with a new scan
    assert [(r.reply.seq, r.duplicate) for r in results] == [(1, True), (2, True), (3, False)]
    assert [r.reply for r in results[:2]] == [r.reply for r in first]
    assert after.state.trailers["T-LYON-1"].assigned == 3
    assert store.applied_count() == 3
    assert [(e.kind, e.seq) for e in store.events()] == [("scan", 1), ("scan", 2), ("scan", 3)]

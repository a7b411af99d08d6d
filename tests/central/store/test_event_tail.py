"""One incremental reader of the event log, shared by the load book, the departure log and the hub."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from xdock.central.site.departures import DEPARTED_EVENT, DepartureLog
from xdock.central.store.database import EventRow, Store
from xdock.central.store.event_tail import EventTail

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _append(store: Store, *kinds: str) -> None:
    with store.transaction() as tx:
        for kind in kinds:
            tx.append_event(AT, kind, {"trailer": "T-LYON-1"})


def test_followers_share_one_pass_over_the_log(store_at: str) -> None:
    store = Store(store_at)
    try:
        _append(store, "scan", DEPARTED_EVENT, "loaded")
        reads: list[int] = []
        events = store.events

        def counted(*, after: int = 0, limit: int = 100) -> list[EventRow]:
            reads.append(after)
            return events(after=after, limit=limit)

        store.events = counted  # type: ignore[method-assign]
        tail = EventTail(store, page=2)
        kinds: list[str] = []
        tail.follow(lambda e: kinds.append(e.kind))
        departures = DepartureLog(tail)
        assert departures.refresh() == {"T-LYON-1": AT}
        assert (reads, kinds, tail.last_id) == ([0, 2, 3], ["scan", DEPARTED_EVENT, "loaded"], 3)

        _append(store, "passage")
        assert tail.refresh() == 1
        assert (reads[3:], kinds[3:]) == ([3, 4], ["passage"])
    finally:
        store.close()


def test_a_late_follower_is_handed_the_events_read_before_then_each_new_one_once(store_at: str) -> None:
    store = Store(store_at)
    try:
        _append(store, "scan", "loaded", "misload")
        tail = EventTail(store, page=2)
        assert tail.refresh() == 3
        _append(store, "passage")  # appended, not read yet: the refresh hands it on, not follow
        late: list[tuple[int, str]] = []
        tail.follow(lambda e: late.append((e.id, e.kind)))
        assert late == [(1, "scan"), (2, "loaded"), (3, "misload")]
        assert tail.refresh() == 1
        assert late[3:] == [(4, "passage")]
    finally:
        store.close()


def test_a_page_must_hold_an_event(store_at: str) -> None:
    store = Store(store_at)
    try:
        with pytest.raises(ValueError, match=r"^page must be at least 1, got 0$"):
            EventTail(store, page=0)
    finally:
        store.close()

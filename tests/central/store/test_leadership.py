from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.postgres import fresh_database, terminate_connections
from xdock.central.store.database import NewEvent, NotLeaderError, Store, StoreError
from xdock.central.store.leadership import Leader, Leadership

AT = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


@pytest.fixture
def url() -> Iterator[str]:
    with fresh_database() as made:
        Store(made).close()
        yield made


def taken(lead: Leadership, timeout: float = 10.0) -> int | None:
    """The epoch ``lead`` takes once the server has ended the last holder's session (it does so a moment
    after the holder's connection closes), or ``None`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (epoch := lead.try_take(AT)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return epoch


def test_one_central_leads_the_next_takes_over_when_it_lets_go(url: str) -> None:
    a, b = Leadership(url, "central-a", api="http://10.0.0.5:8080"), Leadership(url, "central-b")
    assert a.try_take(AT) == 1
    assert b.try_take(AT) is None
    assert b.leader() == Leader(1, "central-a", AT, "http://10.0.0.5:8080")
    assert a.lost() is None
    a.close()
    assert taken(b) == 2
    assert b.leader() == Leader(2, "central-b", AT, None)
    store = Store(url)
    assert [(e.kind, e.body) for e in store.events()] == [
        ("leadership", {"central": "central-a", "epoch": 1}), ("leadership", {"central": "central-b", "epoch": 2}),
    ]
    b.close()


def test_a_leader_cut_from_the_database_knows_it_and_its_writes_are_refused(url: str) -> None:
    a, b = Leadership(url, "central-a"), Leadership(url, "central-b")
    a_store = Store(url, application="xdock-central central-a")
    a_store.lead(a.try_take(AT) or 0)
    assert terminate_connections(url, "xdock-central central-a") == 2
    assert a.lost() is not None
    assert a.lost().startswith("its connection to the store ended (Cannot read store")  # type: ignore[union-attr]
    assert taken(b) == 2
    with pytest.raises(NotLeaderError, match="central 'central-b' leads the site since epoch 2"), \
            a_store.transaction() as tx:
        tx.put_meta("k", "v")
    assert Store(url).meta("k") is None
    assert a_store.meta("k") is None  # the refused transaction was ended: its connection serves on
    b.close()


def test_only_a_postgresql_store_has_a_leader() -> None:
    with pytest.raises(StoreError, match=r"Only a PostgreSQL store has a leader and standbys, not 'site\.db'"):
        Leadership("site.db", "central-a")


def test_a_fenced_batch_costs_the_server_two_round_trips_begin_with_lookup_and_writes_with_commit(
    url: str, tmp_path: Path
) -> None:
    lead = Leadership(url, "central-a")
    store = Store(url)
    try:
        epoch = lead.try_take(AT)
        assert epoch == 1
        store.lead(epoch)
        with store.transaction() as tx:
            tx.mark_applied("e1", 1, "r1", AT)
        trace = tmp_path / "libpq.trace"
        pgconn = store._db._db.pgconn  # type: ignore[attr-defined]  # the driver's protocol trace, to count
        with trace.open("w") as out:
            pgconn.trace(out.fileno())
            pgconn.set_trace_flags(0)
            with store.transaction(looking_up=[("e1", 1), ("e1", 2), ("e2", 9)]) as tx, tx.writes_together():
                assert tx.applied == {("e1", 1): "r1"}
                tx.mark_applied_many([("e1", 2, "r2"), ("e2", 9, "r9")], AT)
                tx.append_events([NewEvent(AT, "scan", {"i": 2}, edge_id="e1", seq=2)])
            pgconn.untrace()
        sent = [line.split("\t")[3] for line in trace.read_text().splitlines() if line.split("\t")[1] == "F"]
        assert sent.count("Sync") == 2  # each Sync is a wait for the server: one round trip
        assert "Query" not in sent  # nothing went outside the two pipelines
        assert store.applied_count() == 3
    finally:
        store.close()
        lead.close()

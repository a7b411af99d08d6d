from __future__ import annotations

from datetime import UTC, datetime

import pytest

from xdock.central.store.connect import connect
from xdock.central.store.database import NewEvent, PalletRow, Store, StoreError

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def row(sscc: str = "376130321109103437", trailer: str | None = "T1") -> PalletRow:
    return PalletRow(sscc, "assigned", "LYON", "69001", trailer, "D12", "D1", AT, AT, 1)


def test_transaction_is_all_or_nothing(store_at: str) -> None:
    store = Store(store_at)
    def crash_midway() -> None:
        with store.transaction() as tx:
            tx.mark_applied("e1", 1, "{}", AT)
            tx.put_pallet(row())
            raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError, match="crash in the middle"):
        crash_midway()
    assert store.applied_reply("e1", 1) is None
    assert store.pallets() == []
    with store.transaction() as tx:
        tx.mark_applied("e1", 1, '{"a": 1}', AT)
        tx.put_pallet(row())
        tx.append_event(AT, "scan", {"n": 1}, sscc="376130321109103437", edge_id="e1", seq=1)
    assert store.applied_reply("e1", 1) == '{"a": 1}'
    assert store.pallets() == [row()]
    [event] = store.events()
    assert (event.id, event.kind, event.body, event.edge_id, event.seq) == (1, "scan", {"n": 1}, "e1", 1)


def test_same_key_cannot_be_applied_twice(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.mark_applied("e1", 1, "{}", AT)
    duplicate = "UNIQUE constraint failed" if store.dialect == "sqlite" else "duplicate key value violates unique"
    with pytest.raises(StoreError, match=duplicate), store.transaction() as tx:
        tx.mark_applied("e1", 1, "{}", AT)
    assert store.applied_count() == 1


def test_event_log_is_append_only(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.append_event(AT, "scan", {})
    store.close()
    db = connect(store_at)
    with pytest.raises(StoreError, match="the event log is append-only"):
        db.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(StoreError, match="the event log is append-only"):
        db.execute("DELETE FROM events")
    db.close()


def test_pallet_upsert_and_event_paging(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.put_pallet(row(trailer="T1"))
        tx.put_pallet(row(trailer="T2"))
        for i in range(5):
            tx.append_event(AT, "scan", {"i": i})
    assert [p.trailer for p in store.pallets()] == ["T2"]
    assert [e.body["i"] for e in store.events(after=2, limit=2)] == [2, 3]


def test_a_batch_of_keys_is_looked_up_with_the_begin_across_edges_and_beyond_one_query(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.mark_applied_many([("e1", seq, f"r{seq}") for seq in range(1, 1201, 2)] + [("e2", 7, "x")], AT)
    assert tx.applied == {}
    keys = [("e1", seq) for seq in range(1, 1201)] + [("e2", 7), ("e2", 8), ("e3", 1)]
    with store.transaction(looking_up=iter(keys)) as tx:
        found = dict(tx.applied)
    assert len(found) == 601  # 600 odd seqs of e1 (two queries' worth) and e2's 7
    assert (found[("e1", 1)], found[("e1", 1199)], found[("e2", 7)]) == ("r1", "r1199", "x")
    assert not {("e1", 2), ("e2", 8), ("e3", 1)} & found.keys()


def test_events_and_pallets_written_together_keep_their_order(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.append_events([NewEvent(AT, "scan", {"i": i}, sscc=f"s{i}", edge_id="e1", seq=i) for i in range(3)])
        tx.put_pallets([row(trailer="T1"), row(trailer="T2")])
        tx.append_events([])
        tx.put_pallets([])
    assert [(e.id, e.body["i"], e.sscc, e.seq) for e in store.events()] == [(1, 0, "s0", 0), (2, 1, "s1", 1),
                                                                            (3, 2, "s2", 2)]
    assert [p.trailer for p in store.pallets()] == ["T2"]  # the later row of one pallet wins


def test_writes_sent_together_fail_together_at_the_end_of_the_block_and_leave_nothing(store_at: str) -> None:
    store = Store(store_at)
    with store.transaction() as tx:
        tx.mark_applied("e1", 1, "{}", AT)
    duplicate = "UNIQUE constraint failed" if store.dialect == "sqlite" else "duplicate key value violates unique"

    def write_a_key_again() -> None:
        with store.transaction() as tx, tx.writes_together():
            tx.append_events([NewEvent(AT, "scan", {"i": 2}, edge_id="e1", seq=2)])
            tx.mark_applied_many([("e1", 2, "{}"), ("e1", 1, "{}")], AT)
            tx.put_pallets([row()])

    with pytest.raises(StoreError, match=duplicate):
        write_a_key_again()
    assert (store.applied_count(), store.events(), store.pallets()) == (1, [], [])
    with store.transaction() as tx, tx.writes_together():  # the connection serves on
        tx.mark_applied_many([("e1", 2, "{}")], AT)
        tx.put_pallets([row()])
    assert (store.applied_count(), [p.sscc for p in store.pallets()]) == (2, [row().sscc])


def test_unopenable_store_names_the_path() -> None:
    with pytest.raises(StoreError, match=r"^Cannot open store '/nonexistent/dir/x.db': unable to open database file$"):
        Store("/nonexistent/dir/x.db")

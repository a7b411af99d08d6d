from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xdock.central.store.connect import connect
from xdock.central.store.database import NotLeaderError, PalletRow, Store, StoreError
from xdock.central.store.leadership import Leader
from xdock.central.store.migrations import LATEST, migrate, v1_initial

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PALLET = PalletRow("376130321109103437", "assigned", "LYON", "69001", "T1", "D12", "D1", AT, AT, 1)


def test_a_store_made_before_versions_were_kept_is_upgraded_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(v1_initial.SQLITE)
    old.execute("INSERT INTO applied (edge_id, seq, reply, applied_at) VALUES ('e1', 7, '{\"door\": \"D12\"}', ?)",
                (AT.isoformat(),))
    old.execute("INSERT INTO events (at, kind, sscc, edge_id, seq, body) VALUES (?, 'scan', ?, 'e1', 7, '{}')",
                (AT.isoformat(), PALLET.sscc))
    old.commit()
    old.close()

    store = Store(path)
    assert store.schema_version() == LATEST == 3
    assert store.applied_reply("e1", 7) == '{"door": "D12"}'
    assert store.leader() == Leader(0, None, None, None)
    with store.transaction() as tx:
        tx.mark_applied("e1", 8, "{}", AT)
        tx.append_event(AT, "scan", {}, edge_id="e1", seq=8)
    epochs = connect(path).execute("SELECT seq, epoch FROM applied ORDER BY seq").fetchall()
    assert [tuple(r) for r in epochs] == [(7, None), (8, 0)]
    assert [e.seq for e in store.events()] == [7, 8]


def test_each_version_is_applied_once_and_recorded(store_at: str) -> None:
    db = connect(store_at)
    assert migrate(db, upto=1) == [1]
    assert migrate(db, upto=2) == [2]
    assert migrate(db) == [3]
    assert migrate(db) == []
    rows = db.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert [tuple(r) for r in rows] == [
        (1, "initial"), (2, "leadership epoch"), (3, "advance shipping notices, dangerous-goods classes, webhooks"),
    ]
    db.close()
    assert Store(store_at).schema_version() == 3


def test_a_version_2_store_keeps_its_pallets_with_no_class_nor_mixed_destinations(store_at: str) -> None:
    db = connect(store_at)
    migrate(db, upto=2)
    with db.transaction():
        db.execute(
            "INSERT INTO pallets (sscc, state, destination, ship_to, trailer, door, inbound_door, first_seen,"
            " updated_at, scans, weight_kg, temp, dangerous, expiry, target)"
            " VALUES (?, 'assigned', 'LYON', '69001', 'T1', 'D12', 'D1', ?, ?, 1, NULL, 'ambient', 1, NULL, 'T1')",
            (PALLET.sscc, AT.isoformat(), AT.isoformat()),
        )
    db.close()
    [pallet] = Store(store_at).pallets()
    assert (pallet.sscc, pallet.dangerous, pallet.hazmat, pallet.destinations) == (PALLET.sscc, True, None, ())


def test_a_store_newer_than_this_xdock_is_refused(store_at: str) -> None:
    Store(store_at).close()
    db = connect(store_at)
    with db.transaction():
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (4, 'from the future', ?)",
                   (AT.isoformat(),))
    db.close()
    with pytest.raises(StoreError, match=r"its schema is version 4, newer than this xdock knows \(up to 3\)"):
        Store(store_at)


def test_a_deposed_leaders_writes_are_refused_and_leave_nothing(store_at: str) -> None:
    first, second = Store(store_at), Store(store_at)
    first.lead(_take(first, "central-a"))
    with first.transaction() as tx:
        tx.mark_applied("e1", 1, "{}", AT)
    second.lead(_take(second, "central-b"))
    with pytest.raises(NotLeaderError, match=r"central 'central-b' leads the site since epoch 2 \(this central led"
                                             r" at epoch 1\)"):
        _apply_scan(first, 2)
    with second.transaction() as tx:
        tx.mark_applied("e1", 3, "{}", AT)
    assert second.applied_reply("e1", 2) is None
    assert second.pallets() == []
    epochs = connect(store_at).execute("SELECT seq, epoch FROM applied ORDER BY seq").fetchall()
    assert [tuple(r) for r in epochs] == [(1, 1), (3, 2)]


def _apply_scan(store: Store, seq: int) -> None:
    with store.transaction() as tx:
        tx.mark_applied("e1", seq, "{}", AT)
        tx.put_pallet(PALLET)


def _take(store: Store, central: str) -> int:
    """Move the leadership epoch on as a new leader does (what :mod:`leadership` does under its lock)."""
    db = connect(store.target)
    with db.transaction():
        epoch = db.execute("UPDATE leadership SET epoch = epoch + 1, leader = ?, since = ? WHERE id = 1"
                           " RETURNING epoch", (central, AT.isoformat())).fetchone()[0]
    db.close()
    return int(epoch)


def test_a_url_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(StoreError, match=r"^Cannot open store 'mysql://root@127.0.0.1/x': not a postgresql:// URL"
                                         r" nor a file path$"):
        Store("mysql://root@127.0.0.1/x")


def test_an_unreachable_postgresql_is_named_without_its_password() -> None:
    with pytest.raises(StoreError, match=r"^Cannot open store 'postgresql://xdock:\*\*\*@127.0.0.1:1/site': "):
        Store("postgresql://xdock:secret@127.0.0.1:1/site")

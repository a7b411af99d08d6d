from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xdock.central.store.database import PalletRow, Store, StoreError

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def row(sscc: str = "376130321109103437", trailer: str | None = "T1") -> PalletRow:
    return PalletRow(sscc, "assigned", "LYON", "69001", trailer, "D12", "D1", AT, AT, 1)


def test_transaction_is_all_or_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
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


def test_same_key_cannot_be_applied_twice(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with store.transaction() as tx:
        tx.mark_applied("e1", 1, "{}", AT)
    with pytest.raises(StoreError, match="UNIQUE constraint failed"), store.transaction() as tx:
        tx.mark_applied("e1", 1, "{}", AT)


def test_event_log_is_append_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with store.transaction() as tx:
        tx.append_event(AT, "scan", {})
    store.close()
    db = sqlite3.connect(tmp_path / "s.db")
    with pytest.raises(sqlite3.IntegrityError, match="the event log is append-only"):
        db.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="the event log is append-only"):
        db.execute("DELETE FROM events")
    db.close()


def test_pallet_upsert_and_event_paging(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with store.transaction() as tx:
        tx.put_pallet(row(trailer="T1"))
        tx.put_pallet(row(trailer="T2"))
        for i in range(5):
            tx.append_event(AT, "scan", {"i": i})
    assert [p.trailer for p in store.pallets()] == ["T2"]
    assert [e.body["i"] for e in store.events(after=2, limit=2)] == [2, 3]


def test_unopenable_store_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"^Cannot open store '/nonexistent/dir/x.db': unable to open database file$"):
        Store("/nonexistent/dir/x.db")


def test_older_store_gains_the_new_pallet_columns(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db")
    db.execute(
        "CREATE TABLE pallets (sscc TEXT PRIMARY KEY, state TEXT NOT NULL, destination TEXT, ship_to TEXT,"
        " trailer TEXT, door TEXT, inbound_door TEXT NOT NULL, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " scans INTEGER NOT NULL)"
    )
    db.execute(
        "INSERT INTO pallets VALUES ('376130321109103420', 'assigned', 'LYON', '69001', 'T1', 'D12', 'D1', ?, ?, 1)",
        (AT.isoformat(), AT.isoformat()),
    )
    db.commit()
    db.close()
    [old] = Store(tmp_path / "old.db").pallets()
    assert (old.trailer, old.temp, old.dangerous, old.weight_kg, old.target) == ("T1", "ambient", False, None, None)


def test_older_store_gains_the_alert_acknowledgement_columns(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db")
    db.execute(
        "CREATE TABLE alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, subject TEXT NOT NULL,"
        " raised_at TEXT NOT NULL, cleared_at TEXT, message TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO alerts (kind, subject, raised_at, message) VALUES ('edge_offline', 'e1', ?, 'e1 is offline')",
        (AT.isoformat(),),
    )
    db.commit()
    db.close()
    store = Store(tmp_path / "old.db")
    try:
        with store.transaction() as tx:
            tx.acknowledge_alert(1, "sue", AT)
        [alert] = store.alerts(open_only=True)
        assert (alert.kind, alert.subject, alert.cleared_at, alert.acknowledged_by, alert.acknowledged_at) == (
            "edge_offline", "e1", None, "sue", AT)
    finally:
        store.close()

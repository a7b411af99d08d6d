"""The store's inbound trucks: the advance shipping notice round-trips, older stores gain its columns."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from xdock.central.store.database import InboundTruckRow, Store

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_notice_and_suggested_door_round_trip(tmp_path: Path) -> None:
    row = InboundTruckRow("IN-1", "Geodis", AT, 18, "D1", "waiting", AT, destinations={"PARIS": 6, "LYON": 12},
                          suggested_door="D3")
    store = Store(tmp_path / "c.db")
    with store.transaction() as tx:
        tx.put_inbound_truck(row)
    store.close()
    store = Store(tmp_path / "c.db")
    assert store.inbound_trucks() == [row]
    store.close()


def test_older_store_gains_the_notice_and_suggested_door_columns(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db")
    db.execute(
        "CREATE TABLE inbound_trucks (id TEXT PRIMARY KEY, carrier TEXT, eta TEXT NOT NULL, pallets INTEGER NOT NULL,"
        " door TEXT, state TEXT NOT NULL, announced_at TEXT NOT NULL, arrived_at TEXT, unloaded_at TEXT) WITHOUT ROWID"
    )
    db.execute("INSERT INTO inbound_trucks VALUES ('IN-1', NULL, ?, 26, 'D1', 'waiting', ?, NULL, NULL)",
               (AT.isoformat(), AT.isoformat()))
    db.commit()
    db.close()
    store = Store(tmp_path / "old.db")
    try:
        [old] = store.inbound_trucks()
        assert (old.id, old.pallets, old.door, old.destinations, old.suggested_door) == ("IN-1", 26, "D1", None, None)
        with store.transaction() as tx:
            tx.put_inbound_truck(InboundTruckRow("IN-2", None, AT, 4, None, "waiting", AT, destinations={"LYON": 4}))
        assert [t.destinations for t in store.inbound_trucks()] == [None, {"LYON": 4}]
    finally:
        store.close()

"""Central's durable state in SQLite: pallets, applied idempotency keys, and an append-only event log.

One scan is stored in one transaction: its key in ``applied`` (with the answer sent), the event,
and the pallet row. So after any crash either all of a scan's effect is there or none of it, and
a redelivered scan is recognised by its key and answered with the stored answer.

The event log refuses UPDATE and DELETE (triggers), so it stays a faithful history.

Alerts (an edge or a device gone silent) are rows that open, may be acknowledged by a supervisor,
and later clear; at most one alert of a kind per subject is open at a time (a partial unique index
says so).

Users of the API (name, role) and their tokens live here too; a token is kept only as the SHA-256
of its text (see :mod:`xdock.central.api.auth`), never the token itself.

:class:`Store` (reads) and :class:`Transaction` (writes) are put together here from one module per
group of tables, each holding its rows, its schema and its SQL:

    database.py   the connection, transactions, applied keys and ``meta``
    pallets.py    pallets and the event log
    alerts.py     alerts
    users.py      users and their tokens
    inbound.py    inbound trucks
    outbound.py   outbound trailers announced at run time
    refusals.py   refused uplinks: counters per edge and reason, a bounded sample

Callers import everything from this module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

from xdock.central.store import alerts as store_alerts
from xdock.central.store import inbound as store_inbound
from xdock.central.store import outbound as store_outbound
from xdock.central.store import pallets as store_pallets
from xdock.central.store import refusals as store_refusals
from xdock.central.store import users as store_users
from xdock.central.store.alerts import AlertReads, AlertRow, AlertWrites
from xdock.central.store.inbound import InboundReads, InboundTruckRow, InboundWrites
from xdock.central.store.outbound import OutboundReads, OutboundTrailerRow, OutboundWrites
from xdock.central.store.pallets import (
    EventRow,
    PalletReads,
    PalletRow,
    PalletState,
    PalletWrites,
)
from xdock.central.store.refusals import RefusalCountRow, RefusalReads, RefusalSampleRow, RefusalWrites
from xdock.central.store.users import TokenRow, UserReads, UserRow, UserWrites

__all__ = [
    "AlertRow", "EventRow", "InboundTruckRow", "OutboundTrailerRow", "PalletRow", "PalletState", "RefusalCountRow",
    "RefusalSampleRow",
    "Store", "StoreError", "TokenRow", "Transaction", "UserRow",
]

_CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS applied (
    edge_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reply TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (edge_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""
_SCHEMA = "".join((
    _CORE_SCHEMA, store_pallets.SCHEMA, store_alerts.SCHEMA, store_users.SCHEMA, store_inbound.SCHEMA,
    store_outbound.SCHEMA, store_refusals.SCHEMA,
))



class StoreError(RuntimeError):
    """The database cannot be opened or written."""


class Store(PalletReads, AlertReads, UserReads, InboundReads, OutboundReads, RefusalReads):
    """SQLite file (or ``:memory:``) holding central's state. Not shared between threads."""

    def __init__(self, path: str | Path, *, synchronous: Literal["FULL", "NORMAL"] = "FULL") -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open store {self.path!r}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """All writes inside happen together or not at all."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot write store {self.path!r}: {exc}") from exc

    def applied_reply(self, edge_id: str, seq: int) -> str | None:
        """The stored answer to ``(edge_id, seq)`` if that scan was already applied."""
        row = self._db.execute("SELECT reply FROM applied WHERE edge_id = ? AND seq = ?", (edge_id, seq)).fetchone()
        return None if row is None else str(row[0])

    def applied_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM applied").fetchone()[0])

    def meta(self, key: str) -> str | None:
        """A small named value central keeps across restarts (e.g. ``plan_version``), or ``None``."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])


class Transaction(PalletWrites, AlertWrites, UserWrites, InboundWrites, OutboundWrites, RefusalWrites):
    """Writes of one transaction; see :meth:`Store.transaction`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def applied_reply(self, edge_id: str, seq: int) -> str | None:
        """As :meth:`Store.applied_reply`, seeing this transaction's own writes."""
        row = self._db.execute("SELECT reply FROM applied WHERE edge_id = ? AND seq = ?", (edge_id, seq)).fetchone()
        return None if row is None else str(row[0])

    def put_meta(self, key: str, value: str) -> None:
        """Set the named value read by :meth:`Store.meta`."""
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def mark_applied(self, edge_id: str, seq: int, reply: str, at: datetime) -> None:
        self._db.execute(
            "INSERT INTO applied (edge_id, seq, reply, applied_at) VALUES (?, ?, ?, ?)",
            (edge_id, seq, reply, at.isoformat()),
        )

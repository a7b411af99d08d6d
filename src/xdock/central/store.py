"""Central's durable state in SQLite: pallets, applied idempotency keys, and an append-only event log.

One scan is stored in one transaction: its key in ``applied`` (with the answer sent), the event,
and the pallet row. So after any crash either all of a scan's effect is there or none of it, and
a redelivered scan is recognised by its key and answered with the stored answer.

The event log refuses UPDATE and DELETE (triggers), so it stays a faithful history.

Alerts (an edge or a device gone silent) are rows that open, may be acknowledged by a supervisor,
and later clear; at most one alert of a kind per subject is open at a time (a partial unique index
says so).

Users of the API (name, role) and their tokens live here too; a token is kept only as the SHA-256
of its text (see :mod:`xdock.central.auth`), never the token itself.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

__all__ = ["AlertRow", "EventRow", "InboundTruckRow", "PalletRow", "Store", "StoreError", "UserRow"]

PalletState = Literal["assigned", "loaded", "staged", "breakdown", "unrouted"]
"""``assigned`` to a trailer, ``loaded`` confirmed aboard its trailer (no plan may move it, it leaves
with the trailer), ``staged`` waiting for one in a staging area, ``breakdown`` a mixed pallet sent to
be split, ``unrouted`` refused (no destination known, no place for it)."""

# Columns added after the first release, with their SQL type; added to older stores at open.
_ADDED_PALLET_COLUMNS = {
    "weight_kg": "REAL",
    "temp": "TEXT NOT NULL DEFAULT 'ambient'",
    "dangerous": "INTEGER NOT NULL DEFAULT 0",
    "expiry": "TEXT",
    "target": "TEXT",
}
_ADDED_ALERT_COLUMNS = {
    "acknowledged_by": "TEXT",
    "acknowledged_at": "TEXT",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS applied (
    edge_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reply TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (edge_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    sscc TEXT,
    edge_id TEXT,
    seq INTEGER,
    body TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE IF NOT EXISTS pallets (
    sscc TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    destination TEXT,
    ship_to TEXT,
    trailer TEXT,
    door TEXT,
    inbound_door TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    scans INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pallets_trailer ON pallets (trailer);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    cleared_at TEXT,
    message TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts (kind, subject) WHERE cleared_at IS NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    issued_at TEXT NOT NULL,
    revoked_at TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbound_trucks (
    id TEXT PRIMARY KEY,
    carrier TEXT,
    eta TEXT NOT NULL,
    pallets INTEGER NOT NULL,
    door TEXT,
    state TEXT NOT NULL,
    announced_at TEXT NOT NULL,
    arrived_at TEXT,
    unloaded_at TEXT
) WITHOUT ROWID;
"""


class StoreError(RuntimeError):
    """The database cannot be opened or written."""


@dataclass(frozen=True)
class PalletRow:
    sscc: str
    state: PalletState
    destination: str | None
    ship_to: str | None
    trailer: str | None
    door: str | None
    inbound_door: str
    first_seen: datetime
    updated_at: datetime
    scans: int
    weight_kg: float | None = None
    temp: Literal["ambient", "chilled", "frozen"] = "ambient"
    dangerous: bool = False
    expiry: date | None = None
    target: str | None = None
    """Where the pallet was sent: its trailer, or the staging/breakdown area."""


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    kind: str
    sscc: str | None
    edge_id: str | None
    seq: int | None
    body: dict[str, Any]


@dataclass(frozen=True)
class AlertRow:
    id: int
    kind: str
    subject: str
    raised_at: datetime
    cleared_at: datetime | None
    message: str
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class InboundTruckRow:
    """A truck announced to bring pallets (see :mod:`xdock.central.inbound`)."""

    id: str
    carrier: str | None
    eta: datetime
    pallets: int
    door: str | None
    state: Literal["waiting", "arrived", "unloaded"]
    announced_at: datetime
    arrived_at: datetime | None = None
    unloaded_at: datetime | None = None


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    created_at: datetime


class Store:
    """SQLite file (or ``:memory:``) holding central's state. Not shared between threads."""

    def __init__(self, path: str | Path, *, synchronous: Literal["FULL", "NORMAL"] = "FULL") -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.executescript(_SCHEMA)
            have = {row[1] for row in self._db.execute("PRAGMA table_info(pallets)")}
            for column, sql_type in _ADDED_PALLET_COLUMNS.items():
                if column not in have:
                    self._db.execute(f"ALTER TABLE pallets ADD COLUMN {column} {sql_type}")
            have = {row[1] for row in self._db.execute("PRAGMA table_info(alerts)")}
            for column, sql_type in _ADDED_ALERT_COLUMNS.items():
                if column not in have:
                    self._db.execute(f"ALTER TABLE alerts ADD COLUMN {column} {sql_type}")
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

    def pallets(self) -> list[PalletRow]:
        rows = self._db.execute(
            "SELECT sscc, state, destination, ship_to, trailer, door, inbound_door, first_seen, updated_at, scans,"
            " weight_kg, temp, dangerous, expiry, target FROM pallets ORDER BY first_seen, sscc"
        ).fetchall()
        return [_pallet(row) for row in rows]

    def events(self, *, after: int = 0, limit: int = 100) -> list[EventRow]:
        rows = self._db.execute(
            "SELECT id, at, kind, sscc, edge_id, seq, body FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (after, limit),
        ).fetchall()
        return [
            EventRow(
                id=r[0], at=datetime.fromisoformat(r[1]), kind=r[2], sscc=r[3], edge_id=r[4], seq=r[5],
                body=json.loads(r[6]),
            )
            for r in rows
        ]

    def alerts(self, *, open_only: bool | None = None, limit: int = 1000) -> list[AlertRow]:
        """Alerts, newest first: all, only open ones (``True``) or only cleared ones (``False``)."""
        rows = self._db.execute(
            "SELECT id, kind, subject, raised_at, cleared_at, message, acknowledged_by, acknowledged_at FROM alerts"
            " WHERE ? IS NULL OR (cleared_at IS NULL) = ? ORDER BY id DESC LIMIT ?",
            (open_only, open_only, limit),
        ).fetchall()
        return [_alert(row) for row in rows]

    def alert(self, alert_id: int) -> AlertRow | None:
        """One alert by id, or ``None``."""
        row = self._db.execute(
            "SELECT id, kind, subject, raised_at, cleared_at, message, acknowledged_by, acknowledged_at FROM alerts"
            " WHERE id = ?", (alert_id,)
        ).fetchone()
        return None if row is None else _alert(row)

    def inbound_trucks(self) -> list[InboundTruckRow]:
        """Every announced inbound truck, by ETA then id."""
        rows = self._db.execute(
            "SELECT id, carrier, eta, pallets, door, state, announced_at, arrived_at, unloaded_at FROM inbound_trucks"
        ).fetchall()
        return sorted((_truck(row) for row in rows), key=lambda t: (t.eta, t.id))

    def users(self) -> list[UserRow]:
        """Every API user, by name."""
        rows = self._db.execute("SELECT name, role, created_at FROM users ORDER BY name").fetchall()
        return [UserRow(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]

    def has_users(self) -> bool:
        return self._db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def token_user(self, sha256: str) -> tuple[str, UserRow] | None:
        """The stored digest and the user of the unrevoked token whose SHA-256 is ``sha256``, or ``None``."""
        row = self._db.execute(
            "SELECT t.sha256, u.name, u.role, u.created_at FROM tokens t JOIN users u ON u.name = t.user"
            " WHERE t.sha256 = ? AND t.revoked_at IS NULL",
            (sha256,),
        ).fetchone()
        return None if row is None else (str(row[0]), UserRow(row[1], row[2], datetime.fromisoformat(row[3])))


class Transaction:
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

    def append_event(
        self, at: datetime, kind: str, body: dict[str, Any], *, sscc: str | None = None,
        edge_id: str | None = None, seq: int | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO events (at, kind, sscc, edge_id, seq, body) VALUES (?, ?, ?, ?, ?, ?)",
            (at.isoformat(), kind, sscc, edge_id, seq, json.dumps(body, sort_keys=True, default=str)),
        )

    def open_alert(self, kind: str, subject: str, at: datetime, message: str) -> AlertRow:
        cursor = self._db.execute(
            "INSERT INTO alerts (kind, subject, raised_at, message) VALUES (?, ?, ?, ?)",
            (kind, subject, at.isoformat(), message),
        )
        return AlertRow(int(cursor.lastrowid or 0), kind, subject, at, None, message)

    def clear_alert(self, alert_id: int, at: datetime) -> None:
        self._db.execute("UPDATE alerts SET cleared_at = ? WHERE id = ?", (at.isoformat(), alert_id))

    def acknowledge_alert(self, alert_id: int, by: str, at: datetime) -> None:
        self._db.execute(
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?", (by, at.isoformat(), alert_id)
        )

    def put_user(self, name: str, role: str, at: datetime) -> None:
        """Add a user, or change an existing user's role."""
        self._db.execute(
            "INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET role = excluded.role",
            (name, role, at.isoformat()),
        )

    def put_token(self, sha256: str, user: str, at: datetime) -> None:
        self._db.execute(
            "INSERT INTO tokens (sha256, user, issued_at) VALUES (?, ?, ?)", (sha256, user, at.isoformat())
        )

    def revoke_tokens(self, user: str, at: datetime) -> int:
        """Revoke every live token of ``user``; return how many."""
        cursor = self._db.execute(
            "UPDATE tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL", (at.isoformat(), user)
        )
        return cursor.rowcount

    def put_inbound_truck(self, row: InboundTruckRow) -> None:
        """Add or replace an inbound truck's row."""
        self._db.execute(
            "INSERT OR REPLACE INTO inbound_trucks (id, carrier, eta, pallets, door, state, announced_at, arrived_at,"
            " unloaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.id, row.carrier, row.eta.isoformat(), row.pallets, row.door, row.state, row.announced_at.isoformat(),
             row.arrived_at.isoformat() if row.arrived_at else None,
             row.unloaded_at.isoformat() if row.unloaded_at else None),
        )

    def put_pallet(self, row: PalletRow) -> None:
        self._db.execute(
            "INSERT INTO pallets (sscc, state, destination, ship_to, trailer, door, inbound_door, first_seen,"
            " updated_at, scans, weight_kg, temp, dangerous, expiry, target)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sscc) DO UPDATE SET state = excluded.state, destination = excluded.destination,"
            " ship_to = excluded.ship_to, trailer = excluded.trailer, door = excluded.door,"
            " inbound_door = excluded.inbound_door, updated_at = excluded.updated_at, scans = excluded.scans,"
            " weight_kg = excluded.weight_kg, temp = excluded.temp, dangerous = excluded.dangerous,"
            " expiry = excluded.expiry, target = excluded.target",
            (
                row.sscc, row.state, row.destination, row.ship_to, row.trailer, row.door, row.inbound_door,
                row.first_seen.isoformat(), row.updated_at.isoformat(), row.scans, row.weight_kg, row.temp,
                int(row.dangerous), row.expiry.isoformat() if row.expiry else None, row.target,
            ),
        )


def _pallet(row: tuple[Any, ...]) -> PalletRow:
    return PalletRow(
        sscc=row[0], state=row[1], destination=row[2], ship_to=row[3], trailer=row[4], door=row[5],
        inbound_door=row[6], first_seen=datetime.fromisoformat(row[7]), updated_at=datetime.fromisoformat(row[8]),
        scans=row[9], weight_kg=row[10], temp=row[11], dangerous=bool(row[12]),
        expiry=date.fromisoformat(row[13]) if row[13] else None, target=row[14],
    )


def _alert(row: tuple[Any, ...]) -> AlertRow:
    return AlertRow(
        id=row[0], kind=row[1], subject=row[2], raised_at=datetime.fromisoformat(row[3]),
        cleared_at=datetime.fromisoformat(row[4]) if row[4] else None, message=row[5],
        acknowledged_by=row[6], acknowledged_at=datetime.fromisoformat(row[7]) if row[7] else None,
    )


def _truck(row: tuple[Any, ...]) -> InboundTruckRow:
    return InboundTruckRow(
        id=row[0], carrier=row[1], eta=datetime.fromisoformat(row[2]), pallets=row[3], door=row[4], state=row[5],
        announced_at=datetime.fromisoformat(row[6]), arrived_at=datetime.fromisoformat(row[7]) if row[7] else None,
        unloaded_at=datetime.fromisoformat(row[8]) if row[8] else None,
    )

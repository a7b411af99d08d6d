"""One commit of the edge's outbox: the rows, marks and holds gathered since the last one, and its tables.

:class:`~xdock.edge.outbox.Outbox` gathers a :class:`Batch` while the previous commit runs and hands it to
:func:`write` inside one SQLite transaction, in its writer thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field

from xdock.edge.offline_router import HeldDecision

__all__ = ["SCHEMA", "Batch", "OutboxRow", "Unanswered", "write"]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL,"
    " recorded_at REAL NOT NULL, sent_at REAL, answered_at REAL, offline_shown TEXT)",
    "CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent_at IS NULL",
    "CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS offline_held (seq INTEGER PRIMARY KEY, trailer TEXT NOT NULL, departure TEXT)",
    "CREATE TABLE IF NOT EXISTS scanner_last (device_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
)


@dataclass(frozen=True)
class OutboxRow:
    """One recorded uplink message."""

    seq: int
    topic: str
    payload: bytes


@dataclass(frozen=True)
class Unanswered(OutboxRow):
    """A row a previous run recorded whose answer it never marked shown."""

    offline_shown: str | None
    """The offline answer given after the scan left (:meth:`~xdock.edge.outbox.Outbox.shown_offline`), as stored."""


@dataclass
class Batch:
    """What the next commit writes; the futures are resolved once it is on disk."""

    rows: list[tuple[OutboxRow, asyncio.Future[None]]] = field(default_factory=list)
    acks: list[int] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    held: list[HeldDecision] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    scanned: dict[str, int] = field(default_factory=dict)
    shown: list[tuple[str, int]] = field(default_factory=list)
    durable: list[asyncio.Future[None]] = field(default_factory=list)
    """Waiters of :meth:`~xdock.edge.outbox.Outbox.answered`: their batch is committed with ``fsync``."""

    def __bool__(self) -> bool:
        return bool(self.rows or self.acks or self.answered or self.held or self.released or self.scanned
                    or self.shown)

    @property
    def urgent(self) -> bool:
        """Holds more than acknowledgements (which may wait for the next commit)."""
        return bool(self.rows or self.answered or self.held or self.released or self.scanned or self.shown
                    or self.durable)

    @property
    def synced(self) -> bool:
        """Committed with ``fsync``: it holds what a worker was told, or must not be told again."""
        return bool(self.rows or self.held or self.scanned or self.shown or self.durable)


def write(db: sqlite3.Connection, batch: Batch, now: float) -> None:
    """Everything in ``batch`` but the acknowledgements, inside the caller's transaction."""
    if rows := [row for row, _ in batch.rows]:
        db.executemany(
            "INSERT INTO outbox (seq, topic, payload, recorded_at) VALUES (?, ?, ?, ?)",
            [(r.seq, r.topic, r.payload, now) for r in rows],
        )
        db.execute(
            "INSERT INTO meta (id, last_seq) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
            (max(r.seq for r in rows),),
        )
    if batch.held:
        db.executemany(
            "INSERT OR REPLACE INTO offline_held (seq, trailer, departure) VALUES (?, ?, ?)",
            [(h.seq, h.trailer, h.departure.isoformat() if h.departure else None) for h in batch.held],
        )
    if batch.released:
        db.executemany("DELETE FROM offline_held WHERE seq = ?", [(seq,) for seq in batch.released])
    if batch.scanned:
        db.executemany(
            "INSERT INTO scanner_last (device_id, seq) VALUES (?, ?)"
            " ON CONFLICT (device_id) DO UPDATE SET seq = max(seq, excluded.seq)",
            list(batch.scanned.items()),
        )
    if batch.shown:
        db.executemany("UPDATE outbox SET offline_shown = ? WHERE seq = ?", batch.shown)
    if batch.answered:
        db.executemany("UPDATE outbox SET answered_at = ? WHERE seq = ?", [(now, seq) for seq in batch.answered])

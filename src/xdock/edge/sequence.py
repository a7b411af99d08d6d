"""The edge's idempotency sequence: grows with every uplink message and is never reused.

Numbers are reserved in blocks: the end of the current block is stored durably (SQLite, full
sync) before any number of it is used, so a crash at any point only skips the rest of a block;
a number once handed out is never handed out again.

The edge agent now takes its numbers from its outbox (:mod:`xdock.edge.outbox`); a state folder
written by an older agent still has this store, and the outbox starts above its reserved block.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["SequenceStore"]


class SequenceStore:
    """Durable, monotonic sequence numbers for one edge."""

    def __init__(self, path: str | Path, *, block: int = 1000) -> None:
        if block < 1:
            raise ValueError(f"block must be at least 1, got {block}")
        self._block = block
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS sequence (id INTEGER PRIMARY KEY CHECK (id = 1), reserved INTEGER NOT NULL)"
            )
            row = self._db.execute("SELECT reserved FROM sequence WHERE id = 1").fetchone()
        except sqlite3.Error as exc:
            raise OSError(f"Cannot open the edge sequence store {self.path!r}: {exc}") from exc
        self._reserved = int(row[0]) if row else 0
        self._next = self._reserved + 1

    @property
    def reserved(self) -> int:
        """The highest number that may have been handed out."""
        return self._reserved

    def next(self) -> int:
        """The next sequence number (starts at 1)."""
        if self._next > self._reserved:
            self._reserved += self._block
            self._db.execute(
                "INSERT INTO sequence (id, reserved) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET reserved = ?",
                (self._reserved, self._reserved),
            )
        value = self._next
        self._next += 1
        return value

    def close(self) -> None:
        self._db.close()

"""The store's refused uplinks: a counter row per (edge, reason) and a bounded sample of refused payloads.

A refused uplink is never a row of its own: :class:`~xdock.central.ingest.refusals.UplinkRefusals`
counts refusals in memory and adds them here now and then, so a flood of junk writes a few counter
rows, not one per message. The sample keeps the last few refusals of each reason (truncated by the
caller); older ones are deleted as new ones come, so its size stays bounded.

Part of :class:`~xdock.central.store.database.Store` (reads) and :class:`~xdock.central.store.database.Transaction`
(writes); import the rows from :mod:`xdock.central.store.database`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from xdock.central.store.connection import Connection

__all__ = ["RefusalCountRow", "RefusalReads", "RefusalSampleRow", "RefusalWrites"]



@dataclass(frozen=True)
class RefusalCountRow:
    """How many uplinks of one edge were refused for one reason, and when the first and the last were."""

    edge_id: str
    reason: str
    count: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class RefusalSampleRow:
    """One refused uplink kept as an example; ``payload`` is its start (``payload_bytes`` its full size)."""

    id: int
    at: datetime
    edge_id: str
    reason: str
    topic: str
    error: str
    payload: str
    payload_bytes: int


class RefusalReads:
    """Refusal counters and samples, read."""

    _db: Connection

    def refusal_counts(self) -> list[RefusalCountRow]:
        """Every counter row, by edge then reason."""
        rows = self._db.execute(
            "SELECT edge_id, reason, count, first_at, last_at FROM uplink_refusals ORDER BY edge_id, reason"
        ).fetchall()
        return [RefusalCountRow(r[0], r[1], r[2], datetime.fromisoformat(r[3]), datetime.fromisoformat(r[4]))
                for r in rows]

    def refusal_samples(self) -> list[RefusalSampleRow]:
        """The kept samples, oldest first."""
        rows = self._db.execute(
            "SELECT id, at, edge_id, reason, topic, error, payload, payload_bytes FROM uplink_refusal_samples"
            " ORDER BY id"
        ).fetchall()
        return [RefusalSampleRow(r[0], datetime.fromisoformat(r[1]), *r[2:]) for r in rows]


class RefusalWrites:
    """Refusal counters and samples, written within a transaction."""

    _db: Connection

    def count_refusals(self, counts: Iterable[RefusalCountRow]) -> None:
        """Add each row's ``count`` to its (edge, reason) counter; ``first_at`` is kept from the first time."""
        self._db.executemany(
            "INSERT INTO uplink_refusals (edge_id, reason, count, first_at, last_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (edge_id, reason) DO UPDATE SET count = uplink_refusals.count + excluded.count,"
            " last_at = excluded.last_at",
            [(c.edge_id, c.reason, c.count, c.first_at.isoformat(), c.last_at.isoformat()) for c in counts],
        )

    def keep_refusal_samples(self, samples: Iterable[RefusalSampleRow], *, per_reason: int) -> None:
        """Add ``samples`` (their ``id`` is ignored) and keep only the newest ``per_reason`` of each reason."""
        added = [(s.at.isoformat(), s.edge_id, s.reason, s.topic, s.error, s.payload, s.payload_bytes)
                 for s in samples]
        self._db.executemany(
            "INSERT INTO uplink_refusal_samples (at, edge_id, reason, topic, error, payload, payload_bytes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", added,
        )
        for reason in sorted({row[2] for row in added}):
            self._db.execute(
                "DELETE FROM uplink_refusal_samples WHERE reason = ? AND id NOT IN"
                " (SELECT id FROM uplink_refusal_samples WHERE reason = ? ORDER BY id DESC LIMIT ?)",
                (reason, reason, per_reason),
            )

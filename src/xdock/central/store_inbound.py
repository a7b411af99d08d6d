"""The store's inbound trucks (see :mod:`xdock.central.inbound`): rows, schema, reads and writes.

Part of :class:`~xdock.central.store.Store` (reads) and :class:`~xdock.central.store.Transaction` (writes).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

__all__ = ["SCHEMA", "InboundReads", "InboundTruckRow", "InboundWrites"]

SCHEMA = """
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


class InboundReads:
    """The inbound trucks, read."""

    _db: sqlite3.Connection

    def inbound_trucks(self) -> list[InboundTruckRow]:
        """Every announced inbound truck, by ETA then id."""
        rows = self._db.execute(
            "SELECT id, carrier, eta, pallets, door, state, announced_at, arrived_at, unloaded_at FROM inbound_trucks"
        ).fetchall()
        return sorted((_truck(row) for row in rows), key=lambda t: (t.eta, t.id))


class InboundWrites:
    """The inbound trucks, written within a transaction."""

    _db: sqlite3.Connection

    def put_inbound_truck(self, row: InboundTruckRow) -> None:
        """Add or replace an inbound truck's row."""
        self._db.execute(
            "INSERT OR REPLACE INTO inbound_trucks (id, carrier, eta, pallets, door, state, announced_at, arrived_at,"
            " unloaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.id, row.carrier, row.eta.isoformat(), row.pallets, row.door, row.state, row.announced_at.isoformat(),
             row.arrived_at.isoformat() if row.arrived_at else None,
             row.unloaded_at.isoformat() if row.unloaded_at else None),
        )


def _truck(row: tuple[Any, ...]) -> InboundTruckRow:
    return InboundTruckRow(
        id=row[0], carrier=row[1], eta=datetime.fromisoformat(row[2]), pallets=row[3], door=row[4], state=row[5],
        announced_at=datetime.fromisoformat(row[6]), arrived_at=datetime.fromisoformat(row[7]) if row[7] else None,
        unloaded_at=datetime.fromisoformat(row[8]) if row[8] else None,
    )

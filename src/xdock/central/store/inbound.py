"""The store's inbound trucks (see :mod:`xdock.central.site.inbound`): rows, reads and writes.

Part of :class:`~xdock.central.store.database.Store` (reads) and
:class:`~xdock.central.store.database.Transaction` (writes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from xdock.central.store.connection import Connection

__all__ = ["InboundReads", "InboundTruckRow", "InboundWrites"]



@dataclass(frozen=True)
class InboundTruckRow:
    """A truck announced to bring pallets (see :mod:`xdock.central.site.inbound`)."""

    id: str
    carrier: str | None
    eta: datetime
    pallets: int
    door: str | None
    state: Literal["waiting", "arrived", "unloaded"]
    announced_at: datetime
    arrived_at: datetime | None = None
    unloaded_at: datetime | None = None
    destinations: Mapping[str, int] | None = None
    """Pallets aboard by destination, from the advance shipping notice (``None``: no notice). Pallets
    beyond their sum are of a destination not known yet."""
    suggested_door: str | None = None
    """The inbound door the latest re-plan gives a waiting truck (``None``: none yet, or not waiting)."""


_SELECT = ("SELECT id, carrier, eta, pallets, door, state, announced_at, arrived_at, unloaded_at, destinations,"
           " suggested_door FROM inbound_trucks")


class InboundReads:
    """The inbound trucks, read."""

    _db: Connection

    def inbound_trucks(self) -> list[InboundTruckRow]:
        """Every announced inbound truck, by ETA then id."""
        rows = self._db.execute(_SELECT).fetchall()
        return sorted((_truck(row) for row in rows), key=lambda t: (t.eta, t.id))

    def inbound_truck(self, truck_id: str) -> InboundTruckRow | None:
        """The announced inbound truck ``truck_id``, ``None`` if there is none."""
        row = self._db.execute(_SELECT + " WHERE id = ?", (truck_id,)).fetchone()
        return None if row is None else _truck(row)


class InboundWrites:
    """The inbound trucks, written within a transaction."""

    _db: Connection

    def put_inbound_truck(self, row: InboundTruckRow) -> None:
        """Add or replace an inbound truck's row."""
        self._db.execute(
            "INSERT INTO inbound_trucks (id, carrier, eta, pallets, door, state, announced_at, arrived_at,"
            " unloaded_at, destinations, suggested_door) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET carrier = excluded.carrier, eta = excluded.eta,"
            " pallets = excluded.pallets, door = excluded.door, state = excluded.state,"
            " announced_at = excluded.announced_at, arrived_at = excluded.arrived_at,"
            " unloaded_at = excluded.unloaded_at, destinations = excluded.destinations,"
            " suggested_door = excluded.suggested_door",
            (row.id, row.carrier, row.eta.isoformat(), row.pallets, row.door, row.state, row.announced_at.isoformat(),
             row.arrived_at.isoformat() if row.arrived_at else None,
             row.unloaded_at.isoformat() if row.unloaded_at else None,
             None if row.destinations is None else json.dumps(dict(row.destinations), sort_keys=True),
             row.suggested_door),
        )


def _truck(row: tuple[Any, ...]) -> InboundTruckRow:
    return InboundTruckRow(
        id=row[0], carrier=row[1], eta=datetime.fromisoformat(row[2]), pallets=row[3], door=row[4], state=row[5],
        announced_at=datetime.fromisoformat(row[6]), arrived_at=datetime.fromisoformat(row[7]) if row[7] else None,
        unloaded_at=datetime.fromisoformat(row[8]) if row[8] else None,
        destinations=None if row[9] is None else {str(k): int(v) for k, v in json.loads(row[9]).items()},
        suggested_door=row[10],
    )

"""The store's outbound trailers announced at run time (see :mod:`xdock.central.site.outbound`).

The site file's trailers are not stored: they are read from the file at every start. A trailer
announced while central runs is a row here, read again when central restarts. Where it loads and
whether it has left are the standing overrides' (the ``meta`` table, :mod:`xdock.central.site.overrides`),
as for the site file's trailers; the row keeps what was announced.

Part of :class:`~xdock.central.store.database.Store` (reads) and
:class:`~xdock.central.store.database.Transaction` (writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xdock.central.store.connection import Connection

__all__ = ["OutboundReads", "OutboundTrailerRow", "OutboundWrites"]



@dataclass(frozen=True)
class OutboundTrailerRow:
    """An outbound trailer announced at run time: the door it was announced at, its departure (an
    absolute time, which may fall on a later day than the site's), what it takes, who announced it when."""

    id: str
    destination: str
    door: str
    departure: datetime
    capacity_pallets: int
    capacity_kg: float
    reefer: bool
    accepts_hazmat: bool
    announced_at: datetime
    announced_by: str


class OutboundReads:
    """The announced outbound trailers, read."""

    _db: Connection

    def outbound_trailers(self) -> list[OutboundTrailerRow]:
        """Every outbound trailer announced at run time, in the order they were announced (then by id)."""
        rows = self._db.execute(
            "SELECT id, destination, door, departure, capacity_pallets, capacity_kg, reefer, accepts_hazmat,"
            " announced_at, announced_by FROM outbound_trailers"
        ).fetchall()
        return sorted((_trailer(row) for row in rows), key=lambda t: (t.announced_at, t.id))


class OutboundWrites:
    """The announced outbound trailers, written within a transaction."""

    _db: Connection

    def put_outbound_trailer(self, row: OutboundTrailerRow) -> None:
        """Add an announced trailer's row (its id is new: the site core refuses an id it knows)."""
        self._db.execute(
            "INSERT INTO outbound_trailers (id, destination, door, departure, capacity_pallets, capacity_kg, reefer,"
            " accepts_hazmat, announced_at, announced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.id, row.destination, row.door, row.departure.isoformat(), row.capacity_pallets, row.capacity_kg,
             int(row.reefer), int(row.accepts_hazmat), row.announced_at.isoformat(), row.announced_by),
        )


def _trailer(row: tuple[Any, ...]) -> OutboundTrailerRow:
    return OutboundTrailerRow(
        id=row[0], destination=row[1], door=row[2], departure=datetime.fromisoformat(row[3]),
        capacity_pallets=int(row[4]), capacity_kg=float(row[5]), reefer=bool(row[6]), accepts_hazmat=bool(row[7]),
        announced_at=datetime.fromisoformat(row[8]), announced_by=row[9],
    )

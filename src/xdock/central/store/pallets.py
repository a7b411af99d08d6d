"""The store's pallets and its append-only event log: rows, reads and writes.

Part of :class:`~xdock.central.store.database.Store` (reads) and :class:`~xdock.central.store.database.Transaction`
(writes); import the rows from :mod:`xdock.central.store.database`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from xdock.central.store.connection import Connection

__all__ = ["EventRow", "NewEvent", "PalletReads", "PalletRow", "PalletState", "PalletWrites"]

PalletState = Literal["assigned", "loaded", "staged", "breakdown", "unrouted", "split"]
"""``assigned`` to a trailer, ``loaded`` confirmed aboard its trailer (no plan may move it, it leaves
with the trailer), ``staged`` waiting for one in a staging area, ``breakdown`` a mixed pallet sent to
be split, ``unrouted`` refused (no destination known, no place for it), ``split`` taken apart into child
pallets at a breakdown area (off the floor)."""



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
    hazmat: str | None = None
    """Its dangerous-goods class (``"3"``, ``"5.1"``) when known (an advance shipping notice names it);
    ``None`` with ``dangerous``: flagged on the label without a class."""
    destinations: tuple[str, ...] = ()
    """A mixed pallet's destinations (its lines go to several; ``destination`` is then ``None``);
    empty for a pallet of one destination."""


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    kind: str
    sscc: str | None
    edge_id: str | None
    seq: int | None
    body: dict[str, Any]
    epoch: int | None = None
    """The leadership epoch of the central that wrote it (``None``: written before epochs were kept)."""


@dataclass(frozen=True)
class NewEvent:
    """An event to append to the log (:meth:`PalletWrites.append_events`); the store gives it its id."""

    at: datetime
    kind: str
    body: dict[str, Any]
    sscc: str | None = None
    edge_id: str | None = None
    seq: int | None = None


_PUT_PALLET = (
    "INSERT INTO pallets (sscc, state, destination, ship_to, trailer, door, inbound_door, first_seen,"
    " updated_at, scans, weight_kg, temp, dangerous, expiry, target, hazmat, destinations)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (sscc) DO UPDATE SET state = excluded.state, destination = excluded.destination,"
    " ship_to = excluded.ship_to, trailer = excluded.trailer, door = excluded.door,"
    " inbound_door = excluded.inbound_door, updated_at = excluded.updated_at, scans = excluded.scans,"
    " weight_kg = excluded.weight_kg, temp = excluded.temp, dangerous = excluded.dangerous,"
    " expiry = excluded.expiry, target = excluded.target, hazmat = excluded.hazmat,"
    " destinations = excluded.destinations"
)

_TALLIES = {
    "sqlite": "SELECT kind, CASE kind WHEN 'scan' THEN json_extract(body, '$.answer.outcome')"
              " WHEN 'seq_conflict' THEN iif(json_type(body, '$.passage') IS NULL, 'scan', 'passage')"
              " WHEN 'rejected_uplink' THEN json_extract(body, '$.reason') END, COUNT(*)"
              " FROM events WHERE id > ? AND id <= ? GROUP BY 1, 2",
    "postgresql": "SELECT kind, CASE kind WHEN 'scan' THEN body::jsonb #>> '{answer,outcome}'"
                  " WHEN 'seq_conflict' THEN CASE WHEN body::jsonb -> 'passage' IS NULL THEN 'scan' ELSE 'passage' END"
                  " WHEN 'rejected_uplink' THEN body::jsonb ->> 'reason' END, COUNT(*)"
                  " FROM events WHERE id > ? AND id <= ? GROUP BY 1, 2",
}
"""Events counted by kind and detail; JSON is read with each database's own functions."""


class PalletReads:
    """The pallets and the event log, read."""

    _db: Connection

    def pallets(self) -> list[PalletRow]:
        rows = self._db.execute(
            "SELECT sscc, state, destination, ship_to, trailer, door, inbound_door, first_seen, updated_at, scans,"
            " weight_kg, temp, dangerous, expiry, target, hazmat, destinations FROM pallets ORDER BY first_seen, sscc"
        ).fetchall()
        return [_pallet(row) for row in rows]

    def events(self, *, after: int = 0, limit: int = 100) -> list[EventRow]:
        rows = self._db.execute(
            "SELECT id, at, kind, sscc, edge_id, seq, body, epoch FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (after, limit),
        ).fetchall()
        return [
            EventRow(
                id=r[0], at=datetime.fromisoformat(r[1]), kind=r[2], sscc=r[3], edge_id=r[4], seq=r[5],
                body=json.loads(r[6]), epoch=r[7],
            )
            for r in rows
        ]

    def last_event_id(self) -> int:
        """The id of the newest event (0 when the log is empty)."""
        return int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])

    def event_tallies(self, after: int, upto: int) -> list[tuple[str, str | None, int]]:
        """How many events of each kind (and detail) have an id in ``(after, upto]``.

        The detail is a ``scan``'s answer outcome, ``scan`` or ``passage`` for a ``seq_conflict``,
        a ``rejected_uplink``'s reason, ``None`` for other kinds.
        """
        rows = self._db.execute(_TALLIES[self._db.dialect], (after, upto)).fetchall()
        return [(str(kind), detail, int(count)) for kind, detail, count in rows]


class PalletWrites:
    """The pallets and the event log, written within a transaction."""

    _db: Connection
    epoch: int | None

    def append_event(
        self, at: datetime, kind: str, body: dict[str, Any], *, sscc: str | None = None,
        edge_id: str | None = None, seq: int | None = None,
    ) -> None:
        self.append_events([NewEvent(at, kind, body, sscc, edge_id, seq)])

    def append_events(self, events: Sequence[NewEvent]) -> None:
        """Append ``events`` in their order (their ids ascend in it), in one statement sent once."""
        if not events:
            return
        self._db.executemany(
            "INSERT INTO events (at, kind, sscc, edge_id, seq, body, epoch) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(e.at.isoformat(), e.kind, e.sscc, e.edge_id, e.seq, json.dumps(e.body, sort_keys=True, default=str),
              self.epoch) for e in events],
        )

    def put_pallet(self, row: PalletRow) -> None:
        self.put_pallets([row])

    def put_pallets(self, rows: Sequence[PalletRow]) -> None:
        """Insert or update ``rows`` in their order (a later row of one pallet wins)."""
        if not rows:
            return
        self._db.executemany(_PUT_PALLET, [
            (
                row.sscc, row.state, row.destination, row.ship_to, row.trailer, row.door, row.inbound_door,
                row.first_seen.isoformat(), row.updated_at.isoformat(), row.scans, row.weight_kg, row.temp,
                int(row.dangerous), row.expiry.isoformat() if row.expiry else None, row.target, row.hazmat,
                json.dumps(list(row.destinations)) if row.destinations else None,
            )
            for row in rows
        ])


def _pallet(row: tuple[Any, ...]) -> PalletRow:
    return PalletRow(
        sscc=row[0], state=row[1], destination=row[2], ship_to=row[3], trailer=row[4], door=row[5],
        inbound_door=row[6], first_seen=datetime.fromisoformat(row[7]), updated_at=datetime.fromisoformat(row[8]),
        scans=row[9], weight_kg=row[10], temp=row[11], dangerous=bool(row[12]),
        expiry=date.fromisoformat(row[13]) if row[13] else None, target=row[14], hazmat=row[15],
        destinations=tuple(json.loads(row[16])) if row[16] else (),
    )

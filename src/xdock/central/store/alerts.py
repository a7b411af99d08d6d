"""The store's alerts: rows, reads and writes.

An alert opens, may be acknowledged by a supervisor, and later clears; at most one alert of a kind
per subject is open at a time (a partial unique index says so). Part of
:class:`~xdock.central.store.database.Store` (reads) and :class:`~xdock.central.store.database.Transaction` (writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xdock.central.store.connection import Connection

__all__ = ["AlertReads", "AlertRow", "AlertWrites"]



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


_COLUMNS = "SELECT id, kind, subject, raised_at, cleared_at, message, acknowledged_by, acknowledged_at FROM alerts"
_LIST = {
    None: _COLUMNS + " ORDER BY id DESC LIMIT ?",
    True: _COLUMNS + " WHERE cleared_at IS NULL ORDER BY id DESC LIMIT ?",
    False: _COLUMNS + " WHERE cleared_at IS NOT NULL ORDER BY id DESC LIMIT ?",
}


class AlertReads:
    """The alerts, read."""

    _db: Connection

    def alerts(self, *, open_only: bool | None = None, limit: int = 1000) -> list[AlertRow]:
        """Alerts, newest first: all, only open ones (``True``) or only cleared ones (``False``)."""
        rows = self._db.execute(_LIST[open_only], (limit,)).fetchall()
        return [_alert(row) for row in rows]

    def alert(self, alert_id: int) -> AlertRow | None:
        """One alert by id, or ``None``."""
        row = self._db.execute(_COLUMNS + " WHERE id = ?", (alert_id,)).fetchone()
        return None if row is None else _alert(row)


class AlertWrites:
    """The alerts, written within a transaction."""

    _db: Connection

    def open_alert(self, kind: str, subject: str, at: datetime, message: str) -> AlertRow:
        row = self._db.execute(
            "INSERT INTO alerts (kind, subject, raised_at, message) VALUES (?, ?, ?, ?) RETURNING id",
            (kind, subject, at.isoformat(), message),
        ).fetchone()
        return AlertRow(int(row[0]), kind, subject, at, None, message)

    def clear_alert(self, alert_id: int, at: datetime) -> None:
        self._db.execute("UPDATE alerts SET cleared_at = ? WHERE id = ?", (at.isoformat(), alert_id))

    def acknowledge_alert(self, alert_id: int, by: str, at: datetime) -> None:
        self._db.execute(
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?", (by, at.isoformat(), alert_id)
        )


def _alert(row: tuple[Any, ...]) -> AlertRow:
    return AlertRow(
        id=row[0], kind=row[1], subject=row[2], raised_at=datetime.fromisoformat(row[3]),
        cleared_at=datetime.fromisoformat(row[4]) if row[4] else None, message=row[5],
        acknowledged_by=row[6], acknowledged_at=datetime.fromisoformat(row[7]) if row[7] else None,
    )

"""Alerts a supervisor must see: an edge or a device gone offline, a broker refusing an edge's messages.

An alert is raised once and stays open until its subject comes back; raising it again while it is
open changes nothing. Its lifecycle: ``raised`` → ``acknowledged`` (a supervisor saw it; who and
when are kept) → ``cleared`` (its subject is back; an alert may also clear unacknowledged).
Each alert is a row of the store's ``alerts`` table, written in the same
transaction as its ``alert_raised`` / ``alert_cleared`` event, so the table and the event log never
disagree and an open alert stays open across a restart of central.

Subjects: an edge is named by its id (``edge-d1``), a device by edge and device id (``edge-d1/s1``).
The sensor alerts (``cold_chain_breach``, ``door_open_no_trailer``, ``pallet_dwell``) are raised
and cleared by :mod:`xdock.central.sensors.service`; their subjects are a sensor, a door and an SSCC.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Literal, get_args

from xdock.central.store.database import AlertRow, Store

__all__ = ["ALERT_EVENTS", "AlertKind", "AlertStateError", "Alerts", "alert_state", "device_subject"]

log = logging.getLogger(__name__)

AlertKind = Literal[
    "edge_offline", "device_offline", "broker_refusal", "cold_chain_breach", "door_open_no_trailer", "pallet_dwell",
    "misload", "asn_short", "asn_over", "asn_mismatch", "webhook_failing",
]

ALERT_EVENTS = frozenset({"alert_raised", "alert_cleared", "alert_acknowledged"})
"""The events written with every change of the alerts table (in the same transaction): a reader of
the event log that sees none of them knows the alerts did not change."""


class AlertStateError(ValueError):
    """An alert that cannot be acknowledged: ``status`` 404 (unknown) or 409 (cleared, or acknowledged already)."""

    def __init__(self, status: Literal[404, 409], detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def alert_state(row: AlertRow) -> Literal["raised", "acknowledged", "cleared"]:
    """Where an alert is in its lifecycle."""
    if row.cleared_at is not None:
        return "cleared"
    return "acknowledged" if row.acknowledged_at is not None else "raised"


def device_subject(edge_id: str, device_id: str) -> str:
    """The subject of a device's alerts."""
    return f"{edge_id}/{device_id}"


class Alerts:
    """Open and cleared alerts of one site, kept in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._open: dict[tuple[str, str], AlertRow] = {
            (row.kind, row.subject): row for row in store.alerts(open_only=True, limit=1_000_000)
        }

    def is_open(self, kind: AlertKind, subject: str) -> bool:
        return (kind, subject) in self._open

    def listed(self, *, open_only: bool | None = None, limit: int = 100) -> list[AlertRow]:
        """Alerts newest first: all, open only (``True``) or cleared only (``False``)."""
        return self.store.alerts(open_only=open_only, limit=limit)

    def open_alerts(self) -> list[AlertRow]:
        """The alerts open now, oldest first."""
        return sorted(self._open.values(), key=lambda row: row.id)

    def open_by_kind(self) -> dict[str, int]:
        """How many alerts are open now, for every kind (0 included)."""
        counts = dict.fromkeys(get_args(AlertKind), 0)
        for kind, _subject in self._open:
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    def raise_alert(
        self, kind: AlertKind, subject: str, at: datetime, message: str, *, edge_id: str | None = None
    ) -> AlertRow | None:
        """Open an alert; ``None`` (and nothing written) if one of this kind and subject is open already."""
        if (kind, subject) in self._open:
            return None
        with self.store.transaction() as tx:
            row = tx.open_alert(kind, subject, at, message)
            tx.append_event(
                at, "alert_raised", {"alert": row.id, "kind": kind, "subject": subject, "message": message},
                edge_id=edge_id,
            )
        self._open[(kind, subject)] = row
        log.warning("alert %d raised: %s", row.id, message)
        return row

    def clear(self, kind: AlertKind, subject: str, at: datetime, *, edge_id: str | None = None) -> AlertRow | None:
        """Close the open alert of this kind and subject; ``None`` if there is none."""
        row = self._open.get((kind, subject))
        if row is None:
            return None
        with self.store.transaction() as tx:
            tx.clear_alert(row.id, at)
            tx.append_event(
                at, "alert_cleared", {"alert": row.id, "kind": kind, "subject": subject, "message": row.message},
                edge_id=edge_id,
            )
        del self._open[(kind, subject)]
        log.info("alert %d cleared: %s is back", row.id, subject)
        return replace(row, cleared_at=at)

    def acknowledge(self, alert_id: int, by: str, at: datetime) -> AlertRow:
        """``by`` has seen open alert ``alert_id``; raise :class:`AlertStateError` when it cannot be."""
        row = self.store.alert(alert_id)
        if row is None:
            raise AlertStateError(404, f"alert {alert_id} does not exist")
        if row.cleared_at is not None:
            raise AlertStateError(409, f"alert {alert_id} is cleared since {row.cleared_at.isoformat()}")
        if row.acknowledged_by is not None and row.acknowledged_at is not None:
            raise AlertStateError(
                409, f"alert {alert_id} was acknowledged by {row.acknowledged_by} at {row.acknowledged_at.isoformat()}"
            )
        with self.store.transaction() as tx:
            tx.acknowledge_alert(alert_id, by, at)
            tx.append_event(
                at, "alert_acknowledged",
                {"alert": alert_id, "by": by, "kind": row.kind, "subject": row.subject, "message": row.message},
            )
        acked = replace(row, acknowledged_by=by, acknowledged_at=at)
        self._open[(row.kind, row.subject)] = acked
        log.info("alert %d acknowledged by %s", alert_id, by)
        return acked

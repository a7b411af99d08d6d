"""The store's webhook subscriptions and their durable outbox of deliveries.

See :mod:`xdock.central.partners.webhooks`.

Part of :class:`~xdock.central.store.database.Store` (reads) and
:class:`~xdock.central.store.database.Transaction` (writes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from xdock.central.store.connection import Connection

__all__ = ["DeliveryRow", "DeliveryState", "SubscriptionRow", "WebhookReads", "WebhookWrites"]

DeliveryState = Literal["pending", "delivered", "dead"]


@dataclass(frozen=True)
class SubscriptionRow:
    """A URL told of the site's events of some types."""

    id: str
    kind: Literal["webhook", "epcis"]
    """``webhook``: signed JSON events; ``epcis``: EPCIS documents to a repository's capture interface."""
    url: str
    secret: str
    """``whsec_...`` (empty for an EPCIS capture interface)."""
    event_types: tuple[str, ...]
    created_at: datetime
    created_by: str
    removed_at: datetime | None
    cursor: int
    """The last log event turned into deliveries for it."""


@dataclass(frozen=True)
class DeliveryRow:
    """One event due to one subscription."""

    subscription: str
    event_id: int
    """The log event it comes from (deliveries go in its order)."""
    event_type: str
    message_id: str
    ordering_key: str | None
    body: dict[str, Any]
    state: DeliveryState
    attempts: int
    next_at: datetime
    last_error: str | None = None
    finished_at: datetime | None = None


_SUB = ("SELECT id, kind, url, secret, event_types, created_at, created_by, removed_at, cursor"
        " FROM webhook_subscriptions")
_DELIVERY = ("SELECT subscription, event_id, event_type, message_id, ordering_key, body, state, attempts, next_at,"
             " last_error, finished_at FROM webhook_deliveries")
_DUE = (
    "WITH due AS (SELECT d.subscription, d.event_id, d.event_type, d.message_id, d.ordering_key, d.body, d.state,"
    " d.attempts, d.next_at, d.last_error, d.finished_at FROM webhook_deliveries d"
    " WHERE d.state = 'pending' AND d.next_at <= ?"
    " AND d.subscription IN (SELECT id FROM webhook_subscriptions WHERE removed_at IS NULL)"
    " AND (d.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_deliveries w"
    " WHERE w.subscription = d.subscription AND w.ordering_key = d.ordering_key AND w.state = 'pending'"
    " AND w.next_at > ? AND w.event_id <= d.event_id AND w.message_id <> d.message_id)))"
    " SELECT * FROM due WHERE event_id IN (SELECT DISTINCT event_id FROM due ORDER BY event_id LIMIT ?)"
    " ORDER BY event_id, message_id"
)
"""Pending deliveries due at a time (given twice), of subscriptions not removed, not held behind an earlier one
of their ordering key that waits for its next attempt: every one of the first log events (a limit) that have
any."""


class WebhookReads:
    """Webhook subscriptions and deliveries, read."""

    _db: Connection

    def subscriptions(self, *, removed: bool = False) -> list[SubscriptionRow]:
        """Subscriptions, oldest first (``removed``: those removed too)."""
        where = "" if removed else " WHERE removed_at IS NULL"
        return [_sub(r) for r in self._db.execute(_SUB + where + " ORDER BY created_at, id").fetchall()]

    def subscription(self, sub_id: str) -> SubscriptionRow | None:
        row = self._db.execute(_SUB + " WHERE id = ?", (sub_id,)).fetchone()
        return None if row is None else _sub(row)

    def due_deliveries(self, now: datetime, *, events: int = 100) -> list[DeliveryRow]:
        """Pending deliveries whose time has come, of the first ``events`` log events that have any (all of
        each), in log order: of subscriptions not removed, and of an ordering key only while no earlier
        delivery of that key waits for its next attempt (those wait behind it, taking no room from
        deliveries that may go)."""
        at = _at(now)
        rows = self._db.execute(_DUE, (at, at, events)).fetchall()
        return [_delivery(r) for r in rows]

    def first_pending_by_key(self) -> dict[tuple[str, str], int]:
        """(subscription, ordering key) → the log id of its oldest pending delivery: the only one of that key
        that may be sent."""
        rows = self._db.execute(
            "SELECT subscription, ordering_key, MIN(event_id) FROM webhook_deliveries"
            " WHERE state = 'pending' AND ordering_key IS NOT NULL GROUP BY subscription, ordering_key"
        ).fetchall()
        return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}

    def deliveries(self, sub_id: str, *, state: DeliveryState | None = None, limit: int = 100) -> list[DeliveryRow]:
        """A subscription's deliveries, newest first (of one ``state``, or all)."""
        where, args = " WHERE subscription = ?", [sub_id]
        if state is not None:
            where, args = where + " AND state = ?", [sub_id, state]
        rows = self._db.execute(_DELIVERY + where + " ORDER BY event_id DESC, message_id DESC LIMIT ?",
                                (*args, limit)).fetchall()
        return [_delivery(r) for r in rows]

    def delivery(self, sub_id: str, message_id: str) -> DeliveryRow | None:
        row = self._db.execute(_DELIVERY + " WHERE subscription = ? AND message_id = ?",
                               (sub_id, message_id)).fetchone()
        return None if row is None else _delivery(row)

    def delivery_counts(self) -> dict[tuple[str, str], int]:
        """(subscription, state) → deliveries."""
        rows = self._db.execute(
            "SELECT subscription, state, COUNT(*) FROM webhook_deliveries GROUP BY subscription, state").fetchall()
        return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}


class WebhookWrites:
    """Webhook subscriptions and deliveries, written within a transaction."""

    _db: Connection

    def put_subscription(self, row: SubscriptionRow) -> None:
        self._db.execute(
            "INSERT INTO webhook_subscriptions (id, kind, url, secret, event_types, created_at, created_by,"
            " removed_at, cursor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret,"
            " event_types = excluded.event_types, removed_at = excluded.removed_at",
            (row.id, row.kind, row.url, row.secret, json.dumps(list(row.event_types)), row.created_at.isoformat(),
             row.created_by, row.removed_at.isoformat() if row.removed_at else None, row.cursor),
        )

    def advance_cursor(self, sub_id: str, cursor: int) -> None:
        self._db.execute("UPDATE webhook_subscriptions SET cursor = ? WHERE id = ? AND cursor < ?",
                         (cursor, sub_id, cursor))

    def add_deliveries(self, rows: Sequence[DeliveryRow]) -> None:
        """Queue ``rows`` (one already queued, by subscription and message id, is left as it is)."""
        if not rows:
            return
        self._db.executemany(
            "INSERT INTO webhook_deliveries (subscription, event_id, event_type, message_id, ordering_key, body,"
            " state, attempts, next_at, last_error, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (subscription, message_id) DO NOTHING",
            [(r.subscription, r.event_id, r.event_type, r.message_id, r.ordering_key,
              json.dumps(r.body, sort_keys=True, default=str), r.state, r.attempts, _at(r.next_at),
              r.last_error, None) for r in rows],
        )

    def settle_delivery(self, row: DeliveryRow) -> None:
        """Store a delivery's new state, attempts, next time and last error."""
        self._db.execute(
            "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_at = ?, last_error = ?, finished_at = ?"
            " WHERE subscription = ? AND message_id = ?",
            (row.state, row.attempts, _at(row.next_at), row.last_error,
             _at(row.finished_at) if row.finished_at else None, row.subscription, row.message_id),
        )


def _at(moment: datetime) -> str:
    """A time as stored: ISO 8601 in UTC, so that times compare as text (``next_at <= ?``)."""
    return moment.astimezone(UTC).isoformat()


def _sub(r: tuple[Any, ...]) -> SubscriptionRow:
    return SubscriptionRow(
        id=r[0], kind=r[1], url=r[2], secret=r[3], event_types=tuple(json.loads(r[4])),
        created_at=datetime.fromisoformat(r[5]), created_by=r[6],
        removed_at=datetime.fromisoformat(r[7]) if r[7] else None, cursor=int(r[8]),
    )


def _delivery(r: tuple[Any, ...]) -> DeliveryRow:
    return DeliveryRow(
        subscription=r[0], event_id=int(r[1]), event_type=r[2], message_id=r[3], ordering_key=r[4],
        body=json.loads(r[5]), state=r[6], attempts=int(r[7]), next_at=datetime.fromisoformat(r[8]),
        last_error=r[9], finished_at=datetime.fromisoformat(r[10]) if r[10] else None,
    )

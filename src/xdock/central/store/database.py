"""Central's durable state: pallets, applied idempotency keys, and an append-only event log.

In an SQLite file (the embedded default) or a PostgreSQL database (``postgresql://…``): the same
tables, keys and statements on both (:mod:`~xdock.central.store.connection`), the schema kept by
versioned migrations (:mod:`~xdock.central.store.migrations`).

One scan is stored in one transaction: its key in ``applied`` (with the answer sent), the event,
and the pallet row. So after any crash either all of a scan's effect is there or none of it, and
a redelivered scan is recognised by its key and answered with the stored answer.

The event log refuses UPDATE and DELETE (triggers), so it stays a faithful history.

Several centrals may share one PostgreSQL store, one leading (:mod:`~xdock.central.store.leadership`):
the leader's writes are fenced by its epoch (:meth:`Store.lead`), so a deposed leader's late writes
are refused, and each applied key and event carries the epoch of the leader that wrote it.

Alerts (an edge or a device gone silent) are rows that open, may be acknowledged by a supervisor,
and later clear; at most one alert of a kind per subject is open at a time (a partial unique index
says so).

Users of the API (name, role) and their tokens live here too; a token is kept only as the SHA-256
of its text (see :mod:`xdock.central.api.auth`), never the token itself.

:class:`Store` (reads) and :class:`Transaction` (writes) are put together here from one module per
group of tables, each holding its rows and its SQL:

    database.py   transactions, the leadership fence, applied keys and ``meta``
    connection.py SQLite or PostgreSQL behind one interface; driver errors as StoreError
    migrations/   the schema, version by version, for each database
    pallets.py    pallets and the event log
    alerts.py     alerts
    users.py      users and their tokens
    inbound.py    inbound trucks
    outbound.py   outbound trailers announced at run time
    refusals.py   refused uplinks: counters per edge and reason, a bounded sample
    asns.py       advance shipping notices and the pallets they announce
    webhooks.py   webhook subscriptions and their outbox of deliveries

Callers import everything from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from xdock.central.store.alerts import AlertReads, AlertRow, AlertWrites
from xdock.central.store.asns import AnnouncedLine, AnnouncedPalletRow, AsnReads, AsnRow, AsnWrites
from xdock.central.store.connect import connect
from xdock.central.store.connection import Connection, Dialect, NotLeaderError, Read, StoreError, describe
from xdock.central.store.inbound import InboundReads, InboundTruckRow, InboundWrites
from xdock.central.store.leadership import Leader, leader_row
from xdock.central.store.migrations import migrate, version
from xdock.central.store.outbound import OutboundReads, OutboundTrailerRow, OutboundWrites
from xdock.central.store.pallets import (
    EventRow,
    NewEvent,
    PalletReads,
    PalletRow,
    PalletState,
    PalletWrites,
)
from xdock.central.store.refusals import RefusalCountRow, RefusalReads, RefusalSampleRow, RefusalWrites
from xdock.central.store.users import TokenRow, UserReads, UserRow, UserWrites
from xdock.central.store.webhooks import DeliveryRow, SubscriptionRow, WebhookReads, WebhookWrites

__all__ = [
    "AlertRow",
    "AnnouncedLine",
    "AnnouncedPalletRow",
    "AsnRow",
    "DeliveryRow",
    "EventRow",
    "InboundTruckRow",
    "NewEvent",
    "NotLeaderError",
    "OutboundTrailerRow",
    "PalletRow",
    "PalletState",
    "RefusalCountRow",
    "RefusalSampleRow",
    "Store",
    "StoreError",
    "SubscriptionRow",
    "TokenRow",
    "Transaction",
    "UserRow",
]

_FENCE = {
    "sqlite": "SELECT epoch, leader FROM leadership WHERE id = 1",
    "postgresql": "SELECT epoch, leader FROM leadership WHERE id = 1 FOR SHARE",
}
"""The leadership row as a fenced write reads it; on PostgreSQL its lock makes a new leader's epoch
change wait for the writes in flight, and the writes after it see the new epoch."""


_KEYS_PER_QUERY = 500
"""Keys one query of a transaction's ``looking_up`` reads (well within SQLite's parameter limit)."""


class Store(PalletReads, AlertReads, UserReads, InboundReads, OutboundReads, RefusalReads, AsnReads,
            WebhookReads):
    """Central's state in an SQLite file (or ``:memory:``) or a PostgreSQL database (a ``postgresql://`` URL).

    Opening it brings its schema to the latest version (:mod:`xdock.central.store.migrations`). Not
    shared between threads.
    """

    def __init__(
        self, target: str | Path, *, synchronous: Literal["FULL", "NORMAL"] = "FULL",
        application: str = "xdock-central", password: str | None = None,
    ) -> None:
        """``synchronous``: SQLite's durability setting; ``application``, ``password``: PostgreSQL's name for the
        connection and the user's password (see :func:`~xdock.central.store.connect.connect`)."""
        self.path = describe(target)
        """The store as shown in messages: the file, or the URL without its password."""
        self.target = str(target)
        self._db = connect(target, synchronous=synchronous, application=application, password=password)
        try:
            migrate(self._db)
        except BaseException:
            self._db.close()
            raise
        self.fence: int | None = None
        """The leadership epoch every write checks (see :meth:`lead`); ``None``: writes are not fenced."""

    @property
    def dialect(self) -> Dialect:
        return self._db.dialect

    def close(self) -> None:
        self._db.close()

    def lead(self, epoch: int) -> None:
        """Fence this store's writes with ``epoch``: from now on a transaction that finds another epoch
        in ``leadership`` (a newer leader took over) is refused with :class:`NotLeaderError`."""
        self.fence = epoch

    @contextmanager
    def transaction(self, *, looking_up: Iterable[tuple[str, int]] = ()) -> Iterator[Transaction]:
        """All writes inside happen together or not at all.

        ``looking_up``: keys (``(edge_id, seq)``) whose stored answers the transaction starts by reading
        (:attr:`Transaction.applied`), with its begin: on PostgreSQL in the same round trip as the ``BEGIN``
        and the leadership check.
        """
        fence = self.fence
        reads = _applied_reads(looking_up)
        with self._db.transaction(None if fence is None else _FENCE[self._db.dialect], reads) as begun:
            tx = Transaction(self._db, 0 if fence is None else self._check_fence(begun.row, fence))
            tx.applied.update(((edge_id, int(seq)), str(reply)) for rows in begun.reads for edge_id, seq, reply in rows)
            yield tx

    def _check_fence(self, row: tuple[Any, ...], fence: int) -> int:
        epoch, leader = row
        if int(epoch) != fence:
            raise NotLeaderError(
                f"Cannot write store {self.path!r}: central {leader!r} leads the site since epoch {epoch}"
                f" (this central led at epoch {fence})"
            )
        return fence

    def leader(self) -> Leader:
        """The site's leadership row: its epoch, the central that took it (``None``: none yet), since when,
        its API."""
        return leader_row(self._db)

    def schema_version(self) -> int:
        return version(self._db)

    def applied_reply(self, edge_id: str, seq: int) -> str | None:
        """The stored answer to ``(edge_id, seq)`` if that scan was already applied."""
        row = self._db.execute("SELECT reply FROM applied WHERE edge_id = ? AND seq = ?", (edge_id, seq)).fetchone()
        return None if row is None else str(row[0])

    def applied_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM applied").fetchone()[0])

    def meta(self, key: str) -> str | None:
        """A small named value central keeps across restarts (e.g. ``plan_version``), or ``None``."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])


def _applied_reads(keys: Iterable[tuple[str, int]]) -> list[Read]:
    """Queries for the stored answers of ``keys`` (rows of edge, seq, reply): one per edge and
    :data:`_KEYS_PER_QUERY` keys, not one per key."""
    by_edge: dict[str, set[int]] = {}
    for edge_id, seq in keys:
        by_edge.setdefault(edge_id, set()).add(seq)
    reads: list[Read] = []
    for edge_id, seqs in by_edge.items():
        ordered = sorted(seqs)
        for start in range(0, len(ordered), _KEYS_PER_QUERY):
            chunk = ordered[start:start + _KEYS_PER_QUERY]
            placeholders = ", ".join("?" * len(chunk))  # only placeholders: the values go as parameters
            reads.append((f"SELECT edge_id, seq, reply FROM applied WHERE edge_id = ? AND seq IN ({placeholders})",  # noqa: S608
                          (edge_id, *chunk)))
    return reads


class Transaction(PalletWrites, AlertWrites, UserWrites, InboundWrites, OutboundWrites, RefusalWrites, AsnWrites,
                  WebhookWrites):
    """Writes of one transaction; see :meth:`Store.transaction`."""

    def __init__(self, db: Connection, epoch: int) -> None:
        self._db = db
        self.epoch: int | None = epoch
        """The leadership epoch written with the applied keys and events of this transaction."""
        self.applied: dict[tuple[str, int], str] = {}
        """The stored answers of the keys the transaction was begun ``looking_up`` that were applied before."""

    @contextmanager
    def writes_together(self) -> Iterator[None]:
        """The transaction's last writes (no reads, nothing after) go to the database together: on PostgreSQL
        one round trip for all of them and the ``COMMIT``, not one per statement; an error among them is raised
        by the transaction's end, which leaves nothing of it."""
        with self._db.writes_together():
            yield

    def put_meta(self, key: str, value: str) -> None:
        """Set the named value read by :meth:`Store.meta`."""
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def mark_applied(self, edge_id: str, seq: int, reply: str, at: datetime) -> None:
        self.mark_applied_many([(edge_id, seq, reply)], at)

    def mark_applied_many(self, keys: Sequence[tuple[str, int, str]], at: datetime) -> None:
        """Record ``(edge_id, seq, reply)`` for each key applied at ``at``, in one statement sent once."""
        if not keys:
            return
        self._db.executemany(
            "INSERT INTO applied (edge_id, seq, reply, applied_at, epoch) VALUES (?, ?, ?, ?, ?)",
            [(edge_id, seq, reply, at.isoformat(), self.epoch) for edge_id, seq, reply in keys],
        )

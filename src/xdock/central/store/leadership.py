"""Which of the centrals sharing one PostgreSQL store leads the site.

The leader holds a session-level advisory lock on a connection of its own (not the store's): when
its process dies or its link to the database is cut, PostgreSQL ends that session and the lock is
free for a standby to take. Taking it moves the site's *epoch* on in the ``leadership`` row (with
the new leader's id, the time and its API's address); the leader's store checks that epoch in every
write transaction (:meth:`~xdock.central.store.database.Store.lead`), so a deposed leader that has
not noticed yet cannot write, and a new leader's epoch change waits for the writes already in flight.

A new leader also appends a ``leadership`` event (central, epoch), so the event log tells which
central applied what. An SQLite store has no leadership: its one central leads at epoch 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from xdock.central.store.connect import connect
from xdock.central.store.connection import Connection, StoreError
from xdock.central.store.migrations import migrate

__all__ = ["LOCK_KEY", "Leader", "Leadership", "leader_row"]

LOCK_KEY = 0x78646F636B6C64  # the advisory lock the leader holds ("xdockld")


@dataclass(frozen=True)
class Leader:
    """The ``leadership`` row: the epoch, and the central that took it (``None`` before the first)."""

    epoch: int
    central: str | None
    since: datetime | None
    api: str | None
    """The leader's API base address as it advertised it, e.g. ``http://10.0.0.5:8080`` (``None``: no API)."""


def leader_row(db: Connection) -> Leader:
    """The ``leadership`` row read on ``db``."""
    epoch, central, since, api = db.execute("SELECT epoch, leader, since, api FROM leadership WHERE id = 1").fetchone()
    return Leader(int(epoch), central, datetime.fromisoformat(since) if since else None, api)


class Leadership:
    """One central's claim on leading the site stored at ``url``, on its own database connection."""

    def __init__(self, url: str, central: str, *, api: str | None = None, password: str | None = None) -> None:
        if not url.startswith(("postgresql://", "postgres://")):
            raise StoreError(f"Only a PostgreSQL store has a leader and standbys, not {url!r}")
        self.central = central
        self.api = api
        self.epoch: int | None = None
        """The epoch this central took, while it leads."""
        self.since: datetime | None = None
        self._db = connect(url, application=f"xdock-central {central}", reconnect=False, password=password)
        try:
            migrate(self._db)  # a fresh database: the leadership row comes with the schema
        except BaseException:
            self._db.close()
            raise

    def try_take(self, at: datetime) -> int | None:
        """Lead if no central does: the new epoch, or ``None`` when another central holds the lock."""
        if self.epoch is not None:
            return self.epoch
        if not self._db.execute("SELECT pg_try_advisory_lock(?)", (LOCK_KEY,)).fetchone()[0]:
            return None
        with self._db.transaction():
            row = self._db.execute(
                "UPDATE leadership SET epoch = epoch + 1, leader = ?, since = ?, api = ? WHERE id = 1 RETURNING epoch",
                (self.central, at.isoformat(), self.api),
            ).fetchone()
            epoch = int(row[0])
            self._db.execute(
                "INSERT INTO events (at, kind, body, epoch) VALUES (?, 'leadership', ?, ?)",
                (at.isoformat(), json.dumps({"central": self.central, "epoch": epoch}, sort_keys=True), epoch),
            )
        self.epoch, self.since = epoch, at
        return epoch

    def lost(self) -> str | None:
        """Why this central no longer leads (its lock's session ended, or another central took a newer
        epoch), or ``None`` while it still does. Asks the database: call it now and then, not per write."""
        if self.epoch is None:
            return "it never led"
        try:
            leader = self.leader()
        except StoreError as exc:
            return f"its connection to the store ended ({exc})"
        if leader.epoch != self.epoch:
            return f"central {leader.central!r} leads the site since epoch {leader.epoch}"
        return None

    def leader(self) -> Leader:
        """The ``leadership`` row now (read on the lock's own connection, which must be alive)."""
        return leader_row(self._db)

    def close(self) -> None:
        """Let go of the lock (a clean stop: a standby takes over at once)."""
        self._db.close()

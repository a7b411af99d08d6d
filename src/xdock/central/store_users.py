"""The store's API users (name, role) and their tokens: rows, schema, reads and writes.

A token is kept only as the SHA-256 of its text (see :mod:`xdock.central.auth`), never the token
itself. Part of :class:`~xdock.central.store.Store` (reads) and
:class:`~xdock.central.store.Transaction` (writes).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

__all__ = ["SCHEMA", "UserReads", "UserRow", "UserWrites"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    issued_at TEXT NOT NULL,
    revoked_at TEXT
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    created_at: datetime


class UserReads:
    """The users and their tokens, read."""

    _db: sqlite3.Connection

    def users(self) -> list[UserRow]:
        """Every API user, by name."""
        rows = self._db.execute("SELECT name, role, created_at FROM users ORDER BY name").fetchall()
        return [UserRow(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]

    def has_users(self) -> bool:
        return self._db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def token_user(self, sha256: str) -> tuple[str, UserRow] | None:
        """The stored digest and the user of the unrevoked token whose SHA-256 is ``sha256``, or ``None``."""
        row = self._db.execute(
            "SELECT t.sha256, u.name, u.role, u.created_at FROM tokens t JOIN users u ON u.name = t.user"
            " WHERE t.sha256 = ? AND t.revoked_at IS NULL",
            (sha256,),
        ).fetchone()
        return None if row is None else (str(row[0]), UserRow(row[1], row[2], datetime.fromisoformat(row[3])))


class UserWrites:
    """The users and their tokens, written within a transaction."""

    _db: sqlite3.Connection

    def put_user(self, name: str, role: str, at: datetime) -> None:
        """Add a user, or change an existing user's role."""
        self._db.execute(
            "INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET role = excluded.role",
            (name, role, at.isoformat()),
        )

    def put_token(self, sha256: str, user: str, at: datetime) -> None:
        self._db.execute(
            "INSERT INTO tokens (sha256, user, issued_at) VALUES (?, ?, ?)", (sha256, user, at.isoformat())
        )

    def revoke_tokens(self, user: str, at: datetime) -> int:
        """Revoke every live token of ``user``; return how many."""
        cursor = self._db.execute(
            "UPDATE tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL", (at.isoformat(), user)
        )
        return cursor.rowcount

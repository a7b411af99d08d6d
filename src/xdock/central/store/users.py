"""The store's API users (name, role) and their tokens: rows, reads and writes.

A token is kept only as the SHA-256 of its text (see :mod:`xdock.central.api.auth`), never the token
itself. Every change that can take access away (a role saved, tokens revoked, a user removed) also
moves the store's *access generation* on, so a process holding a sign-in (a live stream) notices it
with one small read, whichever process made the change. Part of
:class:`~xdock.central.store.database.Store` (reads) and :class:`~xdock.central.store.database.Transaction` (writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xdock.central.store.connection import Connection

__all__ = ["TokenRow", "UserReads", "UserRow", "UserWrites"]




@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class TokenRow:
    """An unrevoked token (by its digest), its user, and when it stops being accepted (``None``: never)."""

    sha256: str
    user: UserRow
    expires_at: datetime | None


class UserReads:
    """The users and their tokens, read."""

    _db: Connection

    def users(self) -> list[UserRow]:
        """Every API user, by name."""
        rows = self._db.execute("SELECT name, role, created_at FROM users ORDER BY name").fetchall()
        return [UserRow(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]

    def user(self, name: str) -> UserRow | None:
        """The API user ``name``, or ``None``."""
        row = self._db.execute("SELECT name, role, created_at FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else UserRow(row[0], row[1], datetime.fromisoformat(row[2]))

    def has_users(self) -> bool:
        return self._db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def token_user(self, sha256: str) -> TokenRow | None:
        """The unrevoked token whose SHA-256 is ``sha256``, with its user, or ``None``."""
        row = self._db.execute(
            "SELECT t.sha256, u.name, u.role, u.created_at, t.expires_at FROM tokens t"
            ' JOIN users u ON u.name = t."user" WHERE t.sha256 = ? AND t.revoked_at IS NULL',
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        user = UserRow(row[1], row[2], datetime.fromisoformat(row[3]))
        return TokenRow(str(row[0]), user, datetime.fromisoformat(row[4]) if row[4] else None)

    def access_generation(self) -> int:
        """A number that moves on with every change that can take access away (0 before the first)."""
        row = self._db.execute("SELECT generation FROM access_generation WHERE id = 1").fetchone()
        return 0 if row is None else int(row[0])


class UserWrites:
    """The users and their tokens, written within a transaction."""

    _db: Connection

    def _access_changed(self) -> None:
        self._db.execute(
            "INSERT INTO access_generation (id, generation) VALUES (1, 1)"
            " ON CONFLICT (id) DO UPDATE SET generation = access_generation.generation + 1"
        )

    def put_user(self, name: str, role: str, at: datetime) -> None:
        """Add a user, or change an existing user's role."""
        self._db.execute(
            "INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET role = excluded.role",
            (name, role, at.isoformat()),
        )
        self._access_changed()

    def put_token(self, sha256: str, user: str, at: datetime, expires_at: datetime | None = None) -> None:
        self._db.execute(
            'INSERT INTO tokens (sha256, "user", issued_at, expires_at) VALUES (?, ?, ?, ?)',
            (sha256, user, at.isoformat(), expires_at.isoformat() if expires_at else None),
        )

    def revoke_tokens(self, user: str, at: datetime) -> int:
        """Revoke every live token of ``user``; return how many."""
        cursor = self._db.execute(
            'UPDATE tokens SET revoked_at = ? WHERE "user" = ? AND revoked_at IS NULL', (at.isoformat(), user)
        )
        self._access_changed()
        return cursor.rowcount

    def remove_user(self, name: str) -> int:
        """Remove user ``name`` and every token of it; return how many of them were live."""
        live = self._db.execute(
            'SELECT COUNT(*) FROM tokens WHERE "user" = ? AND revoked_at IS NULL', (name,)
        ).fetchone()[0]
        self._db.execute('DELETE FROM tokens WHERE "user" = ?', (name,))
        self._db.execute("DELETE FROM users WHERE name = ?", (name,))
        self._access_changed()
        return int(live)

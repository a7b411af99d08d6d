"""Open the store's connection: a ``postgresql://`` URL on PostgreSQL, anything else an SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from xdock.central.store.connection import Connection, SqliteConnection, StoreError, describe, is_url

__all__ = ["connect"]


def connect(
    target: str | Path, *, synchronous: Literal["FULL", "NORMAL"] = "FULL", application: str = "xdock-central",
    reconnect: bool = True, password: str | None = None,
) -> Connection:
    """Open the store at ``target``: a ``postgresql://`` URL, else an SQLite file (or ``:memory:``).

    PostgreSQL only: ``application`` names the connection in the server's views (``pg_stat_activity``);
    ``reconnect`` false keeps a broken connection broken (a session-level lock must not come back
    silently without its lock); ``password`` the user's password when the URL and libpq's own ways
    (``$PGPASSWORD``, ``~/.pgpass``) do not give it."""
    text = str(target)
    if is_url(text):
        from xdock.central.store.postgres import PostgresConnection  # noqa: PLC0415  (psycopg: only for PostgreSQL)

        return PostgresConnection(text, application=application, reconnect=reconnect, password=password)
    if "://" in text:
        raise StoreError(f"Cannot open store {describe(text)!r}: not a postgresql:// URL nor a file path")
    return SqliteConnection(text, synchronous=synchronous)

"""The store's one connection to its database: SQLite (a file, the embedded default) or PostgreSQL (a URL).

The store's SQL is written once, with ``?`` placeholders and what both databases understand
(``ON CONFLICT … DO UPDATE``, ``RETURNING``); :class:`Connection` runs it on either. What differs
(the schema's DDL, JSON functions) is asked of :attr:`Connection.dialect` by the few places that need it.

:func:`~xdock.central.store.connect.connect` opens either. Every driver error becomes a
:class:`StoreError` naming the store (never its password), so callers
catch one exception whatever the database. A PostgreSQL connection that broke (the server restarted,
the network dropped) is opened again on the next statement outside a transaction; inside one, the
transaction fails and is not retried here (its caller decides).
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "Begun", "Connection", "Cursor", "Dialect", "NotLeaderError", "Read", "SqliteConnection", "StoreError",
    "StoreUnreachableError", "describe", "doing", "first_line", "is_url",
]

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any]
Read = tuple[str, Params]
"""A query and its parameters."""


@dataclass(frozen=True)
class Begun:
    """What a transaction read as it began: the first row of its opening query, and the rows of each read."""

    row: Any
    reads: list[list[Any]]


class StoreError(RuntimeError):
    """The database cannot be opened or written."""


class StoreUnreachableError(StoreError):
    """The database server could not be reached (down, restarting, the network cut): trying again later may
    succeed, unlike a refusal the server states (no such database, a wrong password)."""


class NotLeaderError(StoreError):
    """A write refused because another central leads the site now (see :mod:`xdock.central.store.leadership`)."""


class Cursor(Protocol):
    """What the store reads back from a statement."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


def describe(target: str | Path) -> str:
    """``target`` as it may be shown: a URL without its password."""
    text = str(target)
    if not is_url(text):
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def is_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


class Connection(ABC):
    """One database connection, used by one thread at a time."""

    dialect: Dialect
    name: str
    """The store as shown in messages (no password)."""

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> Cursor:
        """Run one statement (``?`` placeholders)."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per row of parameters."""

    @abstractmethod
    def script(self, sql: str) -> None:
        """Run several statements without parameters, inside the current transaction."""

    @abstractmethod
    @contextmanager
    def transaction(self, opening: str | None = None, reads: Sequence[Read] = ()) -> Iterator[Begun]:
        """All statements inside happen together or not at all (SQLite: one writer at a time).

        ``opening``: a query without parameters run first, its first row yielded in :class:`Begun` (``None``
        without one); then ``reads``, their rows yielded too. PostgreSQL sends them all with the ``BEGIN``, in
        one round trip."""

    @contextmanager
    def writes_together(self) -> Iterator[None]:
        """Inside a transaction, its last statements: the writes inside (no reads) go to the database together
        (PostgreSQL: one round trip for all of them and the ``COMMIT``, their errors raised by the transaction's
        end; SQLite: as they come)."""
        yield

    @abstractmethod
    def close(self) -> None: ...

    def error(self, detail: object, doing: str = "write") -> StoreError:
        """A :class:`StoreError` naming this store, ``doing`` (read or write) and the driver's ``detail``."""
        return StoreError(f"Cannot {doing} store {self.name!r}: {detail}")


class SqliteConnection(Connection):
    """An SQLite file in WAL mode; writers take the database's write lock at the start (``BEGIN IMMEDIATE``)."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: str, *, synchronous: Literal["FULL", "NORMAL"]) -> None:
        self.name = path
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open store {path!r}: {exc}") from exc

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise self.error(exc, doing(sql)) from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise self.error(exc, doing(sql)) from exc

    def script(self, sql: str) -> None:
        for statement in _sqlite_statements(sql):
            self.execute(statement)

    @contextmanager
    def transaction(self, opening: str | None = None, reads: Sequence[Read] = ()) -> Iterator[Begun]:
        self.execute("BEGIN IMMEDIATE")
        try:
            row = None if opening is None else self.execute(opening).fetchone()
            yield Begun(row, [self.execute(sql, params).fetchall() for sql, params in reads])
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


def _sqlite_statements(sql: str) -> Iterator[str]:
    """The statements of ``sql`` one by one (a trigger's body with its own ``;`` stays whole)."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


def doing(sql: str) -> str:
    """What a statement does to the store, for its error message: ``read`` or ``write``."""
    return "read" if sql.lstrip().upper().startswith("SELECT") else "write"


def first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

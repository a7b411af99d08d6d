"""The store on PostgreSQL through psycopg 3: statements with ``?`` placeholders run as ``%s``, autocommit
outside transactions, a broken connection opened again on the next statement outside a transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from xdock.central.store.connection import (
    Connection,
    Cursor,
    Dialect,
    Params,
    StoreError,
    describe,
    doing,
    first_line,
)

__all__ = ["PostgresConnection"]

_PLACEHOLDER = re.compile(r"\?")


class PostgresConnection(Connection):
    """A PostgreSQL database through psycopg 3, in autocommit mode outside :meth:`transaction`."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = describe(url)
        self._in_transaction = False
        self._db = self._open()

    def _open(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=5, application_name="xdock-central")
        except psycopg.Error as exc:
            raise StoreError(f"Cannot open store {self.name!r}: {first_line(exc)}") from exc

    def _live(self) -> psycopg.Connection[Any]:
        if self._db.closed and not self._in_transaction:
            self._db = self._open()
        return self._db

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        try:
            return self._live().execute(_PLACEHOLDER.sub("%s", sql), params)
        except psycopg.Error as exc:
            raise self.error(first_line(exc), doing(sql)) from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            with self._live().cursor() as cursor:
                cursor.executemany(_PLACEHOLDER.sub("%s", sql), rows)
        except psycopg.Error as exc:
            raise self.error(first_line(exc)) from exc

    def script(self, sql: str) -> None:
        try:
            self._live().execute(sql.encode())
        except psycopg.Error as exc:
            raise self.error(first_line(exc)) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        db = self._live()
        self._in_transaction = True
        try:
            with db.transaction():
                yield
        except psycopg.Error as exc:
            raise self.error(first_line(exc)) from exc
        finally:
            self._in_transaction = False

    def close(self) -> None:
        self._db.close()

    @property
    def raw(self) -> psycopg.Connection[Any]:
        """The driver's connection (for session-level calls such as advisory locks)."""
        return self._live()

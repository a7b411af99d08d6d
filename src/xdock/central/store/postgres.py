"""The store on PostgreSQL through psycopg 3: statements with ``?`` placeholders run as ``%s``, autocommit
outside transactions, a broken connection opened again on the next statement outside a transaction
(unless told not to)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from typing import Any

import psycopg

from xdock.central.store.connection import (
    Begun,
    Connection,
    Cursor,
    Dialect,
    Params,
    Read,
    StoreError,
    StoreUnreachableError,
    describe,
    doing,
    first_line,
)

__all__ = ["PostgresConnection"]

_PLACEHOLDER = re.compile(r"\?")


_PASSING = ("the database system is starting up", "the database system is shutting down",
            "the database system is in recovery mode", "sorry, too many clients already")
"""Refusals the server states at connect that pass by themselves."""


def _unreachable(message: str) -> bool:
    """Whether a connect failure may pass by itself: the server never answered (down, the network cut), or
    said it is starting, stopping or full. A refusal it states otherwise (no such database or role, a wrong
    password, no ``pg_hba.conf`` entry) needs the operator."""
    return "FATAL" not in message or any(passing in message for passing in _PASSING)


class PostgresConnection(Connection):
    """A PostgreSQL database through psycopg 3, in autocommit mode outside :meth:`transaction`."""

    dialect: Dialect = "postgresql"

    def __init__(
        self, url: str, *, application: str = "xdock-central", reconnect: bool = True, password: str | None = None,
    ) -> None:
        """``password``: the database user's, when not in the URL, ``$PGPASSWORD`` or ``~/.pgpass``."""
        self.url = url
        self._password = password
        self.name = describe(url)
        self.application = application
        self.reconnect = reconnect
        self._in_transaction = False
        self._pipeline: ExitStack | None = None
        self._db = self._open()

    def _open(self) -> psycopg.Connection[Any]:
        try:
            if self._password is None:
                return psycopg.connect(self.url, autocommit=True, connect_timeout=5, application_name=self.application)
            return psycopg.connect(self.url, autocommit=True, connect_timeout=5, application_name=self.application,
                                   password=self._password)
        except psycopg.Error as exc:
            error = StoreUnreachableError if _unreachable(str(exc)) else StoreError
            raise error(f"Cannot open store {self.name!r}: {first_line(exc)}") from exc

    def _live(self) -> psycopg.Connection[Any]:
        if self._db.closed and self.reconnect and not self._in_transaction:
            self._db = self._open()
        return self._db

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        query = _PLACEHOLDER.sub("%s", sql)
        try:
            return self._live().execute(query, params)
        except psycopg.OperationalError as exc:
            if not self._may_reopen():
                raise self.error(first_line(exc), doing(sql)) from exc
        except psycopg.Error as exc:
            raise self.error(first_line(exc), doing(sql)) from exc
        try:  # outside a transaction, on a connection that broke before this statement: once more
            return self._live().execute(query, params)
        except psycopg.Error as exc:
            raise self.error(first_line(exc), doing(sql)) from exc

    def _may_reopen(self) -> bool:
        return self._db.closed and self.reconnect and not self._in_transaction

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            with self._live().cursor() as cursor:
                cursor.executemany(_PLACEHOLDER.sub("%s", sql), rows)
        except psycopg.Error as exc:
            raise self.error(first_line(exc), doing(sql)) from exc

    def script(self, sql: str) -> None:
        try:
            self._live().execute(sql.encode())
        except psycopg.Error as exc:
            raise self.error(first_line(exc)) from exc

    @contextmanager
    def transaction(self, opening: str | None = None, reads: Sequence[Read] = ()) -> Iterator[Begun]:
        """``BEGIN`` (with ``opening`` and ``reads`` in the same round trip), the block, ``COMMIT``; ``ROLLBACK``
        if the block or the commit fails, so the connection is never left inside a transaction. After
        :meth:`writes_together` the ``COMMIT`` goes with those writes, in their round trip."""
        begun = self._begin(opening, reads)
        self._in_transaction = True
        pipeline = self._pipeline = ExitStack()
        try:
            try:
                yield begun
            except BaseException:
                with suppress(psycopg.Error):
                    pipeline.close()
                self._rollback()
                raise
            try:
                self._db.execute(b"COMMIT")
                pipeline.close()  # sends what waits in the pipeline and reads every result: errors surface here
            except psycopg.Error as exc:
                with suppress(psycopg.Error):
                    pipeline.close()
                self._rollback()
                raise self.error(first_line(exc)) from exc
        finally:
            self._in_transaction = False
            self._pipeline = None

    @contextmanager
    def writes_together(self) -> Iterator[None]:
        """The writes inside are pipelined: sent without waiting for each result. The pipeline stays open for the
        transaction's ``COMMIT``, so the writes and the commit cost one round trip; an error among the writes
        is raised by the transaction's end (which rolls it back whole)."""
        if self._pipeline is None:
            raise RuntimeError("writes_together() is for the writes of a transaction")
        try:
            self._pipeline.enter_context(self._db.pipeline())
        except psycopg.Error as exc:
            raise self.error(first_line(exc)) from exc
        yield

    def _begin(self, opening: str | None, reads: Sequence[Read]) -> Begun:
        """A transaction begun, with the first row of ``opening`` and the rows of ``reads``, all in one round
        trip (a pipeline); a connection found broken by the ``BEGIN`` is opened again, once."""
        for retry in (False, True):
            try:
                db = self._live()
                with db.pipeline():
                    db.execute(b"BEGIN")
                    first = None if opening is None else db.execute(opening.encode())
                    cursors = [db.execute(_PLACEHOLDER.sub("%s", sql), params) for sql, params in reads]
                    row = None if first is None else first.fetchone()  # the round trip: every result comes back
                    return Begun(row, [cursor.fetchall() for cursor in cursors])
            except psycopg.OperationalError as exc:
                if not retry and self._may_reopen():
                    continue
                self._rollback()
                raise self.error(first_line(exc)) from exc
            except psycopg.Error as exc:
                self._rollback()
                raise self.error(first_line(exc), "read" if opening or reads else "write") from exc
        raise AssertionError("unreachable")

    def _rollback(self) -> None:
        """End a transaction left open or failed (nothing to do on a broken connection: the server ended it)."""
        if self._db.closed or self._db.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            return
        with suppress(psycopg.Error):
            self._db.execute(b"ROLLBACK")

    def close(self) -> None:
        self._db.close()

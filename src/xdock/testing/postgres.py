"""A fresh PostgreSQL database on the machine's server, dropped afterwards (tests, benchmarks), and a cut of
a client's connections to it.

The server is the one at ``XDOCK_TEST_POSTGRES`` (a URL to a database the test user may create
databases from; default ``postgresql://postgres@127.0.0.1:5432/postgres``, the machine's server with
trust authentication). Each database is named for this process and a random suffix, so runs side by
side never meet, and it is dropped with ``FORCE`` even when a central still holds connections to it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

__all__ = ["SERVER", "fresh_database", "terminate_connections"]

SERVER = os.environ.get("XDOCK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(server: str = SERVER, *, prefix: str = "xdock_test") -> Iterator[str]:
    """A new empty database on ``server`` (a URL to a database its user may create databases from), named
    ``PREFIX_PID_HEX``; yields its URL. A server that refuses is a :class:`RuntimeError` naming it."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"'.encode())
    except psycopg.Error as exc:
        raise RuntimeError(f"cannot create database {name!r} on {server}: {exc}") from exc
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def terminate_connections(url: str, application_name: str) -> int:
    """Cut every connection to ``url``'s database whose ``application_name`` is exactly that (a central's are
    ``xdock-central CENTRAL-ID``), as a network cut would; answer how many."""
    database = urlsplit(url).path.lstrip("/")
    with psycopg.connect(SERVER, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (database, application_name),
        ).fetchall()
    return len(rows)

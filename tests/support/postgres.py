"""A fresh PostgreSQL database for a test, and a cut of a client's connections: :mod:`xdock.testing.postgres`."""

from xdock.testing.postgres import SERVER, fresh_database, terminate_connections

__all__ = ["SERVER", "fresh_database", "terminate_connections"]

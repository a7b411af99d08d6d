"""Versioned migrations of central's store: each version's DDL for SQLite and for PostgreSQL, applied in order.

``schema_migrations`` lists the versions a store has (with when each was applied). Opening a store
applies the versions it lacks, each in its own transaction together with its row, so a crash in the
middle leaves the store at the previous version; on PostgreSQL an advisory lock held for that
transaction keeps two centrals starting together from migrating at once. A store made before
versions were kept has every table of version 1 and no ``schema_migrations``: version 1 creates only
what is missing, so such a store is upgraded like any other. A store of a version newer than this
xdock is refused (it would write rows the newer code does not expect).

Add a version as a new module ``vN_<what>.py`` with ``NAME``, ``SQLITE`` and ``POSTGRESQL``, listed
in :data:`MIGRATIONS`; a released version's module is never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType

from xdock.central.store.connection import Connection, StoreError
from xdock.central.store.migrations import v1_initial, v2_leadership, v3_partners

__all__ = ["LATEST", "MIGRATIONS", "Migration", "migrate", "version"]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sqlite: str
    postgresql: str


def _migration(version: int, module: ModuleType) -> Migration:
    return Migration(version, str(module.NAME), str(module.SQLITE), str(module.POSTGRESQL))


MIGRATIONS = (_migration(1, v1_initial), _migration(2, v2_leadership), _migration(3, v3_partners))
LATEST = MIGRATIONS[-1].version

_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations"
    " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)
_LOCK_KEY = 0x78646F636B  # "xdock": the advisory lock PostgreSQL migrations run under


def version(db: Connection) -> int:
    """The store's schema version (0: an empty database)."""
    db.execute(_TABLE)
    row = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


def migrate(db: Connection, *, upto: int = LATEST) -> list[int]:
    """Bring the store to version ``upto`` (default: the latest); answer the versions applied now."""
    applied: list[int] = []
    for migration in MIGRATIONS[:upto]:
        with db.transaction():
            if db.dialect == "postgresql":
                db.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK_KEY,))
            have = version(db)
            if have > LATEST:
                raise StoreError(
                    f"Cannot open store {db.name!r}: its schema is version {have}, newer than this xdock"
                    f" knows (up to {LATEST}); run the xdock that made it, or a newer one"
                )
            if have >= migration.version:
                continue
            db.script(migration.sqlite if db.dialect == "sqlite" else migration.postgresql)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            applied.append(migration.version)
    return applied

"""The store's users and tokens: a token's lifetime column added to older stores, the access generation."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from xdock.central.store.database import Store, TokenRow, UserRow

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_an_older_store_gets_the_lifetime_column_and_keeps_its_tokens(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db")
    db.executescript("""
        CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE tokens (sha256 TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users (name),
                             issued_at TEXT NOT NULL, revoked_at TEXT) WITHOUT ROWID;
        INSERT INTO users VALUES ('sam', 'supervisor', '2026-11-23T07:00:00+00:00');
        INSERT INTO tokens VALUES ('ab12', 'sam', '2026-11-23T07:00:00+00:00', NULL);
    """)
    db.close()
    store = Store(tmp_path / "old.db")
    assert store.token_user("ab12") == TokenRow("ab12", UserRow("sam", "supervisor", AT), None)
    assert store.access_generation() == 0
    store.close()


def test_the_access_generation_moves_on_with_each_change_that_can_take_access_away(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    seen = [store.access_generation()]
    with store.transaction() as tx:
        tx.put_user("sam", "supervisor", AT)
    seen.append(store.access_generation())
    with store.transaction() as tx:
        tx.put_token("ab12", "sam", AT, AT + timedelta(hours=8))
        tx.put_token("cd34", "sam", AT)
    seen.append(store.access_generation())  # a new token takes nothing away
    assert store.token_user("ab12") == TokenRow("ab12", UserRow("sam", "supervisor", AT), AT + timedelta(hours=8))
    with store.transaction() as tx:
        assert tx.revoke_tokens("sam", AT) == 2
    seen.append(store.access_generation())
    with store.transaction() as tx:
        tx.put_token("ef56", "sam", AT)
    with store.transaction() as tx:
        assert tx.remove_user("sam") == 1
    seen.append(store.access_generation())
    assert seen == [0, 1, 1, 2, 3]
    assert (store.user("sam"), store.token_user("ef56"), store.users()) == (None, None, [])
    store.close()

"""``xdock central user``: a user added on the command line gets a token that central's store accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from xdock.central.api.auth import Principal, TokenRefusedError, authenticate, grant
from xdock.central.store.database import Store
from xdock.cli import main


def test_add_prints_a_token_once_and_revoke_ends_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.db"
    assert main(["central", "user", "add", "sam", "--role", "supervisor", "--db", str(db)]) == 0
    role, token = capsys.readouterr().out.splitlines()
    assert role == "user sam: supervisor"
    store = Store(db)
    assert authenticate(store, token, datetime.now(UTC)) == Principal("sam", "supervisor")
    assert grant(store, token, datetime.now(UTC)).expires_at is None
    assert token not in db.read_bytes().decode("latin-1")
    assert main(["central", "user", "revoke", "sam", "--db", str(db)]) == 0
    assert capsys.readouterr().out == "user sam: 1 token(s) revoked\n"
    assert authenticate(store, token, datetime.now(UTC)) is None
    store.close()


def test_a_token_with_a_lifetime_ends_with_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.db"
    before = datetime.now(UTC)
    assert main(["central", "user", "add", "wanda", "--role", "worker", "--expires-in", "1.5", "--db", str(db)]) == 0
    _, token = capsys.readouterr().out.splitlines()
    store = Store(db)
    expires_at = grant(store, token, before).expires_at
    assert expires_at is not None
    assert before + timedelta(hours=1.5) <= expires_at <= datetime.now(UTC) + timedelta(hours=1.5)
    assert authenticate(store, token, expires_at - timedelta(seconds=1)) == Principal("wanda", "worker")
    with pytest.raises(TokenRefusedError) as refused:
        grant(store, token, expires_at)
    assert refused.value.reason == f"token expired at {expires_at.isoformat()}"
    store.close()


def test_a_bad_lifetime_is_refused_naming_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["central", "user", "token", "sam", "--expires-in", "0", "--db", str(tmp_path / "c.db")])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "xdock central user token: error: argument --expires-in: expected a number of hours > 0, got '0'")
    assert not (tmp_path / "c.db").exists()


def test_remove_takes_the_user_and_its_tokens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.db"
    assert main(["central", "user", "add", "ada", "--role", "admin", "--no-token", "--db", str(db)]) == 0
    assert main(["central", "user", "add", "sam", "--role", "supervisor", "--db", str(db)]) == 0
    token = capsys.readouterr().out.splitlines()[-1]
    assert main(["central", "user", "remove", "sam", "--db", str(db)]) == 0
    assert capsys.readouterr().out == "user sam: removed, 1 token(s) revoked\n"
    store = Store(db)
    assert authenticate(store, token, datetime.now(UTC)) is None
    assert [u.name for u in store.users()] == ["ada"]
    store.close()
    assert main(["central", "user", "remove", "ada", "--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        "xdock: error: User 'ada' is the last admin: add another admin before removing it\n")
    assert main(["central", "user", "remove", "ghost", "--db", str(db)]) == 2
    assert capsys.readouterr().err == "xdock: error: Unknown user 'ghost'\n"


def test_token_for_an_unknown_user_fails_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["central", "user", "token", "ghost", "--db", str(tmp_path / "c.db")]) == 2
    assert capsys.readouterr().err == "xdock: error: Unknown user 'ghost': add the user before issuing a token\n"


def test_running_central_still_needs_a_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["central"]) == 2
    assert capsys.readouterr().err == "xdock: error: the following arguments are required: --site\n"

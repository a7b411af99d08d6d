"""``xdock central user``: a user added on the command line gets a token that central's store accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from xdock.central.auth import Principal, authenticate
from xdock.central.store import Store
from xdock.cli import main


def test_add_prints_a_token_once_and_revoke_ends_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.db"
    assert main(["central", "user", "add", "sam", "--role", "supervisor", "--db", str(db)]) == 0
    role, token = capsys.readouterr().out.splitlines()
    assert role == "user sam: supervisor"
    store = Store(db)
    assert authenticate(store, token) == Principal("sam", "supervisor")
    assert token not in db.read_bytes().decode("latin-1")
    assert main(["central", "user", "revoke", "sam", "--db", str(db)]) == 0
    assert capsys.readouterr().out == "user sam: 1 token(s) revoked\n"
    assert authenticate(store, token) is None
    store.close()


def test_token_for_an_unknown_user_fails_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["central", "user", "token", "ghost", "--db", str(tmp_path / "c.db")]) == 2
    assert capsys.readouterr().err == "xdock: error: Unknown user 'ghost': add the user before issuing a token\n"


def test_running_central_still_needs_a_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["central"]) == 2
    assert capsys.readouterr().err == "xdock: error: the following arguments are required: --site\n"

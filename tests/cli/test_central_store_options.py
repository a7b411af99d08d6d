"""``--db`` and ``--db-password-file``: an SQLite file or a PostgreSQL URL, bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.postgres import SERVER, fresh_database
from xdock.cli import main


def test_users_live_in_a_postgresql_store_as_in_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    password = tmp_path / "db.secret"
    password.write_text("not-needed-under-trust\n")
    with fresh_database() as url:
        db = ["--db", url, "--db-password-file", str(password)]
        assert main(["central", "user", "add", "ann", "--role", "admin", *db]) == 0
        assert main(["central", "user", "list", *db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "user ann: admin"
    assert out[-1].startswith("ann")


@pytest.mark.parametrize(("db", "error"), [
    ("mysql://root@127.0.0.1/x", "argument --db: expected an SQLite file or a postgresql:// URL,"
                                 " got 'mysql://root@127.0.0.1/x'"),
    ("postgresql://127.0.0.1", "argument --db: a PostgreSQL URL names its database: postgresql://HOST/DATABASE,"
                               " got 'postgresql://127.0.0.1'"),
    ("postgresql://xdock:s3cret@127.0.0.1/site", "argument --db: postgresql://xdock:***@127.0.0.1/site: the password"
                                                 " does not go in the URL (it would show in the process list); give"
                                                 " it with --db-password-file, $PGPASSWORD or ~/.pgpass"),
])
def test_a_store_that_is_neither_is_refused(db: str, error: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["central", "user", "list", "--db", db])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(error)


def test_a_password_file_is_for_postgresql_only_and_must_be_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "nope.secret"
    assert main(["central", "user", "list", "--db", str(tmp_path / "c.db"), "--db-password-file", str(missing)]) == 2
    assert capsys.readouterr().err == (f"xdock: error: --db-password-file {missing}: --db {tmp_path / 'c.db'} is an"
                                       " SQLite file, which has no password\n")
    url = "postgresql://xdock@127.0.0.1/site"
    assert main(["central", "user", "list", "--db", url, "--db-password-file", str(missing)]) == 2
    assert capsys.readouterr().err == f"xdock: error: --db-password-file {missing}: no such file\n"


def test_a_postgresql_server_not_there_is_a_failure_a_restart_may_mend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    site = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
    url = "postgresql://xdock@127.0.0.1:1/site"
    assert main(["central", "--site", str(site), "--db", url, "--api-port", "0"]) == 1
    assert capsys.readouterr().err.startswith(f"xdock: error: Cannot open store '{url}': ")


def test_an_sqlite_file_it_cannot_open_is_a_start_up_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
    db = tmp_path / "no-such-folder" / "c.db"
    assert main(["central", "--site", str(site), "--db", str(db), "--api-port", "0"]) == 2
    assert capsys.readouterr().err == (f"xdock: error: Cannot open store '{db}': unable to open database file\n")


def test_a_database_the_server_says_is_not_there_is_a_start_up_error(capsys: pytest.CaptureFixture[str]) -> None:
    site = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
    url = SERVER.rsplit("/", 1)[0] + "/xdock_no_such_database"
    assert main(["central", "--site", str(site), "--db", url, "--api-port", "0"]) == 2
    assert capsys.readouterr().err.startswith(f"xdock: error: Cannot open store '{url}': ")

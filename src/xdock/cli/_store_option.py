"""``--db`` and ``--db-password-file`` of ``xdock central`` and ``xdock central user``: an SQLite file or a
PostgreSQL URL, and that database user's password kept out of the URL."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from xdock.central.config import DEFAULT_DB
from xdock.central.store.connection import describe

__all__ = ["add_store_options", "db_password_from", "store_arg"]

_HELP = ("an SQLite file, or postgresql://[USER@]HOST[:PORT]/DATABASE (the password from --db-password-file,"
         " $PGPASSWORD or ~/.pgpass, not the URL: a URL shows in the process list)")


def add_store_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, dest: str = "db") -> None:
    parser.add_argument("--db", dest=dest, type=store_arg, default=DEFAULT_DB, metavar="FILE|URL",
                        help=f"central's store: {_HELP} (default: %(default)s)")
    parser.add_argument("--db-password-file", type=Path, metavar="FILE",
                        help="file holding the PostgreSQL user's password (a systemd credential, a container secret)")


def store_arg(text: str) -> Path | str:
    """``text`` as a store: a ``postgresql://`` URL naming a database, else a file path."""
    if text.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(text)
        if parts.password is not None:
            raise argparse.ArgumentTypeError(
                f"{describe(text)}: the password does not go in the URL (it would show in the process list);"
                " give it with --db-password-file, $PGPASSWORD or ~/.pgpass")
        if not parts.path.strip("/"):
            raise argparse.ArgumentTypeError(f"a PostgreSQL URL names its database: postgresql://HOST/DATABASE,"
                                             f" got {text!r}")
        return text
    if "://" in text:
        raise argparse.ArgumentTypeError(f"expected an SQLite file or a postgresql:// URL, got {text!r}")
    return Path(text)


def db_password_from(db: Path | str, password_file: Path | None) -> str | None:
    """The password ``--db-password-file`` gives for ``db`` (``ValueError`` naming the option when it cannot)."""
    if password_file is None:
        return None
    if not isinstance(db, str):  # a bad pair of options, told as the other option errors are
        message = f"--db-password-file {password_file}: --db {db} is an SQLite file, which has no password"
        raise ValueError(message)  # noqa: TRY004
    try:
        return password_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise ValueError(f"--db-password-file {password_file}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValueError(f"--db-password-file {password_file}: cannot be read ({reason})") from exc

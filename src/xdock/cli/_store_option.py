"""``--db`` of ``xdock central`` and ``xdock central user``: an SQLite file or a PostgreSQL URL."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["STORE_HELP", "store_arg"]

STORE_HELP = ("an SQLite file, or postgresql://[USER@]HOST[:PORT]/DATABASE (the password from $PGPASSWORD or"
              " ~/.pgpass, not the URL: a URL shows in the process list)")


def store_arg(text: str) -> Path | str:
    """``text`` as a store: a ``postgresql://`` URL naming a database, else a file path."""
    if text.startswith(("postgresql://", "postgres://")):
        if not urlsplit(text).path.strip("/"):
            raise argparse.ArgumentTypeError(f"a PostgreSQL URL names its database: postgresql://HOST/DATABASE,"
                                             f" got {text!r}")
        return text
    if "://" in text:
        raise argparse.ArgumentTypeError(f"expected an SQLite file or a postgresql:// URL, got {text!r}")
    return Path(text)

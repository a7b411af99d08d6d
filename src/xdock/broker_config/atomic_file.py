"""One file written whole or not at all: a fresh file with its mode and owner, flushed, renamed over the old one."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_file"]


def write_file(path: Path, text: str, mode: int, owner: tuple[int, int] | None) -> None:
    """``text`` into ``path`` through a fresh file created with ``mode``, flushed and renamed over it.

    The fresh file takes the owner and group of the file it replaces, else ``owner`` if given.
    """
    fresh = path.with_name(f".{path.name}.new")
    fresh.unlink(missing_ok=True)
    try:
        replaced = path.stat()
    except FileNotFoundError:
        keep = owner
    else:
        keep = replaced.st_uid, replaced.st_gid
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(fd, mode)  # the umask may have taken more than the mode allows; a secret stays 0600 throughout
            if keep is not None and keep != (os.fstat(fd).st_uid, os.fstat(fd).st_gid):
                os.fchown(fd, *keep)
            file.write(text)
            file.flush()
            os.fsync(fd)
        os.replace(fresh, path)
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)

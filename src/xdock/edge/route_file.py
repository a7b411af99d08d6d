"""The routing snapshot kept in the edge's state folder, so a restarted edge with no broker still has it.

Written whole to a temporary file, flushed to disk, then renamed over the old one: a crash leaves
either the old snapshot or the new one, never half of one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from xdock.protocol.messages import MessageError, RouteSnapshot, decode, encode

__all__ = ["load_snapshot", "save_snapshot"]

log = logging.getLogger(__name__)


def save_snapshot(path: Path, snapshot: RouteSnapshot) -> None:
    """Replace the stored snapshot atomically."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as file:
        file.write(encode(snapshot))
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)


def load_snapshot(path: Path) -> RouteSnapshot | None:
    """The stored snapshot; ``None`` (logged) when there is none or it cannot be read."""
    try:
        payload = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("routing snapshot %s unreadable: %s", path, exc)
        return None
    try:
        return decode(RouteSnapshot, payload)
    except MessageError as exc:
        log.warning("routing snapshot %s ignored: %s", path, exc)
        return None

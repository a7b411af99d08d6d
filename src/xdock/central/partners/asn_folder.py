"""A watched folder of despatch advices: ``xdock central --asn-dir DIR``.

A supplier's or WMS's file dropped into ``DIR`` (EANCOM DESADV, or its JSON form when the name ends in
``.json``) is applied once (:meth:`~xdock.central.site.live_site.LiveSite.apply_asn`), then moved to
``DIR/done/``; a file refused (it does not parse, or the site refuses it) is moved to ``DIR/refused/``
with ``<name>.error.txt`` beside it saying why (the segment and element at fault). Nothing of a refused
file is applied. A crash between applying a file and moving it is harmless: the next sweep applies
it again, which the site recognises as a copy, and moves it.

A file is taken once it has not changed for ``settle_s`` seconds (a writer still copying it in is
waited for); names starting with ``.`` or ending in ``.tmp`` or ``.part`` are left alone, so a writer
may also write ``x.tmp`` and rename it; a file taken away before it is read is passed over. A name
already in ``done/`` or ``refused/`` gets a numbered suffix there, never overwriting an earlier file.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from xdock.central.site.inbound import InboundRefusedError
from xdock.central.site.live_site import LiveSite
from xdock.partners.desadv import DesadvError, parse_edifact, parse_json

__all__ = ["AsnFolder", "Swept"]

log = logging.getLogger(__name__)

_SKIPPED_SUFFIXES = (".tmp", ".part", ".error.txt")
MAX_FILE_BYTES = 16 * 1024 * 1024
"""A larger file is refused unread."""


@dataclass(frozen=True)
class Swept:
    """One file taken from the folder."""

    name: str
    outcome: Literal["applied", "copy", "refused"]
    moved_to: Path
    detail: str
    """What was applied (``ASN <id>: 12 pallets on truck T``), or why it was refused."""


class AsnFolder:
    """Despatch advice files dropped into ``folder``, applied to ``site`` (see the module docstring)."""

    def __init__(self, folder: Path, site: LiveSite, *, every_s: float = 2.0, settle_s: float = 1.0) -> None:
        self.folder = folder
        self.site = site
        self.every_s = every_s
        self.settle_s = settle_s
        for sub in ("done", "refused"):
            (folder / sub).mkdir(parents=True, exist_ok=True)

    async def run(self) -> None:
        """Sweep the folder every ``every_s`` seconds, until cancelled."""
        log.info("applying despatch advices dropped into %s", self.folder)
        while True:
            self.sweep()
            await asyncio.sleep(self.every_s)

    def sweep(self, *, now: float | None = None) -> list[Swept]:
        """Take every file ready in the folder, oldest first (``now``: the wall-clock time to judge it ready by)."""
        at = time.time() if now is None else now
        ready = []
        for path in self.folder.iterdir():
            if not path.is_file() or path.name.startswith(".") or path.name.endswith(_SKIPPED_SUFFIXES):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:  # taken away since listed
                continue
            if at - stat.st_mtime >= self.settle_s:
                ready.append((stat.st_mtime, path.name, path))
        taken = (self._take(path) for _, _, path in sorted(ready))
        return [swept for swept in taken if swept is not None]

    def _take(self, path: Path) -> Swept | None:
        """Apply the file at ``path`` and move it; ``None`` when it was taken away before it was read (its
        writer took it back: nothing of it applied, and a sweep must not fail the site for it)."""
        try:
            size = path.stat().st_size
            data = None if size > MAX_FILE_BYTES else path.read_bytes()
        except FileNotFoundError:
            log.info("despatch advice %s was taken away before it was read", path.name)
            return None
        if data is None:
            return self._refuse(path, f"file of {size} bytes is over the limit of {MAX_FILE_BYTES} bytes")
        try:
            zone = self.site.config.zone
            advice = parse_json(data) if path.suffix.lower() == ".json" else parse_edifact(data, zone=zone)
            applied = self.site.apply_asn(advice, source=f"folder:{path.name}", by="asn-folder")
        except (DesadvError, InboundRefusedError) as exc:
            return self._refuse(path, str(exc))
        moved = _move(path, self.folder / "done")
        detail = f"ASN {applied.asn.id}: {applied.pallets} pallets on truck {applied.truck.id}"
        log.info("despatch advice %s %s: %s", path.name, "was a copy" if applied.copy else "applied", detail)
        return Swept(path.name, "copy" if applied.copy else "applied", moved, detail)

    def _refuse(self, path: Path, detail: str) -> Swept:
        moved = _move(path, self.folder / "refused")
        moved.with_name(moved.name + ".error.txt").write_text(f"{path.name}: {detail}\n", encoding="utf-8")
        log.warning("despatch advice %s refused: %s", path.name, detail)
        return Swept(path.name, "refused", moved, detail)


def _move(path: Path, folder: Path) -> Path:
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    return path.rename(target)

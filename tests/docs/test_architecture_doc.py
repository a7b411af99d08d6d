"""docs/architecture.md tells the truth: its paths exist, its rooms are central's, its commands are the core's."""

from __future__ import annotations

import re
from pathlib import Path

import xdock.central
from xdock.central.site.live_site import LiveSite

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
CENTRAL = Path(xdock.central.__file__).parent


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_path_the_doc_names_exists() -> None:
    paths = set(re.findall(r"`([a-z_]+/(?:[a-z_]+/)*(?:[a-z_]+\.py)?)`", _text()))
    assert paths, "the doc names no path"
    assert sorted(p for p in paths if not (CENTRAL / p).exists() and not (ROOT / p).exists()) == []


def test_the_rooms_table_lists_every_room() -> None:
    rooms = set(re.findall(r"^\| `([a-z_]+)/` \|", _text(), re.M))
    on_disk = {p.name for p in CENTRAL.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert rooms == on_disk


def test_every_command_in_the_table_is_the_cores() -> None:
    table = _text().split("| command | what it does |")[1].split("\n\n")[0]
    commands = set(re.findall(r"`([a-z_]+)`", table)) | {"apply_scans"}
    assert sorted(c for c in commands if not callable(getattr(LiveSite, c, None))) == []

"""Central's rooms import only from rooms below them, and nothing outside the site core reaches into it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import xdock.central

CENTRAL = Path(xdock.central.__file__).parent

ROOMS = (
    "store", "site_file", "alerts", "optimiser", "telemetry", "sensors", "site", "edges", "edge_routing", "ingest",
    "planning", "partners", "api", "web", "config", "standby", "front", "app", "leading",
)
"""Lowest first: a room may import from the rooms before it, never from those after it."""

CORE_PARTS = frozenset({
    "ScanService", "PassageService", "Overrides", "OfflineAnswers", "InboundTrucks", "SensorService",
    "SiteParts", "confirm_aboard", "Dispatcher",
})
"""The site core's own parts: only the core (``site/``) builds or holds them; the rest of central calls
:class:`~xdock.central.site.live_site.LiveSite` (their errors and results it may import; the load book
only as the read view ``LiveSite.loads``)."""


def _room(path: Path) -> str:
    rel = path.relative_to(CENTRAL)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every ``xdock.central`` module ``path`` imports, with its line (type-checking and local imports too)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xdock.central."):
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("xdock.central."):
                    yield node.lineno, alias.name


def _names(path: Path) -> Iterator[tuple[int, str]]:
    """Every name ``path`` imports from an ``xdock.central`` module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xdock.central."):
            for alias in node.names:
                yield node.lineno, alias.name


def _modules() -> list[Path]:
    return sorted(p for p in CENTRAL.rglob("*.py") if p.name != "__init__.py")


def test_every_module_lives_in_a_known_room() -> None:
    assert sorted({_room(p) for p in _modules()} - set(ROOMS)) == []


def test_rooms_import_only_from_rooms_below() -> None:
    rank = {room: i for i, room in enumerate(ROOMS)}
    upward = []
    for path in _modules():
        here = _room(path)
        for line, module in _imports(path):
            there = module.split(".")[2]
            if rank.get(there, -1) > rank[here]:
                upward.append(f"{path.relative_to(CENTRAL)}:{line} ({here}) imports {module} ({there})")
    assert upward == []


def test_only_the_site_core_holds_its_parts() -> None:
    outside = [
        f"{path.relative_to(CENTRAL)}:{line} imports {name}"
        for path in _modules() if _room(path) not in ("site", "sensors", "optimiser")
        for line, name in _names(path) if name in CORE_PARTS
    ]
    assert outside == []

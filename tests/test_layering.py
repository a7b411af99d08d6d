"""The import graph of ``src/xdock``: no cycles, and each room imports only the rooms it may.

Every import counts: at module level, under ``if TYPE_CHECKING:``, and inside functions (an import
deferred to run time is a dependency all the same). Edge and central meet only through
``xdock.protocol``; the protocol depends on nothing else of xdock.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

ALLOWED: Mapping[str, frozenset[str]] = {
    "protocol": frozenset(),
    "transport": frozenset({"protocol"}),
    "broker_config": frozenset({"protocol"}),
    # What central and the edges tell the site's monitoring (metrics, JSON logs): depends on nothing of xdock.
    "observability": frozenset(),
    # The trade's formats (DESADV, EPCIS, ZPL labels, webhook signatures): pure codecs, no I/O.
    "partners": frozenset({"protocol"}),
    "edge": frozenset({"xdock", "protocol", "transport", "observability"}),
    "central": frozenset({"xdock", "protocol", "transport", "observability", "partners"}),
    "firmware_mocks": frozenset({"protocol", "transport"}),
    "simulators": frozenset({"protocol", "firmware_mocks"}),
    "testing": frozenset({"protocol", "broker_config", "central", "firmware_mocks", "partners"}),
    # The demo plays a scenario's day with the simulator's engine against the real central and edges.
    "demo": frozenset({
        "protocol", "transport", "central", "edge", "firmware_mocks", "simulators", "simulation", "partners",
    }),
    "cdap": frozenset(),
    # The simulator runs central's decision code, and while central is unreachable the edges' own offline
    # answers (xdock.edge.offline_router), which are the edge's code.
    "simulation": frozenset({"protocol", "central", "edge"}),
    "cli": frozenset({
        "xdock", "protocol", "transport", "broker_config", "central", "edge", "demo", "firmware_mocks", "simulators",
        "cdap", "simulation", "observability", "partners",
    }),
    "__main__": frozenset({"cli"}),
    "xdock": frozenset(),
}
"""Room (``xdock.<room>``; ``xdock`` is the package's own ``__init__``) → the other rooms it may import."""


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line})"


def modules(src: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """Module name → (file, whether it is a package's ``__init__``)."""
    found = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _named(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: Mapping[str, object]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join([*base, *([node.module] if node.module else [])])
    else:
        prefix = node.module or ""
    # ``from a.b import c``: the module ``a.b.c`` when there is one, else a name of ``a.b``.
    return [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix for alias in node.names]


def import_graph(src: Path, package: str = "xdock") -> dict[str, list[Import]]:
    """Every module of ``package`` → its imports of the package's modules, all of them (see the module docstring)."""
    known = modules(src, package)
    graph: dict[str, list[Import]] = {}
    for module, (path, is_package) in known.items():
        imports = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _named(node, module, is_package, known):
                target = name
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    imports.append(Import(module, target, node.lineno))
        graph[module] = imports
    return graph


def cycles(graph: Mapping[str, list[Import]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted({i.target for i in graph[root]})))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted({i.target for i in graph[child]}))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Import]]:
    return import_graph(SRC)


def test_the_graph_sees_imports_under_type_checking_and_inside_functions(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n")
    (pkg / "b.py").write_text("def late() -> None:\n    from . import a\n")
    (pkg / "sub" / "c.py").write_text("from ..b import late\nimport pkg.sub\nfrom pkg import sub\n")
    found = import_graph(tmp_path, "pkg")
    assert [str(i) for i in found["pkg.a"]] == ["pkg.a imports pkg.b (line 3)"]
    assert [str(i) for i in found["pkg.b"]] == ["pkg.b imports pkg.a (line 2)"]
    assert [i.target for i in found["pkg.sub.c"]] == ["pkg.b", "pkg.sub", "pkg.sub"]
    assert cycles(found) == [["pkg.a", "pkg.b"]]


def test_every_module_and_room_is_known(graph: dict[str, list[Import]]) -> None:
    assert "xdock.edge.agent" in graph
    assert "xdock.central.edge_routing.snapshots" in graph
    assert {room(m) for m in graph} == set(ALLOWED)


def test_no_import_cycles(graph: dict[str, list[Import]]) -> None:
    found = cycles(graph)
    assert not found, "import cycles (each line: the modules of one cycle):\n" + "\n".join(
        ", ".join(component) for component in found
    )


def crossing(graph: Mapping[str, list[Import]], source: str, target: str) -> list[str]:
    return [
        str(i) for imports in graph.values() for i in imports if room(i.source) == source and room(i.target) == target
    ]


@pytest.mark.parametrize(("source", "target"), [("edge", "central"), ("central", "edge")])
def test_edge_and_central_meet_only_through_the_protocol(
    graph: dict[str, list[Import]], source: str, target: str
) -> None:
    assert crossing(graph, source, target) == []


@pytest.mark.parametrize("target", ["edge", "central", "transport", "cli"])
def test_the_protocol_imports_no_side_of_the_wire(graph: dict[str, list[Import]], target: str) -> None:
    assert crossing(graph, "protocol", target) == []


def test_each_room_imports_only_the_rooms_it_may(graph: dict[str, list[Import]]) -> None:
    refused = [
        str(i) for imports in graph.values() for i in imports
        if room(i.target) != room(i.source) and room(i.target) not in ALLOWED[room(i.source)]
    ]
    assert refused == []

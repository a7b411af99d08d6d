"""pyproject.toml's extras hold what each part imports, and the command line checks the same lists.

Each part's imports are read from its source (every import statement, at any depth); a third-party module must
come from the base dependencies or from the part's own extra. The modules ``xdock.cli.extras`` looks up for
an extra must be exactly the packages that extra lists.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

import xdock
from xdock.cli.extras import EXTRA_MODULES

ROOT = Path(__file__).parents[2]
SRC = Path(xdock.__file__).parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

BASE_MODULES = {"pydantic", "biip", "aiomqtt", "paho"}
COMES_WITH = {"pydantic_core": "pydantic", "starlette": "fastapi"}
"""Modules imported directly that a listed package brings along (its own dependency, not listed again)."""

PART_EXTRA = {
    "protocol": None, "transport": None, "broker_config": "tls", "cli": None,
    "edge": "edge", "firmware_mocks": "edge", "simulators": "edge", "observability": "edge",
    "central": "central", "demo": "demo", "cdap": "cdap", "simulation": "sim", "partners": "central",
}
"""Each subpackage of xdock → the extra its imports may use (None: the base only); a command of ``xdock.cli``
checks its own extra before it imports its part (``xdock broker-config`` needs the tls extra only with ``--tls``,
whose modules it imports only then). ``xdock.testing`` serves the test suite (``xdock[test]``)."""


def _name(requirement: str) -> str:
    """A requirement's project name, normalised (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def requirements(extra: str | None) -> set[str]:
    """The project names ``extra`` (None: the base) installs, its references to other extras of xdock followed."""
    listed = PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    names: set[str] = set()
    for requirement in listed:
        own = re.fullmatch(r"xdock\[([a-z,]+)\]", requirement)
        if own:
            for other in own.group(1).split(","):
                names |= requirements(other)
        else:
            names.add(_name(requirement))
    return names


def distribution_of(module: str) -> str:
    [name] = importlib.metadata.packages_distributions()[module]
    return _name(name)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (in functions too), relative imports resolved."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


MODULES = {_module_name(path): _imports(path) for path in SRC.rglob("*.py")}


def third_party_imports(part: str) -> dict[str, list[str]]:
    """Top-level third-party module → the xdock modules importing it, over ``part``'s modules and every xdock
    module they import in turn; for ``cli``, its own modules only (a command checks its extra, then imports
    its part)."""
    todo = [name for name in MODULES if name.split(".")[1:2] == [part]]
    seen: set[str] = set()
    found: dict[str, list[str]] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for module in MODULES[name]:
            top = module.partition(".")[0]
            if top == "xdock" and part != "cli":
                target = module
                while target not in MODULES:  # an imported name, not a module: its module
                    target = target.rpartition(".")[0]
                parents = [".".join(target.split(".")[:i]) for i in range(1, target.count(".") + 2)]
                todo += [m for m in parents if m in MODULES and not m.startswith("xdock.cli")]
            elif top not in sys.stdlib_module_names and top not in {"xdock", "__future__"}:
                found.setdefault(top, []).append(name)
    return found


def test_the_extras_are_the_parts() -> None:
    assert set(PROJECT["optional-dependencies"]) == {*EXTRA_MODULES, "test"}
    assert requirements(None) == {distribution_of(m) for m in BASE_MODULES}


@pytest.mark.parametrize("extra", sorted(EXTRA_MODULES))
def test_the_command_line_checks_exactly_the_extras_packages(extra: str) -> None:
    assert {distribution_of(m) for m in EXTRA_MODULES[extra]} == requirements(extra) - requirements(None)


def test_the_test_extra_installs_every_part() -> None:
    for extra in EXTRA_MODULES:
        assert requirements(extra) <= requirements("test")


def test_the_demo_extra_holds_central_and_edge() -> None:
    assert requirements("central") | requirements("edge") <= requirements("demo")


def test_an_edge_install_has_no_solver_nor_web_stack() -> None:
    edge = requirements("edge") | requirements(None)
    assert edge.isdisjoint({"ortools", "numba", "numpy", "fastapi", "uvicorn", "amqtt", "influxdb-client"})


def test_every_subpackage_has_its_part() -> None:
    folders = {p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()}
    assert folders == {*PART_EXTRA, "testing"}


@pytest.mark.parametrize("part", sorted(PART_EXTRA))
def test_a_part_imports_only_the_base_and_its_extra(part: str) -> None:
    """What a part's modules import, and the xdock modules they use import in turn, comes from the base or
    the part's extra."""
    extra = PART_EXTRA[part]
    allowed = BASE_MODULES | set(EXTRA_MODULES[extra] if extra else ())
    allowed |= {module for module, brought_by in COMES_WITH.items() if brought_by in allowed}
    imports = third_party_imports(part)
    assert imports  # the scan reads the part's modules and those they import
    outside = {module: sorted(set(names)) for module, names in imports.items() if module not in allowed}
    assert outside == {}


def test_the_install_doc_lists_every_extra() -> None:
    doc = (ROOT / "docs" / "running-the-parts.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| `xdock\[([a-z]+)\]` \|", doc, re.M) == list(PROJECT["optional-dependencies"])

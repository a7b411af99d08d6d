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
    "protocol": None, "transport": None, "broker_config": None, "cli": None,
    "edge": "edge", "firmware_mocks": "edge", "simulators": "edge",
    "central": "central", "demo": "demo", "cdap": "cdap",
}
"""Each subpackage of xdock → the extra its imports may use (None: the base only). ``xdock.testing`` serves the
test suite, installed with ``xdock[test]``."""


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


def third_party_imports(folder: Path) -> dict[str, list[str]]:
    """Top-level third-party module → the files (relative) under ``folder`` importing it."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in {"xdock", "__future__"}:
                    found.setdefault(top, []).append(str(path.relative_to(SRC)))
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
    extra = PART_EXTRA[part]
    allowed = BASE_MODULES | set(EXTRA_MODULES[extra] if extra else ())
    allowed |= {module for module, brought_by in COMES_WITH.items() if brought_by in allowed}
    imports = third_party_imports(SRC / part)
    assert list((SRC / part).rglob("*.py"))  # the part is where the scan looks
    outside = {module: files for module, files in imports.items() if module not in allowed}
    assert outside == {}


def test_the_install_doc_lists_every_extra() -> None:
    doc = (ROOT / "docs" / "running-the-parts.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| `xdock\[([a-z]+)\]` \|", doc, re.M) == list(PROJECT["optional-dependencies"])

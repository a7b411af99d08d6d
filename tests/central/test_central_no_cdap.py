"""Central never imports the CDAP benchmark solver (xdock.cdap): a central install has no numba.

Every import statement of every module under src/xdock/central is read, at any depth (inside functions and
``if TYPE_CHECKING:`` blocks too), relative imports resolved; a module name given as a string (as to
``importlib.import_module``) counts as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import xdock

SRC = Path(xdock.__file__).parent
CENTRAL = SRC / "central"


def _module_of(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path, src: Path = SRC) -> list[tuple[int, str]]:
    """(line, module), in line order, for each module ``path`` imports or names as a dotted string of the xdock
    package (``src``: the package's folder)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_name = _module_of(path, src)
    package = module_name if path.name == "__init__.py" else module_name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found += [(node.lineno, module)] + [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("xdock."):
            found.append((node.lineno, node.value))
    return sorted(found)


def _is_cdap(module: str) -> bool:
    return module == "xdock.cdap" or module.startswith("xdock.cdap.")


def test_central_never_imports_the_cdap_solver() -> None:
    files = sorted(CENTRAL.rglob("*.py"))
    assert len(files) > 40  # the scan reads central itself, wherever its modules live
    offending = [f"{path.relative_to(SRC.parent)}:{line}: {module}"
                 for path in files for line, module in imported_names(path) if _is_cdap(module)]
    assert offending == []


def test_the_scan_sees_imports_in_functions_type_checking_blocks_and_relative_form(tmp_path: Path) -> None:
    package = tmp_path / "xdock" / "central"
    package.mkdir(parents=True)
    probe = package / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from xdock.cdap.instance import CdapInstance\n"
        "def solve():\n"
        "    import xdock.cdap.solver\n"
        "from .. import cdap\n"
        "NAME = 'xdock.cdap.tabu'\n",
        encoding="utf-8",
    )
    found = [(line, module) for line, module in imported_names(probe, tmp_path / "xdock") if _is_cdap(module)]
    assert found == [(3, "xdock.cdap.instance"), (3, "xdock.cdap.instance.CdapInstance"), (5, "xdock.cdap.solver"),
                     (6, "xdock.cdap"), (7, "xdock.cdap.tabu")]

"""The wheel, installed as a user installs it: only the part they run, in a fresh venv, away from the source tree.

The wheel is built from a copy of the project (the build writes ``build/`` and ``*.egg-info`` next to the
sources) with this interpreter's setuptools. Each venv is made without pip and filled by this interpreter's
pip (``--python``): the packages come from the package registry, quickly from pip's local cache. A registry
that cannot be reached fails the test, saying so.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import xdock

ROOT = Path(__file__).parents[2]
SRC = Path(xdock.__file__).parent
PIP_TIMEOUT_S = 600.0
"""One install: a few seconds from pip's cache; the demo's packages (ortools, numpy) are large when downloaded."""

pytestmark = pytest.mark.timeout(1800)


def _env() -> dict[str, str]:
    """This environment without what would point the installed command at the source tree or this venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """``argv`` in its own process group, ended with everything it started if it outlives ``timeout``."""
    proc = subprocess.Popen(argv, cwd=cwd, env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{' '.join(argv)} still running after {timeout:.0f} s\n"
                    f"stdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}")
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever it left behind in its group
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        pytest.fail(f"{what} failed (exit {result.returncode})\nstdout:\n{result.stdout[-3000:]}\n"
                    f"stderr:\n{result.stderr[-3000:]}")


def _install(venv: Path, requirement: str, cwd: Path) -> None:
    """A fresh venv at ``venv`` with ``requirement`` installed from the wheel and the package registry."""
    _check(run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd, 120), f"python -m venv {venv}")
    result = run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                  "--retries", "2", "--timeout", "30", requirement], cwd, PIP_TIMEOUT_S)
    if result.returncode != 0:
        unreachable = re.search(r"(?i)connection|network|resolve|Max retries|No matching distribution", result.stderr)
        cause = ("the package registry could not be reached or had no matching package; this test needs it "
                 if unreachable else "")
        pytest.fail(f"pip install {requirement} failed (exit {result.returncode}): {cause}\n{result.stderr[-3000:]}")


IMPORT_EDGE_SIDE = """
import importlib, pkgutil
import xdock.broker_config, xdock.edge, xdock.firmware_mocks, xdock.protocol, xdock.simulators, xdock.transport
names = ["xdock.cli.edge_cmd", "xdock.cli.mock_cmd", "xdock.cli.broker_config_cmd"]
for package in (xdock.broker_config, xdock.edge, xdock.firmware_mocks, xdock.protocol, xdock.simulators,
                xdock.transport):
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    if name not in ("xdock.broker_config.certs", "xdock.broker_config.tls_files"):
        importlib.import_module(name)
print(len(names))
"""
"""Every module the edge side runs (agent, device drivers, mocks, their commands), imported; but the two that
make certificates for ``xdock broker-config --tls`` (the tls extra's)."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a copy of its sources."""
    copy = tmp_path_factory.mktemp("project")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, copy / name)
    shutil.copytree(ROOT / "src", copy / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build"))
    out = tmp_path_factory.mktemp("dist")
    result = run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out),
                  str(copy)], copy, 300)
    _check(result, "pip wheel (needs setuptools>=77 in this venv: pip install -e '.[test]')")
    [built] = out.glob("xdock-*.whl")
    return built


def test_the_wheel_holds_every_file_the_package_reads(wheel: Path) -> None:
    data = sorted(
        str(path.relative_to(SRC.parent)) for path in SRC.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    )
    assert "xdock/demo/sites/demo.yaml" in data
    assert "xdock/central/web/static/dashboard.html" in data
    assert "xdock/py.typed" in data
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert [name for name in data if name not in names] == []


def test_an_edge_install_runs_the_edge_without_centrals_packages(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "edge-venv"
    _install(venv, f"{wheel}[edge]", tmp_path)
    python, xdock_cmd = str(venv / "bin" / "python"), str(venv / "bin" / "xdock")
    for module in ("ortools", "numba", "numpy", "fastapi", "uvicorn", "amqtt"):
        result = run([python, "-c", f"import {module}"], tmp_path, 60)
        assert result.returncode == 1, f"{module} is installed by xdock[edge]"
        assert f"ModuleNotFoundError: No module named '{module}'" in result.stderr
    located = run([python, "-c", "import xdock; print(xdock.__file__)"], tmp_path, 60)
    assert located.stdout.startswith(str(venv)), located.stdout  # the installed wheel, not the source tree
    imported = run([python, "-c", IMPORT_EDGE_SIDE], tmp_path, 120)
    assert imported.returncode == 0, imported.stderr
    assert int(imported.stdout) > 80  # every module of the edge side, not an empty walk
    for argv in (["edge", "--help"], ["mock", "scanner", "--help"], ["broker-config", "--help"]):
        result = run([xdock_cmd, *argv], tmp_path, 60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: xdock {' '.join(argv[:-1])} ")
    tls = run([xdock_cmd, "broker-config", "--site", "s", "--edge", "e1", "--out", "b", "--tls"], tmp_path, 60)
    assert (tls.returncode, tls.stderr) == (
        2, "xdock: error: --tls: needs the tls extra: pip install 'xdock[tls]' (not installed: cryptography)\n")
    central = run([xdock_cmd, "central", "--site", "site.yaml"], tmp_path, 60)
    assert central.returncode == 2
    assert central.stderr == (
        "xdock central: needs the central extra: pip install 'xdock[central]' (not installed: yaml, fastapi, "
        "uvicorn, numpy, ortools, influxdb_client, urllib3, swagger_ui_bundle, psycopg, pydifact)\n"
    )


def test_a_demo_install_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "demo-venv"
    _install(venv, f"{wheel}[demo]", tmp_path)
    assert run([str(venv / "bin" / "python"), "-c", "import numba"], tmp_path, 60).returncode == 1
    result = run([str(venv / "bin" / "xdock"), "demo", "--duration", "5", "--api-port", "0", "--plain",
                  "--workdir", str(tmp_path / "demo")], tmp_path, 120)
    _check(result, "xdock demo --duration 5")
    out = result.stdout
    assert re.search(r"^xdock demo: scenario demo \(seed 7\), broker mqtt://127\.0\.0\.1:\d+, 4 edge agents, "
                     r"RFID portals at D12, D13, ", out, re.M), out
    summary = re.search(r"^scans (\d+)  assigned (\d+)  refused (\d+)  no answer (\d+)  ", out, re.M)
    assert summary is not None, out
    scans, assigned, refused, _unanswered = map(int, summary.groups())
    assert scans > 0
    assert scans == assigned + refused
    assert "Traceback" not in result.stderr
    assert (tmp_path / "demo" / "central.db").is_file()

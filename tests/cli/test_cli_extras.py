"""Each subcommand runs on its own extra: without the others' packages, and with a one-line advice when its own
extra is missing (exit 2, no traceback).

A package "not installed" is simulated in a fresh interpreter by a ``None`` entry in ``sys.modules``: its import
then fails as for a missing package, and the lookup the check does finds nothing. The real thing, an edge-only
install from the wheel, is tests/packaging/test_wheel.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from xdock.cli import _COMMANDS
from xdock.cli.extras import COMMAND_EXTRA

NOT_ON_AN_EDGE = ("ortools", "numba", "numpy", "fastapi", "starlette", "uvicorn", "amqtt", "yaml", "influxdb_client",
                  "urllib3", "swagger_ui_bundle")
"""What an edge gateway (``xdock[edge]``) does not install: central's, the demo's and the solver's packages."""


def xdock(argv: list[str], absent: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """``xdock *argv`` in a fresh interpreter where the modules ``absent`` cannot be imported."""
    script = (
        "import sys\n"
        f"for name in {absent!r}:\n"
        "    sys.modules[name] = None\n"
        "from xdock.cli import main\n"
        f"code = main({argv!r})\n"
        f"loaded = sorted(n for n in {absent!r} if sys.modules.get(n) is not None)\n"
        "assert not loaded, loaded\n"
        "sys.exit(code)\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["edge", "--help"], "usage: xdock edge "),
        (["mock", "--help"], "usage: xdock mock "),
        (["mock", "scanner", "--help"], "usage: xdock mock scanner "),
        (["mock", "llrp-reader", "--help"], "usage: xdock mock llrp-reader "),
        (["mock", "sensor-node", "--help"], "usage: xdock mock sensor-node "),
        (["mock", "modbus-sensor", "--help"], "usage: xdock mock modbus-sensor "),
        (["broker-config", "--help"], "usage: xdock broker-config "),
    ],
)
def test_edge_side_commands_need_none_of_centrals_packages(argv: list[str], usage: str) -> None:
    result = xdock(argv, NOT_ON_AN_EDGE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(usage)
    assert result.stderr == ""


def test_broker_config_needs_not_even_the_edge_extra() -> None:
    result = xdock(["broker-config", "--help"], (*NOT_ON_AN_EDGE, "serial", "pymodbus"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: xdock broker-config ")


@pytest.mark.parametrize(
    ("argv", "absent", "line"),
    [
        (["central", "--site", "site.yaml"], NOT_ON_AN_EDGE,
         "xdock central: needs the central extra: pip install 'xdock[central]' (not installed: yaml, fastapi, "
         "uvicorn, numpy, ortools, influxdb_client, urllib3, swagger_ui_bundle)"),
        (["central", "--help"], ("fastapi",),
         "xdock central: needs the central extra: pip install 'xdock[central]' (not installed: fastapi)"),
        (["--log-level", "INFO", "demo", "--duration", "5"], ("amqtt",),
         "xdock demo: needs the demo extra: pip install 'xdock[demo]' (not installed: amqtt)"),
        (["demo"], ("pymodbus",),
         "xdock demo: needs the demo extra: pip install 'xdock[demo]' (not installed: pymodbus)"),
        (["optimise", "cdap", "instance.txt"], ("numba",),
         "xdock optimise: needs the cdap extra: pip install 'xdock[cdap]' (not installed: numba)"),
        (["edge", "--help"], ("serial",),
         "xdock edge: needs the edge extra: pip install 'xdock[edge]' (not installed: serial)"),
        (["mock", "modbus-sensor", "--link", "x"], ("pymodbus",),
         "xdock mock: needs the edge extra: pip install 'xdock[edge]' (not installed: pymodbus)"),
    ],
)
def test_a_command_without_its_extra_names_the_extra_to_install(
    argv: list[str], absent: tuple[str, ...], line: str
) -> None:
    result = xdock(argv, absent)
    assert result.returncode == 2
    assert result.stderr == line + "\n"
    assert result.stdout == ""


def test_help_lists_a_command_without_its_extra_with_the_advice() -> None:
    result = xdock(["--help"], NOT_ON_AN_EDGE)
    assert result.returncode == 0, result.stderr
    listing = " ".join(result.stdout.split())  # argparse wraps the help column
    assert "central (needs pip install 'xdock[central]')" in listing
    assert "demo (needs pip install 'xdock[demo]')" in listing
    assert "optimise (needs pip install 'xdock[cdap]')" in listing
    assert "edge run an edge agent" in listing


def test_every_command_has_its_extra_named() -> None:
    assert list(COMMAND_EXTRA) == list(_COMMANDS)

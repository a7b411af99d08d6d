"""Which extra of the ``xdock`` distribution each subcommand needs, and whether it is installed.

An edge gateway installs ``pip install 'xdock[edge]'``: the edge agent and the device mocks, without central's
web stack or the solvers. A subcommand whose extra is missing says which one to install, in one line, instead
of failing on an import deep inside. The check only looks modules up (no import), so it costs nothing.
"""

from __future__ import annotations

import importlib.util

__all__ = ["COMMAND_EXTRA", "EXTRA_MODULES", "missing_extra"]

_EDGE = ("serial", "pymodbus", "prometheus_client")
_CENTRAL = ("yaml", "fastapi", "uvicorn", "numpy", "ortools", "influxdb_client", "urllib3", "swagger_ui_bundle",
            "prometheus_client", "psycopg", "pydifact")

EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "edge": _EDGE,
    "central": _CENTRAL,
    "demo": (*_CENTRAL, *_EDGE, "amqtt", "simpy"),
    "cdap": ("numpy", "numba", "ortools"),
    "sim": (*_CENTRAL, "simpy", "matplotlib"),
    "tls": ("cryptography",),
}
"""Extra → the top-level modules its packages provide (pyproject.toml's ``[project.optional-dependencies]``)."""

COMMAND_EXTRA: dict[str, str | None] = {
    "central": "central", "edge": "edge", "broker-config": None, "demo": "demo", "mock": "edge",
    "optimise": "cdap", "simulate": "sim",
}
"""Subcommand → the extra it needs (None: the base install is enough; ``broker-config --tls`` checks the tls
extra itself)."""


def missing_extra(command: str) -> str | None:
    """The one line telling what to install for ``command`` when a module of its extra is missing, or None."""
    extra = COMMAND_EXTRA.get(command)
    if extra is None:
        return None
    absent = [name for name in EXTRA_MODULES[extra] if importlib.util.find_spec(name) is None]
    if not absent:
        return None
    return (f"xdock {command}: needs the {extra} extra: pip install 'xdock[{extra}]' "
            f"(not installed: {', '.join(absent)})")

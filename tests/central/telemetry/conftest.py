"""Fixtures for telemetry tests: a real VictoriaMetrics, stopped even when the test fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from victoria_server import VictoriaMetrics


@pytest.fixture
def victoria(tmp_path: Path) -> Iterator[VictoriaMetrics]:
    """VictoriaMetrics on a free loopback port with its storage in a temporary folder."""
    server = VictoriaMetrics(tmp_path / "vm-data")
    server.start()
    try:
        yield server
    finally:
        server.stop()

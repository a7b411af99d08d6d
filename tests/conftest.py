"""Fixtures shared by every test: real servers on free ports, and a guard against leftovers."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from support.postgres import fresh_database
from xdock.testing import Mosquitto

# Two shared cores make per-example timing meaningless: no deadlines, same examples every run in CI.
settings.register_profile("xdock", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("xdock"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "xdock")


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A real Mosquitto on a free loopback port, with persistence, stoppable and restartable."""
    broker = Mosquitto(tmp_path / "mosquitto", persistence=True)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_at(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a test opens central's store, once on each database: an SQLite file's path, then a fresh
    PostgreSQL database's URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    with fresh_database() as url:
        yield url


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """Fail a test that leaves threads running behind it."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    extra: list[threading.Thread] = []
    while time.monotonic() < deadline:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra:
            return
        time.sleep(0.05)
    pytest.fail(f"test left threads running: {[t.name for t in extra]}")

"""A leading central stopped by a store error: deposed (exit 75) when its lead is gone, failed when it still leads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from support.lyon_site import SITE, START
from xdock.central.app import Central, CentralConfig
from xdock.central.leading import CentralRun
from xdock.central.store.database import StoreError
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ScaledClock
from xdock.testing.postgres import fresh_database, terminate_connections


@pytest.fixture
def db() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def central_run(db: str, monkeypatch: pytest.MonkeyPatch, *, cut: bool) -> CentralRun:
    """Central ``central-a`` on ``db``, whose run fails at once with a store error (after its database
    connections were cut, with ``cut``), as a write on a cut connection does."""
    async def failing_run(central: Central, *, started: Callable[[], None] | None = None) -> None:
        assert started is None
        if cut:
            assert terminate_connections(db, "xdock-central central-a") == 2
        await central.aclose()
        raise StoreError("Cannot write store: terminating connection due to administrator command")

    monkeypatch.setattr(Central, "run", failing_run)
    config = CentralConfig(SITE, BrokerUrl.parse("mqtt://127.0.0.1:1"), db, central_id="central-a", api_port=None,
                           replan_interval=None)
    return CentralRun(config, ScaledClock(START))


async def test_store_error_after_the_lead_is_lost_is_a_lost_lead(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run = central_run(db, monkeypatch, cut=True)
    await run.run()
    assert run.failed is None
    assert run.lost is not None
    assert run.lost.startswith("central 'central-a' no longer leads the site: its connection to the store ended (")


async def test_store_error_while_still_leading_is_a_failure(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run = central_run(db, monkeypatch, cut=False)
    await run.run()
    assert (run.lost, run.failed) == (None, "Cannot write store: terminating connection due to administrator command")

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.mqtt_faults import session_failing_on_cancel
from support.sites import door, site_config
from xdock.central.ingest.mqtt_ingest import Ingest
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ManualClock

SITE = site_config(timezone="UTC", doors=[door("D1", 0, 0)], destinations=[], trailers=[])


async def test_an_mqtt_error_raised_while_stopping_is_not_retried(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 11, 23, tzinfo=UTC))
    store = Store(tmp_path / "c.db")
    site = LiveSite(SITE, store, clock)
    ingest = Ingest(site, BrokerUrl("127.0.0.1", 1), clock, refusals=UplinkRefusals(store, clock, SITE.site))
    session, sessions = session_failing_on_cancel("Operation timed out")

    ingest._session = session  # type: ignore[method-assign]
    task = asyncio.create_task(ingest.run())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(3):
            await task
    assert sessions == [1]
    store.close()

"""Central's API over a liveness tracker on a manual clock, in-process; shared by the edges and liveness API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx

from xdock.central.api.app import create_app
from xdock.central.edges.liveness import Liveness
from xdock.central.site.alerts import Alerts
from xdock.central.site.config import SiteConfig
from xdock.central.site.scans import ScanService
from xdock.central.site.state import SiteState
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock

__all__ = ["LivenessApi", "liveness_api"]

LivenessApi = tuple[httpx.AsyncClient, Liveness, ManualClock]
"""An HTTP client on the API, the liveness tracker behind it, and the clock both read."""


@asynccontextmanager
async def liveness_api(db: Path, site: SiteConfig, start: datetime) -> AsyncIterator[LivenessApi]:
    """The API of ``site`` over a new store ``db``, its liveness and clock starting at ``start``."""
    clock = ManualClock(start)
    service = ScanService(SiteState(site, start.date()), Store(db), clock)
    live = Liveness(site.site, clock, Alerts(service.store))
    transport = httpx.ASGITransport(app=create_app(service, liveness=live))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://central") as http:
            yield http, live, clock
    finally:
        service.store.close()

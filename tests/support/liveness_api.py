"""Central's API over a liveness tracker on a manual clock, in-process; shared by the edges and liveness API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx

from support.central_rig import api_client, built_central
from xdock.central.edges.liveness import Liveness
from xdock.central.site_file.config import SiteConfig
from xdock.protocol.clock import ManualClock

__all__ = ["LivenessApi", "liveness_api"]

LivenessApi = tuple[httpx.AsyncClient, Liveness, ManualClock]
"""An HTTP client on the API, the liveness tracker behind it, and the clock both read."""


@asynccontextmanager
async def liveness_api(db: Path, site: SiteConfig, start: datetime) -> AsyncIterator[LivenessApi]:
    """The API of ``site`` over a new store ``db``, its liveness and clock starting at ``start``."""
    clock = ManualClock(start)
    central = built_central(site, db, clock)
    try:
        async with api_client(central) as http:
            yield http, central.liveness, clock
    finally:
        await central.aclose()

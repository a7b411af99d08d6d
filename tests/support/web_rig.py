"""Central over a small site, and its API (with the screens' routes) in-process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from support.central_rig import api_client, built_central
from support.sites import NICE, outbound, site_config, staging
from xdock.central.app import Central
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub
from xdock.protocol.clock import ManualClock

SITE = site_config(
    more_doors=[outbound("D13", 20, 30)], areas=[staging()], more_destinations=[NICE]
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SSCC = "376130321109103420"


@pytest.fixture
async def central(tmp_path: Path) -> AsyncIterator[Central]:
    """Central over the small site, built as ``xdock central`` builds it, never run (see :mod:`support.central_rig`)."""
    built = built_central(SITE, tmp_path / "c.db", ManualClock(START))
    yield built
    await built.aclose()


@pytest.fixture
def site(central: Central) -> LiveSite:
    """The site core of :func:`central`."""
    return central.site


@pytest.fixture
def hub(central: Central) -> LiveHub:
    """The live hub of :func:`central` (ticks every 0.05 s)."""
    return central.live


@pytest.fixture
async def http(central: Central) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(central) as client:
        yield client


async def connect_live(url: str) -> ClientConnection:
    """A WebSocket to ``url``, retried while the server is still starting (5 s at most)."""
    async with asyncio.timeout(5):
        while True:
            try:
                return await connect(url)
            except OSError:
                await asyncio.sleep(0.02)


async def next_message(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """The next live message of ``kind`` (frames may hold one message or a list), within 5 s."""
    async with asyncio.timeout(5):
        while True:
            data = json.loads(await ws.recv())
            for message in data if isinstance(data, list) else [data]:
                if message["type"] == kind:
                    return dict(message)

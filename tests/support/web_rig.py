"""A scan service over a small site, and its API (with the screens' routes) in-process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from xdock.central.api.app import create_app
from xdock.central.site.config import parse_site
from xdock.central.site.scans import ScanService
from xdock.central.site.state import SiteState
from xdock.central.store.database import Store
from xdock.central.web import LiveHub
from xdock.protocol.clock import ManualClock

SITE = parse_site("""
site: t
timezone: Europe/Paris
doors:
  - {id: D1, role: inbound, x: 0, y: 0}
  - {id: D12, role: outbound, x: 10, y: 30}
  - {id: D13, role: outbound, x: 20, y: 30}
areas:
  - {id: S1, kind: staging, x: 5, y: 15}
destinations:
  - {id: LYON, name: Lyon, postal_codes: ["69*"]}
  - {id: NICE, name: Nice, postal_codes: ["06*"]}
trailers:
  - {id: T-LYON-1, door: D12, destination: LYON, capacity_pallets: 33, departure: "16:40"}
""")
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SSCC = "376130321109103420"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ScanService]:
    svc = ScanService(SiteState(SITE, START.date()), Store(tmp_path / "c.db"), ManualClock(START))
    yield svc
    svc.store.close()


@pytest.fixture
def hub(service: ScanService) -> LiveHub:
    return LiveHub(service, tick_s=0.05)


@pytest.fixture
async def http(service: ScanService, hub: LiveHub) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(service, hub=hub))
    async with httpx.AsyncClient(transport=transport, base_url="http://central") as client:
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

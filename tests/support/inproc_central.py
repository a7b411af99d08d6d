"""Central running in the test's event loop, its API reached in process (no HTTP port)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from xdock.central.app import Central, CentralConfig
from xdock.protocol.clock import Clock


@contextlib.asynccontextmanager
async def running_central(config: CentralConfig, clock: Clock) -> AsyncIterator[tuple[Central, httpx.AsyncClient]]:
    """Run central until the block ends; yield it once it has told it started and its ingest is subscribed, with
    a client for its API."""
    central = Central(config, clock)
    started = asyncio.Event()
    task = asyncio.create_task(central.run(started=started.set))
    try:
        async with asyncio.timeout(60):  # a bound, not a pace: the web stack's import is slow on a busy machine
            await started.wait()
            await central.ingest.connected.wait()
        transport = httpx.ASGITransport(app=central.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://central") as http:
            yield central, http
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def get_json(http: httpx.AsyncClient, path: str) -> Any:
    """GET ``path``; it must answer 200."""
    response = await http.get(path)
    assert response.status_code == 200, response.text
    return response.json()

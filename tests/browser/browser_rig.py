"""Central in-process with its API on a free port, and Debian's Chromium driven by Playwright (fixtures)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, async_playwright, expect

from support import scans
from support.central_rig import built_central
from xdock.central.api.http_server import serve_http
from xdock.central.edges.liveness import Liveness
from xdock.central.site.live_site import LiveSite
from xdock.central.site.scans import Applied
from xdock.central.site_file.config import SiteConfig, load_site
from xdock.central.store.database import Store
from xdock.central.telemetry import LocalTelemetry
from xdock.central.web import LiveHub
from xdock.protocol.clock import ManualClock

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()

# Every expect() polls its condition and returns as soon as it holds; the deadline only bounds a failure,
# so it is set for a busy machine (a cold Chromium and the first live snapshot can take seconds there).
expect.set_options(timeout=20_000)
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class Served:
    site: LiveSite
    store: Store
    hub: LiveHub
    clock: ManualClock
    url: str
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def scan(self, serial: int, postal: str, door: str = "D1", weight_kg: float | None = 420.0) -> Applied:
        sscc = scans.sscc(serial, "37613032")
        return self.scan_pallet(sscc, postal, door=door, weight_kg=weight_kg)

    def scan_pallet(self, sscc: str, postal: str | None, door: str = "D1", weight_kg: float | None = 420.0) -> Applied:
        """Pallet ``sscc`` scanned at ``door`` now (``postal=None``: its label has no ship-to)."""
        return self.site.apply_scan(scans.scan(next(self.seq), edge="edge-d1", door=door, at=self.clock.now(),
                                               sscc=sscc, postal=postal, weight_kg=weight_kg, raw=f"(00){sscc}"))


async def _answers(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url)).status_code == 200
    except httpx.TransportError:
        return False


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """``app`` on a free loopback port for the block: its base URL once it answers /healthz, stopped after."""
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve_http(app, "127.0.0.1", 0, on_bound=bound.set_result))
    try:
        url = f"http://127.0.0.1:{await bound}"
        async with httpx.AsyncClient() as http:
            deadline = asyncio.get_running_loop().time() + 5
            while not await _answers(http, url + "/healthz"):
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"central's API at {url} did not answer within 5 s")
                await asyncio.sleep(0.02)
        yield url
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


@contextlib.asynccontextmanager
async def serving_site(
    tmp_path: Path, site: SiteConfig, *, label_printer: tuple[str, int] | None = None,
) -> AsyncIterator[Served]:
    """``site`` served on a free port at 07:00 on 2026-11-23 by central as ``xdock central`` builds it
    (``label_printer``: the networked label printer's host and port, as ``--label-printer`` gives it)."""
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=site.zone))
    central = built_central(site, tmp_path / "central.db", clock, live_tick_s=0.2, label_printer=label_printer)
    try:
        async with serving(central.app) as url:
            yield Served(central.site, central.store, central.live, clock, url)
    finally:
        await central.aclose()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    async with serving_site(tmp_path, load_site(ROOT / "deploy" / "site.sample.yaml")) as rig:
        yield rig


@dataclass
class TelemetryFloor:
    """A site served with liveness, sensors and the local telemetry ring wired as Central wires them."""

    site: SiteConfig
    clock: ManualClock
    ring: LocalTelemetry
    live: LiveSite
    """The site core: it takes the sensors' readings."""
    liveness: Liveness
    url: str


@contextlib.asynccontextmanager
async def telemetry_floor(tmp_path: Path, site: SiteConfig) -> AsyncIterator[TelemetryFloor]:
    """``site`` served on a free port with the telemetry and sensors API (for the panels that poll it)."""
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=site.zone))
    central = built_central(site, tmp_path / "central.db", clock, live_tick_s=0.2)
    try:
        async with serving(central.app) as url:
            yield TelemetryFloor(site, clock, central.telemetry.recent, central.site, central.liveness, url)
    finally:
        await central.aclose()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()

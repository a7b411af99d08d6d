"""A small site with users of every role, shared by the access-control and override tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI

from support.central_rig import built_central
from support.scans import scan as scan_event
from support.sites import destination, outbound, site_config, staging, trailer
from xdock.central.alerts.book import Alerts
from xdock.central.api.auth import UserAdmin
from xdock.central.app import Central
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock

__all__ = ["PALLET_A", "PALLET_B", "SITE", "START", "Floor", "open_floor", "scan"]


SITE = site_config(
    gln="3761303200005", gs1_company_prefix_length=7,
    more_doors=[outbound("D14", 30, 30), outbound("D15", 40, 30)],
    areas=[staging(y=5)],
    more_destinations=[destination("PARIS", ["75*"])],
    trailers=[trailer(capacity=1), trailer("T-LYON-2", "D14", departure="18:00")],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PALLET_A = "376130321109103420"
PALLET_B = "376130321109103437"


def scan(site: LiveSite, seq: int, sscc: str, postal: str) -> None:
    site.apply_scan(scan_event(seq, sscc=sscc, postal=postal, at=START))


@dataclass
class Floor:
    """Central over the site, an HTTP client on its API, and a token per role."""

    central: Central
    app: FastAPI
    http: httpx.AsyncClient
    tokens: dict[str, str]

    @property
    def site(self) -> LiveSite:
        return self.central.site

    @property
    def store(self) -> Store:
        return self.central.store

    @property
    def alerts(self) -> Alerts:
        return self.central.site.alerts

    def as_(self, user: str) -> dict[str, str]:
        """Headers presenting ``user``'s token."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    async def close(self) -> None:
        await self.http.aclose()
        await self.central.aclose()


def open_floor(db: Path, *, auth: bool | None = True) -> Floor:
    """Central's API over ``db``; with ``auth``: users wanda (worker), sam (supervisor), ada (admin).

    Pallets A and B for Lyon are scanned when the store is new.
    """
    central = built_central(SITE, db, ManualClock(START), auth=auth)
    store, site = central.store, central.site
    tokens: dict[str, str] = {}
    if auth and not store.has_users():
        users = UserAdmin(store)
        for name, role in (("wanda", "worker"), ("sam", "supervisor"), ("ada", "admin")):
            users.add(name, role, START, by="setup")
            tokens[name] = users.issue(name, START, by="setup")
    if not site.state.pallets:
        scan(site, 1, PALLET_A, "69001")
        scan(site, 2, PALLET_B, "69002")
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=central.app), base_url="http://central")
    return Floor(central, central.app, http, tokens)

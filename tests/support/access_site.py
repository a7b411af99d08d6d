"""A small site with users of every role, shared by the access-control and override tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI

from xdock.central.api.access import Access
from xdock.central.api.app import create_app
from xdock.central.api.auth import UserAdmin
from xdock.central.edges.liveness import Liveness
from xdock.central.site.alerts import Alerts
from xdock.central.site.config import parse_site
from xdock.central.site.overrides import Overrides
from xdock.central.site.scans import ScanService
from xdock.central.site.state import SiteState
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import ScanEvent, ShipToModel

__all__ = ["PALLET_A", "PALLET_B", "SITE", "START", "Floor", "open_floor", "scan"]


SITE = parse_site("""
site: t
timezone: Europe/Paris
doors:
  - {id: D1, role: inbound, x: 0, y: 0}
  - {id: D12, role: outbound, x: 10, y: 30}
  - {id: D14, role: outbound, x: 30, y: 30}
  - {id: D15, role: outbound, x: 40, y: 30}
areas:
  - {id: S1, kind: staging, x: 5, y: 5}
destinations:
  - {id: LYON, name: Lyon, postal_codes: ["69*"]}
  - {id: PARIS, name: Paris, postal_codes: ["75*"]}
trailers:
  - {id: T-LYON-1, door: D12, destination: LYON, capacity_pallets: 1, departure: "16:40"}
  - {id: T-LYON-2, door: D14, destination: LYON, capacity_pallets: 33, departure: "18:00"}
""")
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PALLET_A = "376130321109103420"
PALLET_B = "376130321109103437"


def scan(service: ScanService, seq: int, sscc: str, postal: str) -> None:
    service.apply(ScanEvent(
        edge_id="e1", seq=seq, device_id="s1", door="D1", scanned_at=START, sscc=sscc,
        ship_to=ShipToModel(kind="postal", value=postal), raw="x",
    ))


@dataclass
class Floor:
    """The site's parts, an HTTP client on its API, and a token per role."""

    service: ScanService
    alerts: Alerts
    overrides: Overrides
    app: FastAPI
    http: httpx.AsyncClient
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        """Headers presenting ``user``'s token."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def open_floor(db: Path, *, auth: bool | None = True) -> Floor:
    """Central's API over ``db``; with ``auth``: users wanda (worker), sam (supervisor), ada (admin).

    Pallets A and B for Lyon are scanned when the store is new.
    """
    clock = ManualClock(START)
    store = Store(db)
    service = ScanService(SiteState(SITE, START.date()), store, clock)
    tokens: dict[str, str] = {}
    if auth and not store.has_users():
        users = UserAdmin(store)
        for name, role in (("wanda", "worker"), ("sam", "supervisor"), ("ada", "admin")):
            users.add(name, role, START, by="setup")
            tokens[name] = users.issue(name, START, by="setup")
    if not service.state.pallets:
        scan(service, 1, PALLET_A, "69001")
        scan(service, 2, PALLET_B, "69002")
    alerts = Alerts(store)
    overrides = Overrides(service)
    access = Access(store, auth, clock=clock)
    app = create_app(service, liveness=Liveness("t", clock, alerts), overrides=overrides, access=access)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://central")
    return Floor(service, alerts, overrides, app, http, tokens)

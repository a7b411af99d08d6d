"""Central's REST read API (FastAPI): the site, its doors and trailers, pallets, the event log,
edges with their devices, and alerts; with the outbound trailers (:mod:`xdock.central.api.trailers`), the
supervisor's overrides, the admin's routes, the
edges' JSON and the scan and uplink totals (:mod:`xdock.central.api.overrides`,
:mod:`xdock.central.api.admin`, :mod:`xdock.central.api.edges`, :mod:`xdock.central.api.stats`).

Access control (:mod:`xdock.central.api.access`): when on, every ``/api/v1`` route needs a bearer
token, reads any role; ``/healthz``, ``/docs`` and ``/openapi.json`` stay open. It is on when the
store holds a user (or forced by ``auth=True``); the demo and a fresh site run with it off. A body
is read only from a signed-in caller, and only up to a limit (:mod:`xdock.central.api.body_gate`).
Every error is problem+json (:mod:`xdock.central.api.problems`), and documented per operation in
the OpenAPI schema (:mod:`xdock.central.api.schema`).

Served under ``/api/v1``; the OpenAPI schema is at ``/openapi.json`` and browsable at ``/docs``.
Every handler is ``async`` and runs on central's event loop, next to ingestion, so it reads the
same live state without locks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel

from xdock import __version__
from xdock.central.alerts.book import alert_state
from xdock.central.api.access import Access
from xdock.central.api.admin import admin_router
from xdock.central.api.asns import asns_router
from xdock.central.api.body_gate import DEFAULT_MAX_BODY_BYTES, BodyGate
from xdock.central.api.docs import docs_router
from xdock.central.api.edges import edges_router
from xdock.central.api.events import events_router
from xdock.central.api.inbound import inbound_router
from xdock.central.api.overrides import overrides_router
from xdock.central.api.pallets import PalletOut, PalletQuery, pallet_out
from xdock.central.api.problems import PROBLEM_JSON, Problem, install_problem_handlers
from xdock.central.api.schema import CentralApi
from xdock.central.api.stats import stats_router
from xdock.central.api.trailers import trailers_router
from xdock.central.edges.liveness import Liveness
from xdock.central.ingest.mqtt_ingest import IngestStats
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store

__all__ = ["create_app"]


class SiteOut(BaseModel):
    site: str
    timezone: str
    day: date
    doors: int
    trailers: int
    pallets: int


class DoorOut(BaseModel):
    id: str
    role: Literal["inbound", "outbound", "both"]
    x: float
    y: float
    trailers: list[str]


class AlertOut(BaseModel):
    id: int
    kind: str
    subject: str
    raised_at: datetime
    cleared_at: datetime | None
    message: str
    state: Literal["raised", "acknowledged", "cleared"] = "raised"
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


def create_app(
    live_site: LiveSite, store: Store, *, liveness: Liveness, uplinks: IngestStats, refusals: UplinkRefusals,
    access: Access, edge_seen: Callable[[str, str], None] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """The API over one site's live state, its edges' ``liveness`` and the event log in ``store``.

    ``access``: who may call what; ``edge_seen``: told of each edge an admin registers; ``uplinks``,
    ``refusals``: ingest's counters and refusals; ``max_body_bytes``: the largest request body read
    (a larger one is answered 413 unread, see :mod:`xdock.central.api.body_gate`).
    """
    openapi_url = "/openapi.json"
    app = CentralApi(
        openapi_url=openapi_url, title="xdock central", version=__version__,
        description="Live state of a cross-dock site: doors, outbound trailers, pallets and the event log.",
        docs_url=None, redoc_url=None,
    )
    state = live_site.state
    loads = live_site.loads
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(access.require("worker"))])
    install_problem_handlers(app)
    app.add_middleware(BodyGate, access=access, max_body_bytes=max_body_bytes)

    @router.get("/site", summary="The site and its size")
    async def site() -> SiteOut:
        return SiteOut(
            site=state.config.site, timezone=state.config.timezone, day=state.day, doors=len(state.doors),
            trailers=len(state.trailers), pallets=len(state.pallets),
        )

    @router.get("/doors", summary="Doors with their floor-plan position and the trailers loading there")
    async def doors() -> list[DoorOut]:
        return [
            DoorOut(
                id=d.id, role=d.role, x=d.x, y=d.y,
                trailers=[t.plan.id for t in state.trailers.values() if t.plan.door == d.id],
            )
            for d in state.doors.values()
        ]

    @router.get("/pallets", summary="Pallets seen today, with their state and assigned door")
    async def pallets(query: Annotated[PalletQuery, Depends()]) -> list[PalletOut]:
        return [pallet_out(p, loads) for p in query.page(state.pallets.values())]

    @router.get(
        "/pallets/{sscc}", summary="One pallet by SSCC",
        responses={404: {"model": Problem, "content": {PROBLEM_JSON: {}}}},
    )
    async def pallet(sscc: str) -> PalletOut:
        row = state.pallets.get(sscc)
        if row is None:
            raise HTTPException(404, f"No pallet with SSCC {sscc!r} has been scanned at {state.config.site}")
        return pallet_out(row, loads)

    @router.get("/alerts", summary="Alerts, newest first: all, open only (open=true) or cleared only (open=false)")
    async def alerts(
        open_: Annotated[bool | None, Query(alias="open")] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    ) -> list[AlertOut]:
        return [
            AlertOut(**a.__dict__, state=alert_state(a)) for a in live_site.alerts.listed(open_only=open_, limit=limit)
        ]

    @app.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(router)
    app.include_router(events_router(store, access))
    app.include_router(stats_router(live_site, store, access, uplinks=uplinks, refusals=refusals))
    app.include_router(docs_router(openapi_url, app.title))
    app.include_router(edges_router(liveness, access))
    app.include_router(overrides_router(live_site, access))
    app.include_router(admin_router(
        store, live_site.clock, access, inbound_doors=[d.id for d in state.doors.values() if d.receives],
        edge_seen=edge_seen,
    ))
    app.include_router(inbound_router(live_site, access))
    app.include_router(asns_router(live_site, access))
    app.include_router(trailers_router(live_site, access))
    return app


"""The API of a central standing by: reads from the shared store, writes refused naming the leader.

A standby has no live site in memory (it builds one when it takes over), so it answers what the
store holds: ``/api/v1/leadership``, ``/api/v1/pallets`` (without ``confirmed_by``, which the
leader's load book derives), ``/api/v1/events``, ``/api/v1/alerts``, ``/healthz`` and ``/metrics``
(``xdock_leader`` 0). Any other request is answered ``503`` problem+json naming the leader, its
epoch and its API (``Location`` too when the leader advertised one) with ``Retry-After``: a client
sends its write there, or tries again here after a takeover. A browser asking for a page (``Accept:
text/html``) is redirected to the leader's (307) instead, so a supervisor's bookmark of either central
opens the dashboard. Access control is the leader's: the
same users and tokens, from the same store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from starlette.middleware.base import RequestResponseEndpoint
from starlette.responses import JSONResponse, RedirectResponse, Response

from xdock.central.alerts.book import alert_state
from xdock.central.api.access import Access
from xdock.central.api.app import AlertOut
from xdock.central.api.events import events_router
from xdock.central.api.leadership import LeadershipOut, leadership_router
from xdock.central.api.pallets import PalletOut, PalletQuery
from xdock.central.api.problems import PROBLEM_JSON, install_problem_handlers
from xdock.central.store.database import Store
from xdock.observability.exposition import gauge, registry_of

__all__ = ["standby_app"]

_RETRY_AFTER_S = 1


def standby_app(store: Store, access: Access, current: Callable[[], LeadershipOut], *, site: str) -> FastAPI:
    """The standby's API over ``store``; ``current`` tells the leadership now."""
    app = FastAPI(title="xdock central (standby)", docs_url=None, redoc_url=None, openapi_url=None)
    install_problem_handlers(app)
    app.include_router(leadership_router(current, access))
    app.include_router(_reads(store, access))
    app.include_router(events_router(store, access))
    registry = _registry(current, site)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "standby"}

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(registry), headers={"Content-Type": content_type})

    @app.middleware("http")
    async def not_here(request: Request, call_next: RequestResponseEndpoint) -> Response:
        if _served(request):
            return await call_next(request)
        return _refused(current(), request)

    return app


def _served(request: Request) -> bool:
    """Whether the standby answers ``request`` itself (a read it serves)."""
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.url.path
    return path in ("/healthz", "/metrics") or path in {
        "/api/v1/leadership", "/api/v1/pallets", "/api/v1/events", "/api/v1/alerts",
    }


def _refused(now: LeadershipOut, request: Request) -> Response:
    leader = f"central {now.leader!r} leads the site (epoch {now.epoch})" if now.leader else "no central leads yet"
    where = f"; send it to {now.leader_api}" if now.leader_api else ""
    kind = "read" if request.method in ("GET", "HEAD") else "write"
    detail = f"this central ({now.central}) stands by and does not serve this {kind}: {leader}{where}"
    headers = {"Retry-After": str(_RETRY_AFTER_S)}
    if now.leader_api:
        headers["Location"] = now.leader_api.rstrip("/") + request.url.path + (
            f"?{request.url.query}" if request.url.query else "")
        if kind == "read" and "text/html" in request.headers.get("accept", ""):  # a browser: the leader's page
            return RedirectResponse(headers["Location"], status_code=307)
    body = {
        "type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": detail,
        "leader": now.leader, "epoch": now.epoch, "leader_api": now.leader_api,
    }
    return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON, headers=headers)


def _reads(store: Store, access: Access) -> APIRouter:
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(access.require("worker"))])

    @router.get("/pallets")
    async def pallets(query: Annotated[PalletQuery, Depends()]) -> list[PalletOut]:
        return [
            PalletOut(sscc=r.sscc, state=r.state, destination=r.destination, ship_to=r.ship_to, trailer=r.trailer,
                      door=r.door, inbound_door=r.inbound_door, first_seen=r.first_seen, updated_at=r.updated_at,
                      scans=r.scans, confirmed_by=None)
            for r in query.page(store.pallets())
        ]

    @router.get("/alerts")
    async def alerts(
        open_: Annotated[bool | None, Query(alias="open")] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    ) -> list[AlertOut]:
        return [AlertOut(**a.__dict__, state=alert_state(a)) for a in store.alerts(open_only=open_, limit=limit)]

    return router


def _registry(current: Callable[[], LeadershipOut], site: str) -> CollectorRegistry:
    labels = {"site": site}

    def families() -> Iterator[Metric]:
        now = current()
        yield gauge("xdock_leader", "1 while this central leads its site.", labels, float(now.role == "leader"))
        yield gauge("xdock_leader_epoch", "The epoch of the site's leader, as this central last saw it.", labels,
                    float(now.epoch))

    return registry_of(families)

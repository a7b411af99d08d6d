"""Central's front: what faces people (the HTTP API and dashboard, their access control, the live hub
and the KPI telemetry it feeds), built beside the answer path.

The front carries the web stack (FastAPI, uvicorn, the API's models): most of what central imports.
:class:`~xdock.central.app.Central` loads this module only once its scan ingest runs, on a worker
thread, so a restarted central answers scans while its API is still being put together.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, FastAPI

from xdock.central.api.access import Access
from xdock.central.api.app import create_app
from xdock.central.api.breakdown import breakdown_router
from xdock.central.api.dispatch_advice import dispatch_advice_router
from xdock.central.api.epcis import epcis_router
from xdock.central.api.http_server import serve_http
from xdock.central.api.leadership import LeadershipOut, leadership_router
from xdock.central.api.limits import DEFAULT_MAX_BODY_BYTES
from xdock.central.api.metrics import CentralMetrics, metrics_router
from xdock.central.api.telemetry import telemetry_router
from xdock.central.api.uplinks import refused_router
from xdock.central.api.webhooks import webhooks_router
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.edges.liveness import Liveness
from xdock.central.ingest.mqtt_ingest import Ingest
from xdock.central.partners.dispatch_advice import DispatchAdvices
from xdock.central.partners.epcis_log import EpcisLog
from xdock.central.partners.label_printing import LabelPrinter
from xdock.central.partners.webhooks import Webhooks
from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.site.kpi_telemetry import KpiReporter
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.telemetry.sink import TelemetryTee
from xdock.central.web import LiveHub, web_router
from xdock.central.web.views import kpis_now
from xdock.protocol.clock import Clock

__all__ = ["Front", "open_front"]


@dataclass(frozen=True)
class Front:
    """The API app and what it stands on."""

    app: FastAPI
    live: LiveHub
    access: Access
    kpi_telemetry: KpiReporter
    metrics: CentralMetrics

    async def serve(self, sock: socket.socket, *, on_bound: Callable[[int], None]) -> None:
        """Serve the API over HTTP on ``sock`` (bound by :func:`~xdock.central.api.listen_socket.bind_api`) until
        cancelled; its port is told to ``on_bound``."""
        host, port = sock.getsockname()[:2]
        await serve_http(self.app, host, port, on_bound=on_bound, sock=sock)


def open_front(
    site: LiveSite, store: Store, clock: Clock, *, liveness: Liveness, ingest: Ingest, routes: RoutesPublisher,
    telemetry: TelemetryTee, auth: bool | None, kpi_interval_s: float, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    live_tick_s: float = 1.0, planning: PlanningLoop | None = None,
    leadership: Callable[[], LeadershipOut] | None = None, webhooks: Webhooks | None = None,
    epcis: EpcisLog | None = None, advices: DispatchAdvices | None = None, printer: LabelPrinter | None = None,
) -> Front:
    """Build the front over central's answer path (``auth``, ``live_tick_s``: as in
    :class:`~xdock.central.app.CentralConfig`; ``planning``: the re-plan loop, when re-plans run)."""
    live = LiveHub(site, tick_s=live_tick_s)
    access = Access(store, auth, clock=clock)
    app = create_app(
        site, store, liveness=liveness, uplinks=ingest.stats, refusals=ingest.refusals, access=access,
        edge_seen=routes.edge_seen, max_body_bytes=max_body_bytes,
    )
    app.include_router(web_router(live, access, api_dependencies=[Depends(access.require("worker"))]))
    app.include_router(telemetry_router(telemetry.recent, site, access, liveness))
    app.include_router(refused_router(ingest.refusals, access))
    if leadership is not None:
        app.include_router(leadership_router(leadership, access))
    if webhooks is not None:
        app.include_router(webhooks_router(webhooks, access))
    app.include_router(epcis_router(epcis, clock, access))
    if advices is not None:
        app.include_router(dispatch_advice_router(advices, site, access))
    app.include_router(breakdown_router(site, access, printer))
    metrics = CentralMetrics(site, ingest=ingest, liveness=liveness, planning=planning,
                             epoch=None if leadership is None else lambda: leadership().epoch)
    app.include_router(metrics_router(metrics))
    kpis = KpiReporter(
        site.config.site,
        lambda: kpis_now(site.state, site.loads, clock.now(), live.departures.refresh(),
                         left_behind=live.departures.left_behind(), trucks=site.inbound_trucks()),
        telemetry, clock, interval_s=kpi_interval_s,
    )
    return Front(app, live, access, kpis, metrics)

"""The composition root of ``xdock central``: config in, running ingest and API out.

Central comes up answer path first. Constructing :class:`Central` builds what answers a scan (the
store, the live site, the scan service, liveness, the routes publisher and the MQTT ingest) and
nothing of the web stack; :meth:`Central.run` starts the ingest, then loads the front (the API and
dashboard, the live hub, KPI telemetry: :mod:`xdock.central.front`, most of what central imports)
on a worker thread while the ingest connects and answers, and serves the API once it is built. A
central restarted after a crash answers scans again well before its API is up.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from xdock.central.api.listen_socket import bind_api
from xdock.central.config import CentralConfig
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.edges.device_telemetry import DeviceTelemetry
from xdock.central.edges.liveness import Liveness
from xdock.central.edges.registry import registered_edges
from xdock.central.ingest.mqtt_ingest import Ingest
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.partners.asn_folder import AsnFolder
from xdock.central.partners.dispatch_advice import DispatchAdvices
from xdock.central.partners.epcis_log import EpcisLog, site_identity
from xdock.central.partners.http_post import UrllibPoster
from xdock.central.partners.label_printing import LabelPrinter
from xdock.central.partners.webhooks import Webhooks
from xdock.central.planning.planning_loop import PlanningLoop
from xdock.central.planning.replanner import Replanner
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.store.leadership import Leadership
from xdock.central.telemetry import open_sink
from xdock.protocol.clock import Clock

if TYPE_CHECKING:
    from fastapi import FastAPI

    from xdock.central.api.access import Access
    from xdock.central.api.leadership import LeadershipOut
    from xdock.central.front import Front
    from xdock.central.site.kpi_telemetry import KpiReporter
    from xdock.central.web import LiveHub

__all__ = ["Central", "CentralConfig", "LeadershipLostError"]

log = logging.getLogger(__name__)

_FRONT = "xdock.central.front"


class LeadershipLostError(RuntimeError):
    """Another central leads the site now; this one stops (started again, it stands by)."""


class Central:
    """One site's central: store, live state, scan service, MQTT ingest and API."""

    def __init__(
        self, config: CentralConfig, clock: Clock, *, api_socket: socket.socket | None = None,
        leadership: Leadership | None = None,
    ) -> None:
        """Bind the API's address first (:class:`~xdock.central.api.listen_socket.ApiAddressError` if taken)
        unless ``api_socket`` is bound already, then open. ``leadership``: the lead this central took among
        the centrals sharing its PostgreSQL store (its writes are fenced by its epoch); ``None``: the one
        central of its store."""
        if api_socket is None and config.api_port is not None:
            api_socket = bind_api(config.api_host, config.api_port)
        self._api_socket = api_socket
        self.leadership = leadership
        try:
            self._open(config, clock)
        except BaseException:
            if self._api_socket is not None:
                self._api_socket.close()
            raise

    @property
    def central_id(self) -> str:
        return self.config.central_id or socket.gethostname()

    def _open(self, config: CentralConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.store = Store(config.db, application=f"xdock-central {self.central_id}", password=config.db_password)
        if self.leadership is not None and self.leadership.epoch is not None:
            self.store.lead(self.leadership.epoch)
        self.telemetry = open_sink(config.telemetry)  # a configured writer starts its thread here
        try:
            self._wire(config, clock)
        except BaseException:
            self.telemetry.close()
            self.store.close()
            raise

    def _wire(self, config: CentralConfig, clock: Clock) -> None:
        site = self.site = LiveSite(config.site, self.store, clock, telemetry=self.telemetry)
        liveness = self.liveness = Liveness(config.site.site, clock, site.alerts)
        self.routes = RoutesPublisher(
            site, self.store, clock, edges={**registered_edges(self.store), **config.edges},
            edges_from=lambda: ((e.id, e.door) for e in liveness.edges.values()),
            connected=lambda edge_id: self.routes.on_air and liveness.heard(edge_id),
        )
        if self.leadership is not None and self.leadership.epoch is not None:
            self.routes.leader = (self.central_id, self.leadership.epoch)
        self.refusals = UplinkRefusals(self.store, clock, config.site.site, telemetry=self.telemetry)
        self.ingest = Ingest(
            site, config.broker, clock, refusals=self.refusals, client_id=config.client_id, liveness=liveness,
            link=config.broker_link, will=self.routes.will(), around_session=self.routes.session,
            device_telemetry=DeviceTelemetry(config.site.site, self.telemetry, clock),
        )
        tail = site.loads.tail  # the log's one reader (the load book's, the dashboard's): read once at start
        identity = site_identity(config.site)
        self.epcis = None if identity is None else EpcisLog(tail, config.site.site, identity, site.announced_pallet,
                                                             zone=config.site.zone)
        self.advices = DispatchAdvices(tail, config.site, announced=site.announced_pallet,
                                       pallet=site.state.pallets.get)
        self.poster = UrllibPoster()
        self.webhooks = Webhooks(self.store, clock, config.site.site, site.alerts, self.poster, tail=tail,
                                 epcis=self.epcis, advices=self.advices, stamp=time.time)
        self.webhooks.capture_to(config.epcis_capture_url)
        self.replanner = Replanner(time_limit=config.replan_budget)
        self.planning = (
            PlanningLoop(site, self.replanner, clock, interval=config.replan_interval)
            if config.replan_interval is not None else None
        )
        self.api_port: int | None = None
        self.api_ready = asyncio.Event()
        self._front: Front | None = None

    @property
    def listening_port(self) -> int | None:
        """The port the API's socket is bound to (the free port picked for ``api_port=0``); ``None`` without API."""
        return None if self._api_socket is None else int(self._api_socket.getsockname()[1])

    # -- the front (API, live hub, KPI telemetry), built on first use --------------------------------

    def front(self) -> Front:
        """The API and what it stands on; built (and the web stack imported) on the first call."""
        if self._front is None:
            from xdock.central.front import open_front  # noqa: PLC0415  (the web stack, loaded when first needed)

            config = self.config
            self._front = open_front(
                self.site, self.store, self.clock, liveness=self.liveness, ingest=self.ingest, routes=self.routes,
                telemetry=self.telemetry, auth=config.auth, kpi_interval_s=config.kpi_telemetry_interval,
                max_body_bytes=config.max_body_bytes, live_tick_s=config.live_tick_s, planning=self.planning,
                leadership=self.leadership_now, webhooks=self.webhooks, epcis=self.epcis, advices=self.advices,
                printer=None if config.label_printer is None else LabelPrinter(*config.label_printer),
            )
        return self._front

    @property
    def app(self) -> FastAPI:
        return self.front().app

    @property
    def live(self) -> LiveHub:
        return self.front().live

    @property
    def access(self) -> Access:
        return self.front().access

    @property
    def kpi_telemetry(self) -> KpiReporter:
        return self.front().kpi_telemetry

    def leadership_now(self) -> LeadershipOut:
        """This central's answer to ``GET /api/v1/leadership`` (it leads: a Central runs only while it does)."""
        from xdock.central.api.leadership import LeadershipOut  # noqa: PLC0415  (the web stack: with the front)

        lead = self.leadership
        if lead is None:
            return LeadershipOut(role="leader", central=self.central_id, leader=self.central_id, epoch=0,
                                 since=None, leader_api=None)
        return LeadershipOut(role="leader", central=self.central_id, leader=self.central_id, epoch=lead.epoch or 0,
                             since=lead.since, leader_api=lead.api)

    async def _hold_leadership(self, lead: Leadership, every_s: float = 0.5) -> None:
        """Look at the leadership every ``every_s`` seconds (wall time); raise :class:`LeadershipLostError` once
        another central leads or this one's lock is gone, without a goodbye on the broker (the new leader's
        status stands)."""
        while True:
            await asyncio.sleep(every_s)
            reason = await asyncio.to_thread(lead.lost)
            if reason is not None:
                self.routes.deposed = True
                raise LeadershipLostError(f"central {self.central_id!r} no longer leads the site: {reason}")

    def _bound(self, port: int) -> None:
        self.api_port = port
        self.api_ready.set()
        log.info("API on http://%s:%d/api/v1 (docs at /docs)", self.config.api_host, port)

    async def _ticks(self, every_s: float = 5.0) -> None:
        """Let the site's time pass (:meth:`LiveSite.tick`) every ``every_s`` seconds of the clock."""
        while True:
            await self.clock.sleep(every_s)
            self.site.tick()

    async def run(self, *, started: Callable[[], None] | None = None) -> None:
        """Run until cancelled; the store is closed on the way out. ``started`` is called once, when every part
        is built (the web stack included) and running."""
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self.ingest.run(), name="ingest")
                tasks.create_task(self.refusals.run(), name="uplink-refusals")
                tasks.create_task(self.liveness.run(), name="liveness")
                tasks.create_task(self.routes.run(), name="routes")
                tasks.create_task(self._ticks(), name="site-ticks")
                tasks.create_task(self.webhooks.run(), name="webhooks")
                if self.config.asn_dir is not None:
                    tasks.create_task(AsnFolder(self.config.asn_dir, self.site).run(), name="asn-folder")
                if self.planning is not None:
                    tasks.create_task(self.planning.run(), name="planning")
                if self.leadership is not None:
                    tasks.create_task(self._hold_leadership(self.leadership), name="leadership")
                # The web stack loads off the loop (imports only: nothing shared is touched there) while
                # the ingest connects and answers; the front is then built here, on the loop.
                await asyncio.to_thread(importlib.import_module, _FRONT)
                front = self.front()
                if started is not None:
                    started()
                tasks.create_task(front.kpi_telemetry.run(), name="kpi-telemetry")
                if self._api_socket is not None:
                    tasks.create_task(front.serve(self._api_socket, on_bound=self._bound), name="api")
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close what :meth:`run` (or the constructor) opened: the API socket, the live streams, the re-plan
        worker, the telemetry writer, the store. A central built and never run is closed with it too."""
        if self._api_socket is not None:
            self._api_socket.close()
        if self._front is not None:
            await self._front.live.aclose()
        await self.replanner.aclose()
        self.poster.close()
        await asyncio.to_thread(self.telemetry.close)
        self.store.close()

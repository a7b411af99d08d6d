"""The composition root of ``xdock central``: config in, running ingest and API out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xdock.central.alerts import Alerts
from xdock.central.api import create_app
from xdock.central.api_access import Access
from xdock.central.api_admin import registered_edges
from xdock.central.api_body_gate import DEFAULT_MAX_BODY_BYTES
from xdock.central.api_telemetry import telemetry_router
from xdock.central.device_telemetry import DeviceTelemetry
from xdock.central.http_server import serve_http
from xdock.central.ingest import Ingest
from xdock.central.liveness import Liveness
from xdock.central.overrides import Overrides
from xdock.central.planning_loop import PlanningLoop
from xdock.central.replanner import Replanner
from xdock.central.routes_publisher import RoutesPublisher
from xdock.central.scans import ScanService
from xdock.central.sensors import SensorService
from xdock.central.site_config import SiteConfig
from xdock.central.site_state import SiteState
from xdock.central.store import Store
from xdock.central.telemetry import KpiReporter, TelemetryConfig, open_sink
from xdock.central.web import LiveHub
from xdock.central.web.views import kpis_now
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock

__all__ = ["Central", "CentralConfig"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CentralConfig:
    """Everything ``xdock central`` needs, validated before anything starts."""

    site: SiteConfig
    """The validated site file."""
    broker: BrokerUrl
    """The MQTT broker edges publish to."""
    db: Path
    """SQLite file holding pallets, applied scan keys and the event log."""
    api_host: str = "127.0.0.1"
    """Interface the REST API listens on."""
    api_port: int | None = 8080
    """Port of the REST API; ``0`` picks a free one; ``None`` serves no API."""
    client_id: str | None = None
    """MQTT client id of central's persistent session (default ``xdock-central-<site>``)."""
    replan_interval: float | None = 30.0
    """Seconds of site time between background re-plans (when scans changed the floor); ``None``: never."""
    replan_budget: float = 2.0
    """Seconds the CP-SAT re-plan may take in its worker process."""
    edges: Mapping[str, str] = field(default_factory=dict)
    """Edge id → inbound door of edges to send routing snapshots to from the start (others are learnt
    from their status and their scans)."""
    auth: bool | None = None
    """API access control: ``True`` always on, ``False`` off, ``None`` on when the store holds a user
    (users are added with ``xdock central user add``)."""
    telemetry: TelemetryConfig | None = None
    """InfluxDB (v2 write API) to send telemetry to, or ``None``; recent telemetry is kept in memory either way."""
    kpi_telemetry_interval: float = 60.0
    """Seconds of site time between two KPI telemetry points."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """The largest request body the API reads; a larger one is answered 413 unread."""


class Central:
    """One site's central: store, live state, scan service, MQTT ingest and API."""

    def __init__(self, config: CentralConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.store = Store(config.db)
        day = clock.now().astimezone(config.site.zone).date()
        self.state = SiteState(config.site, day)
        self.service = ScanService(self.state, self.store, clock)
        self.liveness = Liveness(config.site.site, clock, Alerts(self.store))
        liveness = self.liveness
        self.overrides = Overrides(self.service)
        self.routes = RoutesPublisher(
            self.service, clock, edges={**registered_edges(self.store), **config.edges},
            edges_from=lambda: ((e.id, e.door) for e in liveness.edges.values()),
            connected=lambda edge_id: self.routes.on_air and liveness.heard(edge_id),
        )
        self.ingest = Ingest(
            config.site.site, config.broker, self.service, clock, client_id=config.client_id, liveness=self.liveness,
            will=self.routes.will(), around_session=self.routes.session,
        )
        self.replanner = Replanner(time_limit=config.replan_budget)
        self.planning = (
            PlanningLoop(self.service, self.replanner, clock, interval=config.replan_interval)
            if config.replan_interval is not None else None
        )
        self.live = LiveHub(self.service, closed_doors=lambda: self.overrides.closed)
        self.overrides.on_change(self.routes.touch)
        self.access = Access(self.store, config.auth, clock=clock)
        self.app = create_app(
            self.service, liveness=self.liveness, uplinks=self.ingest.stats, hub=self.live, overrides=self.overrides,
            access=self.access, edge_seen=self.routes.edge_seen, max_body_bytes=config.max_body_bytes,
        )
        self.api_port: int | None = None
        self.api_ready = asyncio.Event()
        live = self.live
        self.telemetry = open_sink(config.telemetry)  # last: a configured writer starts its thread here
        self.kpi_telemetry = KpiReporter(
            config.site.site, lambda: kpis_now(self.state, live.loads, clock.now(), live.departures.refresh()),
            self.telemetry, clock, interval_s=config.kpi_telemetry_interval,
        )
        self.sensors = SensorService(config.site, self.store, self.liveness.alerts, clock, state=self.state,
                                     telemetry=self.telemetry)
        self.ingest.sensors = self.sensors
        self.ingest.device_telemetry = DeviceTelemetry(config.site.site, self.telemetry, clock)
        self.app.include_router(telemetry_router(
            self.telemetry.recent, self.sensors, self.access, self.liveness))

    def _bound(self, port: int) -> None:
        self.api_port = port
        self.api_ready.set()
        log.info("API on http://%s:%d/api/v1 (docs at /docs)", self.config.api_host, port)

    async def run(self) -> None:
        """Run until cancelled; the store is closed on the way out."""
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self.ingest.run(), name="ingest")
                tasks.create_task(self.liveness.run(), name="liveness")
                tasks.create_task(self.routes.run(), name="routes")
                tasks.create_task(self.kpi_telemetry.run(), name="kpi-telemetry")
                tasks.create_task(self.sensors.run(), name="sensors")
                if self.planning is not None:
                    tasks.create_task(self.planning.run(), name="planning")
                if self.config.api_port is not None:
                    tasks.create_task(
                        serve_http(self.app, self.config.api_host, self.config.api_port, on_bound=self._bound),
                        name="api",
                    )
        finally:
            await self.live.aclose()
            await self.replanner.aclose()
            await asyncio.to_thread(self.telemetry.close)
            self.store.close()

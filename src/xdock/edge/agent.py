"""The composition root of ``xdock edge``: scanners in, scan events up, answers back to the scanners.

The agent builds the edge's parts from its :class:`~xdock.edge.config.EdgeConfig`, runs them, and
routes what central sends:

- :mod:`xdock.edge.scan_path`: each scan line checked, recorded in the durable outbox, then answered
  on its scanner: by central while central is reachable (broker connected, central's retained status
  not offline), else at once from the routing snapshot (:mod:`xdock.edge.offline_router`).
- :mod:`xdock.edge.central_answers`: central's answers shown once and only while they concern the
  worker (a repeated answer, or a late one for a scanner that read another pallet since, only
  counted; an offline answer corrected only when central disagrees), and central's STOP for a reader
  shown on every scanner of this edge; :mod:`xdock.edge.pending_scans` holds the scans still awaiting
  theirs, across restarts.
- :mod:`xdock.edge.recorder`: RFID door passages (:mod:`xdock.edge.portals`) and Modbus probe readings
  (:mod:`xdock.edge.sensor_probes`) numbered from the outbox and sent like scans, no answer awaited.
- :mod:`xdock.edge.device_health`: every device's retained status, with its driver's counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator

from xdock.edge.answer_times import AnswerTimes
from xdock.edge.central_answers import CentralAnswers
from xdock.edge.config import EdgeConfig
from xdock.edge.device_health import DeviceHealth
from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.edge.edge_stats import EdgeStats
from xdock.edge.heartbeat import beat_forever
from xdock.edge.metrics import EdgeMetrics
from xdock.edge.offline_router import OfflineRouter
from xdock.edge.outbox import Outbox
from xdock.edge.pending_scans import PendingScans
from xdock.edge.portal_config import PortalConfig
from xdock.edge.portals import PortalRunner
from xdock.edge.recorder import Recorder
from xdock.edge.route_file import load_snapshot, save_snapshot
from xdock.edge.scan_path import NOT_RECORDED_TEXT, WAITING_TEXT, ScanPath
from xdock.edge.sensor_probes import ProbeReporter
from xdock.edge.uplink import Uplink, UplinkOptions
from xdock.observability.exposition import serve_metrics
from xdock.protocol.clock import Clock
from xdock.protocol.messages import Assignment, CentralStatus, Feedback, RouteSnapshot
from xdock.protocol.topics import scan_topic

__all__ = ["NOT_RECORDED_TEXT", "WAITING_TEXT", "EdgeAgent", "EdgeStats"]

log = logging.getLogger(__name__)


class EdgeAgent:
    """One gateway: its scanners and its link to central."""

    def __init__(self, config: EdgeConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.stats = EdgeStats()
        self.answer_times = AnswerTimes()
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.outbox = Outbox(
            config.state_dir / f"edge-{config.edge_id}.outbox.db",
            keep_sent=config.keep_sent, keep_sent_s=config.keep_sent_s,
        )
        self.router = OfflineRouter(held=self.outbox.held_at_open())
        self._routes_path = config.state_dir / f"edge-{config.edge_id}.routes.json"
        stored = load_snapshot(self._routes_path)
        if stored is not None and stored.edge_id == config.edge_id:
            self.router.load(stored)
        self.central_online: bool | None = None
        """Central's retained status: ``None`` until one arrives (central then counts as reachable)."""
        self.central_leader: tuple[str | None, int | None] | None = None
        """The leading central (id, epoch) its latest online status named (``None``: offline or unnamed)."""
        options = UplinkOptions(window=config.window, drain_rate=config.drain_rate, heartbeat_s=config.heartbeat_s,
                                link=config.broker_link)
        self.uplink = Uplink(
            config.site, config.edge_id, config.door, config.broker, clock, self.outbox, self, options
        )
        self.health = DeviceHealth(config.site, config.edge_id, config.heartbeat_s, clock, self.uplink.publish_status)
        self.recorder = Recorder(config, outbox=self.outbox, uplink=self.uplink, stats=self.stats)
        self.drivers = {
            s.device_id: SerialScannerDriver(s.device_id, s.port, baudrate=s.baudrate, on_status=self.health.changed)
            for s in config.scanners
        }
        self.portals = {
            r.device_id: PortalRunner(
                r, PortalConfig(r.door or config.door, config.portal_outside, config.portal_inside,
                                track_gap_s=config.portal_track_gap_s), clock,
                functools.partial(self.recorder.passage, r.device_id), on_status=self.health.changed,
                clock_tolerance_s=config.reader_clock_tolerance_s, silence_timeout_s=config.reader_silence_s,
            )
            for r in config.readers
        }
        self.probes = [
            ProbeReporter(p.config(), clock, self.recorder.reading,
                          on_status=functools.partial(self.health.changed, p.probe_id))
            for p in config.probes
        ]
        self.health.watch(scanners=self.drivers, readers={i: p.driver for i, p in self.portals.items()},
                          probes={p.probe_id: r.poller for p, r in zip(config.probes, self.probes, strict=True)})
        pending = PendingScans.resumed(self.outbox.unanswered_at_open(), self.outbox.last_scans_at_open(),
                                       scan_topic=scan_topic(config.site, config.edge_id))
        self.scans = ScanPath(
            config, clock, outbox=self.outbox, uplink=self.uplink, router=self.router, pending=pending,
            stats=self.stats, times=self.answer_times, reachable=lambda: self.central_reachable,
        )
        self.answers = CentralAnswers(
            config.edge_id, scanners=self.drivers, readers=self.portals, outbox=self.outbox, pending=pending,
            stats=self.stats, times=self.answer_times, report=self.recorder.offline_answer,
        )
        self.metrics = EdgeMetrics(config.site, config.edge_id, stats=self.stats, outbox=self.outbox,
                                   uplink=self.uplink, health=self.health, times=self.answer_times)
        self.metrics_port: int | None = None
        """The metrics endpoint's port once :meth:`run` serves it (the free port picked for ``metrics_port=0``)."""

    @property
    def central_reachable(self) -> bool:
        return self.uplink.connected.is_set() and self.central_online is not False

    async def run(self) -> None:
        """Run until cancelled (serving the metrics endpoint meanwhile, when configured)."""
        try:
            async with self._metrics_endpoint(), asyncio.TaskGroup() as tasks:
                tasks.create_task(self.uplink.run(), name="uplink")
                tasks.create_task(beat_forever(self.clock, self.config.heartbeat_s, self._beat), name="heartbeat")
                for driver in self.drivers.values():
                    tasks.create_task(self.scans.read(driver), name=f"scanner-{driver.device_id}")
                for reader_id, portal in self.portals.items():
                    tasks.create_task(portal.driver.run(), name=f"reader-{reader_id}")
                    tasks.create_task(portal.judge_forever(), name=f"portal-{reader_id}")
                for probe in self.probes:
                    tasks.create_task(probe.run(), name=f"modbus-{probe.config.temperature_id}")
        finally:
            self.scans.close()
            self.answers.close()
            for driver in self.drivers.values():
                await driver.aclose()
            await self.outbox.aclose()

    @contextlib.asynccontextmanager
    async def _metrics_endpoint(self) -> AsyncIterator[None]:
        config = self.config
        if config.metrics_port is None:
            yield
            return
        with serve_metrics(self.metrics.registry, config.metrics_host, config.metrics_port) as server:
            self.metrics_port = server.port
            log.info("edge %s: metrics on http://%s:%d/metrics", config.edge_id, config.metrics_host, server.port)
            yield

    # -- from central ----------------------------------------------------------------------------

    async def on_command(self, message: Assignment | Feedback) -> None:
        self.answers.take(message)

    def on_routes(self, snapshot: RouteSnapshot) -> None:
        adopted = self.router.load(snapshot)
        released = self.router.take_released()
        if released:
            self.outbox.release(released)
        if not adopted:
            return
        log.info("edge %s: routing snapshot of plan %d (%d routes)", self.config.edge_id, snapshot.plan_version,
                 len(snapshot.routes))
        try:
            save_snapshot(self._routes_path, snapshot)
        except OSError as exc:
            log.warning("edge %s: routing snapshot not kept on disk: %s", self.config.edge_id, exc)

    def on_central_status(self, status: CentralStatus) -> None:
        leader = (status.leader, status.epoch) if status.online else None
        if status.online != self.central_online or leader != self.central_leader:
            led = f" (central {status.leader} leads, epoch {status.epoch})" if status.leader else ""
            log.info("edge %s: central is %s%s", self.config.edge_id, "online" if status.online else "offline", led)
        self.central_online = status.online
        self.central_leader = leader

    # -- liveness --------------------------------------------------------------------------------

    def _beat(self) -> None:
        self.uplink.publish_edge_status()
        self.health.beat()

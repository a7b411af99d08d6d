"""A site's production topology on loopback, run through a scripted hour with a leader kill and a broker restart.

:class:`SiteHour` starts, in a folder of its own: Mosquitto running the config ``xdock broker-config --tls``
writes (ACL, a certificate per user, TLS listener); VictoriaMetrics, taking central's telemetry and
scraping every ``/metrics``; ``central-a`` leading and ``central-b`` standing by on one PostgreSQL
store; and per door (:data:`~xdock.testing.site_hour_plan.DOORS`) an edge reading a mock scanner on a
pty (a :class:`~xdock.testing.scan_worker.ScanWorker`) and an ``xdock mock llrp-reader`` portal, and an
``xdock mock sensor-node``. Every MQTT client speaks TLS with its own certificate. Each process's
clock starts at the site's time when it is spawned (``--sim-start``) and runs ``plan.speed`` times
faster than the wall clock.

:meth:`SiteHour.run` plays :class:`~xdock.testing.site_hour_plan.HourPlan`: each scanner scans its
labels at a steady pace, each portal sees its pallets come in, each node reports; at ``kill_at``
central-a is SIGKILLed (``failover_s``: until central-b's API says it leads), at
``broker_restart_at`` the broker stops for ``broker_down_s`` (``recovery_s``: from its start until
central and every edge are connected again with an empty outbox). A sensor node exits with its
broker; it is started again (at the site's time) every second until it connects. After the hour the
rig waits until the store holds every scan, passage and reading sent, or ``drain_timeout_s``.

``async with SiteHour(...) as hour`` stops every process, pty and task on the way out, failure or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from xdock.broker_config import BrokerUsers
from xdock.testing.mock_processes import LlrpReaderProcess, SensorNodeProcess
from xdock.testing.scan_worker import ScanWorker
from xdock.testing.servers import CentralProcess, EdgeProcess, free_port, wait_for_port
from xdock.testing.site_broker import SiteBroker, site_broker
from xdock.testing.site_hour_ledger import (
    MetricsCheck,
    StoreCounts,
    Tally,
    metrics_check,
    store_counts,
    tally_passages,
    tally_readings,
    tally_scans,
)
from xdock.testing.site_hour_plan import DOORS, SIM_START, WARM_UP_SERIAL, HourPlan
from xdock.testing.stream_site import DESTINATIONS, site_yaml
from xdock.testing.victoria_metrics import VictoriaMetrics

__all__ = ["SITE", "HourLedger", "HourRun", "SiteHour"]

log = logging.getLogger(__name__)

SITE = "site-hour"
_NODE_REBOOT_S = 1.0


@dataclass(frozen=True)
class HourRun:
    """What happened during the hour, as the rig saw it."""

    failover_s: float
    """From central-a's SIGKILL until central-b's API says it leads."""
    broker_down_s: float
    recovery_s: float
    """From the broker's start until central and every edge are connected again with an empty outbox."""
    node_restarts: int
    drain_s: float
    """From the hour's end until the store held everything sent (or the drain timed out)."""
    wall_s: float


@dataclass(frozen=True)
class HourLedger:
    """The accounting after the hour (:mod:`xdock.testing.site_hour_ledger`)."""

    scans: Tally
    passages: Tally
    """Sent: the pallets each portal showed its connected edge (a pallet passing while the edge reconnects to
    its reader is not shown)."""
    passages_scripted: int
    readings: Tally
    warm_up_scans: int
    """Scans of the warm-up pallets (before the hour), in the metrics' counts too."""
    metrics: MetricsCheck


def _metric(text: str, name: str) -> float | None:
    """The value of the first sample of ``name`` in a Prometheus text exposition."""
    for line in text.splitlines():
        if line.startswith((f"{name} ", f"{name}{{")):
            return float(line.rsplit(" ", 1)[1])
    return None


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        body: bytes = response.read()
        return body.decode()


class SiteHour:
    """The topology and its hour; see the module docstring."""

    def __init__(self, folder: Path, plan: HourPlan, db: str) -> None:
        """``db``: the ``postgresql://`` URL of an empty database the two centrals share."""
        self.folder, self.plan, self.db = folder, plan, db
        folder.mkdir(parents=True, exist_ok=True)
        users = BrokerUsers.parse(SITE, [d.edge_id for d in DOORS], [d.node_id for d in DOORS])
        self.site_broker: SiteBroker = site_broker(folder, users, tls=True)
        self._origin: float | None = None
        site_file = folder / "site.yaml"
        site_file.write_text(site_yaml(SITE, len(DOORS), len(DOORS) * (plan.scans_per_door + 10)))
        self.centrals = {
            name: CentralProcess(site_file, self.site_broker.tls_url("central"), db, log=folder / f"{name}.log",
                                 options=["--central-id", name, *self._client_options("central")])
            for name in ("central-a", "central-b")
        }
        self.edge_metrics = {door.edge_id: free_port() for door in DOORS}
        self.victoria = VictoriaMetrics(folder / "victoria", {
            "xdock-central": [f"127.0.0.1:{c.api_port}" for c in self.centrals.values()],
            "xdock-edge": [f"127.0.0.1:{port}" for port in self.edge_metrics.values()],
        }, scrape_interval=plan.scrape_interval_s)
        token = folder / "telemetry.token"  # VictoriaMetrics takes writes without a token; central wants one
        token.write_text("site-hour\n")
        for central in self.centrals.values():
            central.args += ["--telemetry-url", self.victoria.url, "--telemetry-token-file", str(token)]
        self.readers = [
            LlrpReaderProcess(folder / door.edge_id, pallets=plan.passages_per_door,
                              every_s=plan.passage_every_s * plan.speed, first_s=plan.first_pallet_s * plan.speed,
                              company_prefix=door.company_prefix, speed=plan.speed)
            for door in DOORS
        ]
        self.nodes = [
            SensorNodeProcess(folder / door.node_id, site=SITE, node_id=door.node_id, target=door.id,
                              broker=self.site_broker.tls_url(door.node_id), tls=self._tls(door.node_id),
                              sample_s=plan.sample_s, speed=plan.speed)
            for door in DOORS
        ]
        self.workers = [
            ScanWorker(door.id, folder / f"scanner-{door.id}",
                       [door.label(n) for n in range(1, plan.scans_per_door + 1)], DESTINATIONS)
            for door in DOORS
        ]
        self._warm_ups = [0] * len(DOORS)
        self.edges: list[EdgeProcess] = []
        self._nodes_on = False
        self._supervisor: asyncio.Task[None] | None = None
        self.node_restarts = 0

    def _tls(self, user: str) -> tuple[Path, Path, Path]:
        cert, key = self.site_broker.client_cert(user)
        return self.site_broker.ca_file, cert, key

    def _client_options(self, user: str) -> list[str]:
        """What central and the edges share: ``user``'s TLS files and the site clock's speed."""
        ca, cert, key = self._tls(user)
        return ["--broker-ca", str(ca), "--broker-cert", str(cert), "--broker-key", str(key),
                "--sim-speed", str(self.plan.speed)]

    def site_now(self) -> datetime:
        """The site's time: :data:`SIM_START` when the first process was spawned, ``plan.speed`` times the wall
        clock since."""
        if self._origin is None:
            self._origin = time.monotonic()
        return SIM_START + timedelta(seconds=(time.monotonic() - self._origin) * self.plan.speed)

    def _at_site_now(self, args: list[str]) -> None:
        args += ["--sim-start", self.site_now().isoformat()]

    # -- start and stop --------------------------------------------------------------------------

    async def __aenter__(self) -> SiteHour:
        try:
            await self._start()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _start(self) -> None:
        plan, broker = self.plan, self.site_broker
        await asyncio.to_thread(broker.broker.start)
        assert broker.tls_port is not None
        await asyncio.to_thread(wait_for_port, broker.tls_port)
        await asyncio.to_thread(self.victoria.start)
        leader, standby = self.centrals["central-a"], self.centrals["central-b"]
        self._at_site_now(leader.args)
        await asyncio.to_thread(leader.start, plan.start_timeout_s)
        self._at_site_now(standby.args)
        await asyncio.to_thread(standby.start, plan.start_timeout_s, standby=True)
        for reader in self.readers:
            await asyncio.to_thread(reader.boot, self.site_now().isoformat())
        for door, worker, reader in zip(DOORS, self.workers, self.readers, strict=True):
            worker.open()
            edge = EdgeProcess(
                SITE, door.edge_id, door.id, {"s1": worker.scanner.link or Path()}, broker.tls_url(door.edge_id),
                self.folder / door.edge_id, sim_start=self.site_now().isoformat(), log_level="INFO",
                options=[*self._client_options(door.edge_id), "--reader", f"r1=127.0.0.1:{reader.port}",
                         "--metrics-port", str(self.edge_metrics[door.edge_id])],
            )
            self.edges.append(edge)
            edge.start()
        self._nodes_on = True
        for node in self.nodes:
            node.boot(self.site_now().isoformat())
        self._supervisor = asyncio.create_task(self._keep_nodes_up(), name="sensor-nodes")
        async with asyncio.timeout(plan.start_timeout_s):
            async with asyncio.TaskGroup() as tasks:
                for i in range(len(DOORS)):
                    tasks.create_task(self._warm_up(i))

    async def _warm_up(self, i: int) -> None:
        worker, edge = self.workers[i], self.edges[i]
        while not self._reads_scanner(i):
            edge.check_running()
            await asyncio.sleep(0.05)
        sscc, label, destination = DOORS[i].label(WARM_UP_SERIAL)
        await worker.warm_up(sscc, label, destination, self.plan.start_timeout_s)
        self._warm_ups[i] = len(worker.sent)
        worker.forget_warm_up()

    def _reads_scanner(self, i: int) -> bool:
        """Whether edge ``i`` has its scanner's pty open."""
        edge, worker = self.edges[i], self.workers[i]
        if edge.pid is None or not worker.scanner.is_open:
            return False
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{edge.pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == worker.scanner.device_path:
                        return True
        return False

    async def _keep_nodes_up(self) -> None:
        """Start again every sensor node that exited (its broker went away), as its firmware would reboot."""
        while True:
            await asyncio.sleep(_NODE_REBOOT_S)
            for node in self.nodes:
                if self._nodes_on and node.reap() is not None:
                    node.boot(self.site_now().isoformat())
                    self.node_restarts += 1

    async def _stop_nodes(self) -> None:
        self._nodes_on = False
        for node in self.nodes:
            await asyncio.to_thread(node.stop)

    async def aclose(self) -> None:
        """Stop everything this rig started; safe to call twice."""
        self._nodes_on = False
        task, self._supervisor = self._supervisor, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for worker in self.workers:
            await worker.aclose()
        for process in [*self.nodes, *self.edges, *self.readers, *self.centrals.values()]:
            await asyncio.to_thread(process.stop)
        await asyncio.to_thread(self.victoria.stop)
        await asyncio.to_thread(self.site_broker.broker.stop)

    # -- the hour --------------------------------------------------------------------------------

    async def run(self) -> HourRun:
        """Play the hour (see the module docstring); answer what the rig measured."""
        plan = self.plan
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        scanning = [
            asyncio.create_task(worker.run(t0, i * plan.scan_interval_s / len(DOORS), plan.scan_interval_s))
            for i, worker in enumerate(self.workers)
        ]
        try:
            await asyncio.sleep(t0 + plan.wall_s * plan.kill_at - loop.time())
            failover_s = await self._kill_leader()
            await asyncio.sleep(t0 + plan.wall_s * plan.broker_restart_at - loop.time())
            recovery_s = await self._restart_broker()
            await asyncio.gather(*scanning)
            await asyncio.sleep(max(0.0, t0 + plan.wall_s - loop.time()))
        finally:
            for task in scanning:
                task.cancel()
        await self._stop_nodes()
        end = loop.time()
        await self._drain(loop.time() + plan.drain_timeout_s)
        drain_s = loop.time() - end
        await asyncio.sleep(2.5 * plan.scrape_interval_s)  # a scrape of every target after the drain
        return HourRun(failover_s, plan.broker_down_s, recovery_s, self.node_restarts, drain_s, loop.time() - t0)

    async def _kill_leader(self) -> float:
        loop = asyncio.get_running_loop()
        killed = loop.time()
        await asyncio.to_thread(self.centrals["central-a"].kill)
        standby = self.centrals["central-b"]
        deadline = killed + self.plan.start_timeout_s
        while True:
            with contextlib.suppress(OSError):
                if await asyncio.to_thread(standby.role) == "leader":
                    return loop.time() - killed
            if loop.time() > deadline:
                raise TimeoutError(f"central-b did not take over within {self.plan.start_timeout_s} s")
            await asyncio.sleep(0.05)

    async def _restart_broker(self) -> float:
        broker = self.site_broker
        await asyncio.to_thread(broker.broker.stop)
        await asyncio.sleep(self.plan.broker_down_s)
        await asyncio.to_thread(broker.broker.start)
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + self.plan.start_timeout_s
        while not await asyncio.to_thread(self._all_connected):
            if loop.time() > deadline:
                raise TimeoutError(f"not every client was back on the broker within {self.plan.start_timeout_s} s")
            await asyncio.sleep(0.05)
        return loop.time() - started

    def _all_connected(self) -> bool:
        """Whether the leading central and every edge are connected to the broker, the edges' outboxes empty."""
        try:
            if _metric(_scrape(self.centrals["central-b"].api_port), "xdock_broker_connected") != 1:
                return False
            for port in self.edge_metrics.values():
                text = _scrape(port)
                if _metric(text, "xdock_edge_broker_connected") != 1 or _metric(
                        text, "xdock_edge_outbox_backlog") != 0:
                    return False
        except OSError:
            return False
        return True

    def expected(self) -> StoreCounts:
        """What the store must hold after the hour: every scan and reading sent, every passage scripted."""
        return StoreCounts(
            scans=sum(len(w.sent) for w in self.workers),
            passages=len(DOORS) * self.plan.passages_per_door,
            readings=sum(node.published() for node in self.nodes),
        )

    async def _drain(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        expected = self.expected()
        got = StoreCounts(0, 0, 0)
        while loop.time() < deadline:
            got = await asyncio.to_thread(store_counts, self.db, DOORS)
            if got.scans >= expected.scans and got.passages >= expected.passages and got.readings >= expected.readings:
                return
            await asyncio.sleep(0.2)
        log.warning("the store did not hold everything sent after the drain: %s of %s", got, expected)

    def ledger(self) -> HourLedger:
        """Sent against applied, and the metrics against the store (blocking: call through a thread)."""
        sent = {door.edge_id: [r.sscc for r in worker.sent] for door, worker in zip(DOORS, self.workers, strict=True)}
        warm_ups = {door.edge_id: n for door, n in zip(DOORS, self._warm_ups, strict=True)}
        return HourLedger(
            scans=tally_scans(self.db, DOORS, sent),
            passages=tally_passages(self.db, {d: r.carried() for d, r in zip(DOORS, self.readers, strict=True)}),
            passages_scripted=len(DOORS) * self.plan.passages_per_door,
            readings=tally_readings(self.db, {node.node_id: node.published() for node in self.nodes}, outages=1),
            warm_up_scans=sum(warm_ups.values()),
            metrics=metrics_check(
                self.victoria, self.db,
                {f"127.0.0.1:{c.api_port}": name for name, c in self.centrals.items()},
                {f"127.0.0.1:{port}": edge for edge, port in self.edge_metrics.items()},
                {edge: len(sent[edge]) + warm_ups[edge] for edge in sent},
            ),
        )

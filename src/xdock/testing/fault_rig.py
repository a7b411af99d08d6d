"""A whole dock as real processes, for fault tests and ``bench/faults.py``.

:class:`FaultRig` starts, in a folder of its own: Mosquitto (persistence on) on a free port,
``xdock central`` as a process with its SQLite database and API on free ports, and ``edges``
``xdock edge`` processes, each at its own inbound door reading one mock scanner on a pty, driven
by a :class:`~xdock.testing.scan_worker.ScanWorker` in the caller's event loop. With
``proxy_delay`` the edges reach the broker through a :class:`~xdock.testing.tcp_proxy.TcpProxy`
adding that one-way delay; central always connects directly.

The broker runs the config ``xdock broker-config`` writes for the rig's site (ACL on, no anonymous
client): central and each edge log in as themselves with ``--broker-password-file``. Given a broker
of the caller's instead, they connect without logging in.

Central's clock starts at 06:00 site time (``--sim-start``, as do the edges') and its trailers
leave at 23:30 with room for every scan, so every pallet gets a door whatever the wall clock says.

With ``standby`` (a PostgreSQL ``db``), two centrals share the store: ``central-a`` starts first and
leads, ``central-b`` (same site file, same broker log-in) stands by. :meth:`FaultRig.fail_over` kills or
cuts off the leader and waits for the standby to lead; the edges then log at INFO, so their logs tell
which central they heard lead.

``async with FaultRig(...) as rig`` stops every process, pty and task on the way out, failure or
not. :meth:`FaultRig.central_scans` reads the end state back through the leading central's REST API.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiomqtt

from xdock.broker_config import BrokerUsers
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import CentralStatus, decode
from xdock.protocol.topics import central_status_topic
from xdock.testing.postgres import terminate_connections
from xdock.testing.scan_worker import ScanWorker
from xdock.testing.servers import CentralProcess, EdgeProcess, Mosquitto
from xdock.testing.site_broker import SiteBroker, site_broker
from xdock.testing.stream_site import DESTINATIONS, postal, site_yaml
from xdock.testing.tcp_proxy import TcpProxy

__all__ = ["CENTRAL_A", "CENTRAL_B", "CentralScans", "Failover", "FaultRig", "RigConfig"]

log = logging.getLogger(__name__)

SIM_START = "2026-11-23T06:00:00+01:00"
_EVENTS_PAGE = 1000
CENTRAL_A, CENTRAL_B = "central-a", "central-b"
"""The central ids of a rig with a standby: the first leader, and the standby."""


@dataclass(frozen=True)
class RigConfig:
    scans: int = 200
    """Scans in the stream, dealt round robin over the edges."""
    edges: int = 2
    """Edge agents (processes), one door and one scanner each."""
    rate: float = 100.0
    """Scans per second over all scanners (open loop)."""
    proxy_delay: float | None = None
    """One-way delay (s) between edges and broker through a TCP proxy; ``None``: edges connect directly."""
    start_timeout: float = 30.0
    """Seconds for the broker, central and every edge to answer a warm-up scan."""
    series: int = 1
    """Serial-number block of the labels, so scenarios sharing a broker never reuse an SSCC."""
    db: str | None = None
    """Central's store: ``None`` an SQLite file in the rig's folder, else a ``postgresql://`` URL."""
    standby: bool = False
    """A second central standing by on the same store (``db`` must be PostgreSQL)."""

    def __post_init__(self) -> None:
        if self.scans < 1 or self.edges < 1 or self.rate <= 0:
            raise ValueError(f"Invalid rig: scans, edges and rate must be positive, got {self}")
        if self.standby and not (self.db or "").startswith(("postgresql://", "postgres://")):
            raise ValueError(f"Invalid rig: a standby central needs a postgresql:// db, got {self.db!r}")


@dataclass(frozen=True)
class CentralScans:
    """What central applied, read from its event log."""

    keys: Counter[tuple[str, int]]
    """``(edge_id, seq)`` of each applied scan event, with how often it appears."""
    ssccs: Counter[str]
    """SSCC of each applied scan event, with how often it appears."""
    pallets: int
    stats: dict[str, Any]
    """Central's ``/api/v1/stats`` as served (totals from its store, counters since its last start under
    ``since_start``)."""
    epochs: Counter[tuple[str, int]]
    """``(sscc, epoch)`` of each applied scan event: the leadership epoch of the central that applied it."""
    leaders: dict[int, str]
    """The central that took each epoch, from the ``leadership`` events (none on SQLite, whose epoch is 0)."""

    def applied_by(self, epoch: int) -> str:
        """The central that wrote events of ``epoch``: its id, or ``epoch N`` when no leadership event names it."""
        return self.leaders.get(epoch, f"epoch {epoch}")


@dataclass(frozen=True)
class Failover:
    """How the leader of a rig with a standby went away and the standby took over, in event-loop time."""

    cut: bool
    """The leader's database connections were cut (else it was SIGKILLed)."""
    start: float
    gone: float
    """When the old leader could no longer answer: killed, or its process exited (cut)."""
    took: float
    """When the standby took the lead (the ``since`` of its epoch, from the wall clock to event-loop time)."""
    led: float
    """When the standby's API first said it leads (its MQTT session may answer a little earlier)."""
    exit_code: int
    """The old leader's exit status (``-9``: killed; ``75``: it found it no longer led)."""


def _sscc(series: int, n: int) -> str:
    return sscc_with_check_digit(f"0376130{series:03d}{n:07d}")


def _label(series: int, n: int, k: int) -> tuple[str, str, str]:
    """Label ``n`` of the series, ``k``-th of its worker: consecutive labels cycle through the destinations."""
    sscc = _sscc(series, n)
    dest = k % len(DESTINATIONS)
    return sscc, build_label(sscc, ship_to_postal=postal(dest)), DESTINATIONS[dest]


class FaultRig:
    """Broker, central, edges and their workers; see the module docstring."""

    def __init__(self, folder: Path, config: RigConfig, *, broker: Mosquitto | None = None) -> None:
        """``broker``: a running Mosquitto with persistence to use (and leave running); else the rig starts
        one with the site's generated config."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.site = f"fault-{uuid.uuid4().hex[:8]}"
        self._own_broker = broker is None
        self.site_broker: SiteBroker | None = None
        if broker is None:
            users = BrokerUsers.parse(self.site, [self._edge_id(i) for i in range(config.edges)])
            self.site_broker = site_broker(folder, users)
            broker = self.site_broker.broker
        self.broker = broker
        self.proxy: TcpProxy | None = None
        site_file = folder / "site.yaml"
        site_file.write_text(site_yaml(self.site, config.edges, config.scans + 10 * config.edges))
        central_url, central_password = self.login("central", self.broker.url)
        db = config.db or folder / "central.db"
        a = ["--central-id", CENTRAL_A] if config.standby else []
        self.central = CentralProcess(site_file, central_url, db, sim_start=SIM_START, password_file=central_password,
                                      options=a, log=folder / ("central-a.log" if config.standby else "central.log"))
        self.standby = CentralProcess(
            site_file, central_url, db, sim_start=SIM_START, password_file=central_password,
            options=["--central-id", CENTRAL_B], log=folder / "central-b.log",
        ) if config.standby else None
        self.leader = self.central
        """The central that leads (``standby`` once :meth:`fail_over` returned)."""
        self.failover: Failover | None = None
        self.workers: list[ScanWorker] = []
        self.edges: list[EdgeProcess] = []
        for i in range(config.edges):
            link = folder / f"scanner-d{i + 1}"
            labels = [_label(config.series, n, k) for k, n in enumerate(range(i, config.scans, config.edges))]
            self.workers.append(ScanWorker(f"d{i + 1}", link, labels, DESTINATIONS))
        self._edge_broker = self.broker.url

    @staticmethod
    def _edge_id(i: int) -> str:
        return f"edge-d{i + 1}"

    def login(self, user: str, url: BrokerUrl) -> tuple[BrokerUrl, Path | None]:
        """How ``user`` reaches the broker at ``url``: as itself with its password file, if the rig made the broker."""
        if self.site_broker is None:
            return url, None
        return self.site_broker.url(user, url), self.site_broker.password_file(user)

    # -- start and stop --------------------------------------------------------------------------

    async def __aenter__(self) -> FaultRig:
        try:
            await self._start()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _start(self) -> None:
        cfg = self.config
        if self._own_broker:
            await asyncio.to_thread(self.broker.start)
        if cfg.proxy_delay is not None:
            self.proxy = TcpProxy(self.broker.port, delay=cfg.proxy_delay)
            await self.proxy.start()
            self._edge_broker = BrokerUrl("127.0.0.1", self.proxy.listen_port)
        await asyncio.to_thread(self.central.start, cfg.start_timeout)
        if self.standby is not None:
            await asyncio.to_thread(functools.partial(self.standby.start, cfg.start_timeout, standby=True))
        for i, worker in enumerate(self.workers):
            worker.open()
            edge_id = self._edge_id(i)
            edge_url, edge_password = self.login(edge_id, self._edge_broker)
            edge = EdgeProcess(
                self.site, edge_id, f"D{i + 1}", {"s1": worker.scanner.link or Path()}, edge_url,
                self.folder / edge_id, sim_start=SIM_START, password_file=edge_password,
                log_level="INFO" if cfg.standby else "WARNING",
            )
            self.edges.append(edge)
            edge.start()
        async with asyncio.timeout(cfg.start_timeout):
            async with asyncio.TaskGroup() as tasks:
                for i, worker in enumerate(self.workers):
                    tasks.create_task(self._warm_up(i, worker))

    async def _warm_up(self, i: int, worker: ScanWorker) -> None:
        await self.wait_edge_reading(i, self.config.start_timeout)
        sscc, label, destination = _label(self.config.series, 9_000_000 + i, len(DESTINATIONS) - 1)
        await worker.warm_up(sscc, label, destination, self.config.start_timeout)
        worker.forget_warm_up()

    async def aclose(self) -> None:
        """Stop everything this rig started; safe to call twice."""
        for worker in self.workers:
            await worker.aclose()
        for edge in self.edges:
            await asyncio.to_thread(edge.stop)
        await asyncio.to_thread(self.central.stop)
        if self.standby is not None:
            await asyncio.to_thread(self.standby.stop)
        if self.proxy is not None:
            await self.proxy.stop()
        if self._own_broker:
            await asyncio.to_thread(self.broker.stop)

    # -- what a fault needs ----------------------------------------------------------------------

    def edge_reads_scanner(self, i: int) -> bool:
        """Whether edge ``i``'s process has its scanner's current pty open."""
        edge, worker = self.edges[i], self.workers[i]
        if edge.pid is None or not worker.scanner.is_open:
            return False
        device = worker.scanner.device_path
        fds = Path(f"/proc/{edge.pid}/fd")
        with contextlib.suppress(OSError):
            for fd in fds.iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == device:
                        return True
        return False

    async def wait_edge_reading(self, i: int, timeout: float) -> None:
        """Return once edge ``i`` reads its scanner; fail if its process exits or ``timeout`` passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.edge_reads_scanner(i):
            self.edges[i].check_running()
            if loop.time() > deadline:
                raise TimeoutError(f"edge {self.edges[i].edge_id} did not open its scanner within {timeout} s")
            await asyncio.sleep(0.02)

    async def fail_over(self, *, cut: bool) -> Failover:
        """Take the leader away (SIGKILL, or with ``cut`` its database connections cut, after which it must
        stop by itself) and return once the standby's API says it leads; :attr:`leader` is then the standby."""
        old, new = self.central, self.standby
        if new is None or self.leader is not old or self.config.db is None:
            raise RuntimeError("fail_over needs a rig with a standby that has not taken over yet")
        loop = asyncio.get_running_loop()
        timeout = self.config.start_timeout
        start = loop.time()
        if cut:
            n = await asyncio.to_thread(terminate_connections, self.config.db, f"xdock-central {CENTRAL_A}")
            if n == 0:
                raise RuntimeError(f"no connection of central {CENTRAL_A} to cut")
        else:
            await asyncio.to_thread(old.kill)
        gone = loop.time()

        async def exited() -> None:
            nonlocal gone
            await asyncio.to_thread(old.wait_exit, timeout)
            gone = loop.time()

        async with asyncio.TaskGroup() as tasks:
            if cut:
                tasks.create_task(exited())
            led = tasks.create_task(self._leads(new, timeout))
        self.leader = new
        assert old.exit_code is not None
        since = datetime.fromisoformat((await asyncio.to_thread(new.get, "/api/v1/leadership"))["since"])
        took = loop.time() - (time.time() - since.timestamp())
        self.failover = Failover(cut, start, gone, took, led.result(), old.exit_code)
        return self.failover

    @staticmethod
    async def _leads(central: CentralProcess, timeout: float) -> float:
        """When ``central``'s API first says it leads (polled every 20 ms); fail if it exits or ``timeout`` passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not central.running():
                raise RuntimeError(f"the standby central exited (code {central.exit_code}) instead of leading")
            with contextlib.suppress(OSError, ValueError):
                if await asyncio.to_thread(central.role) == "leader":
                    return loop.time()
            if loop.time() > deadline:
                raise TimeoutError(f"the standby central did not lead within {timeout} s")
            await asyncio.sleep(0.02)

    async def central_status(self, timeout: float = 10.0) -> CentralStatus:
        """Central's retained status on the broker, read as the first edge reads it (its log-in)."""
        url, password_file = self.login(self._edge_id(0), self.broker.url)
        password = None if password_file is None else password_file.read_text(encoding="utf-8").strip()
        async with (
            asyncio.timeout(timeout),
            aiomqtt.Client(url.host, url.port, identifier=f"xdock-status-{uuid.uuid4().hex[:8]}",
                           username=url.username, password=password) as client,
        ):
            await client.subscribe(central_status_topic(self.site), qos=1)
            async for message in client.messages:
                return decode(CentralStatus, bytes(message.payload))
        raise RuntimeError("the broker ended the subscription to central's status")

    # -- the end state at central ----------------------------------------------------------------

    def central_scans(self) -> CentralScans:
        """Every applied scan in the leading central's event log (blocking HTTP; call through ``asyncio.to_thread``)."""
        keys: Counter[tuple[str, int]] = Counter()
        ssccs: Counter[str] = Counter()
        epochs: Counter[tuple[str, int]] = Counter()
        leaders: dict[int, str] = {}
        after = 0
        while True:
            page = self.leader.get(f"/api/v1/events?after={after}&limit={_EVENTS_PAGE}")
            for event in page:
                if event["kind"] == "scan":
                    keys[(event["edge_id"], event["seq"])] += 1
                    ssccs[event["sscc"]] += 1
                    epochs[(event["sscc"], int(event["epoch"] or 0))] += 1
                elif event["kind"] == "leadership":
                    leaders[int(event["body"]["epoch"])] = str(event["body"]["central"])
            if len(page) < _EVENTS_PAGE:
                break
            after = page[-1]["id"]
        site = self.leader.get("/api/v1/site")
        stats = self.leader.get("/api/v1/stats")
        return CentralScans(keys, ssccs, int(site["pallets"]), dict(stats), epochs, leaders)

"""Scan-to-answer latency through the whole path, under an open-loop load.

    python bench/scan_latency.py --rate 100 --count 3000 [--edges 2] [--scanners-per-edge 1]
                                 [--central process|inprocess] [--edge inprocess|process]
                                 [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                                 [--broker mqtt://127.0.0.1:1883] [--timeout 5]

What one scan goes through: mock scanner on a pty → edge agent (pyserial) → MQTT broker → central
(ingest, decision, SQLite) → broker → edge → the scanner's display. The figure is the time from
writing the scan on the pty to the answer text showing on that scanner's display.

Parts
    Broker: a Mosquitto started on a free loopback port (config in a temp folder) unless
    ``--broker`` names one. It runs with ``set_tcp_nodelay true``, the setting a low-latency site
    needs (``--no-broker-nodelay`` keeps Mosquitto's default, where Nagle's algorithm can hold an
    answer back up to 40 ms). Central: ``python -m xdock central`` as its own process (default), or
    ``--central inprocess`` in this process's event loop, where it shares one CPU core with the edges
    and the load generator, so its figures include that contention. Edges: ``--edges E`` edge agents,
    one per inbound door, each reading ``--scanners-per-edge N`` mock scanners (one by default). By
    default (``--edge inprocess``) they run in this process and share its event loop with the mock
    scanners and the scheduler, so at a high rate that one loop, not the path, is what saturates
    first; ``--edge process`` runs each as ``python -m xdock edge`` in a process of its own, as on a
    site where each door has its gateway (the mock scanners stay here, on ptys the edges open by
    their links; the first warm-up scans also wait for the edge processes to start).
    Store: central's SQLite file in the run's temporary folder, or, with ``--postgres SERVER_URL``, a
    fresh PostgreSQL database created on that server for the run (``xdock_bench_<pid>_<hex>``, dropped
    afterwards; the URL names a database the user may create databases from).
    Every run uses a fresh site id (``bench-<hex>``), so topics and the persistent MQTT sessions of
    central and edges never meet those of an earlier run on a shared broker. The generated site has
    four destinations, each with enough 100-pallet trailers for every scan, all leaving at 23:30;
    central's clock starts at 06:00 site time (``--sim-start``), so every pallet finds a place
    whatever the wall clock says; the edges' clocks start at the same site time, so, as on a site
    whose clocks agree, no scan counts as clock skew (each would cost central a ``clock_skew`` event
    and a log line).

Load model
    The schedule is open-loop: scan number ``j`` (0-based, over all scanners) is due at
    ``t0 + j / R``, an absolute instant, so sleeping never accumulates drift. Scans are dealt round
    robin over the ``S = E * N`` scanners (consecutive scans to different edges), so each scanner is
    due every ``S / R`` seconds. Each scanner keeps at most one scan in
    flight, like a worker who waits for the answer before scanning the next pallet: when an answer is
    late, the next scan of that scanner goes out as soon as the answer (or the timeout) arrives, and
    the waiting counts. Two latencies are reported for every scan:

    * service time (``p50_ms``, ``p99_ms``, ``max_ms``): from the actual write on the pty;
    * latency from the scheduled instant (``p50_sched_ms``, ``p99_sched_ms``): includes the time a
      scan waited behind a late answer, so a stall is not hidden by the scans it delayed
      (no coordinated omission).

    A scanner is due every ``S / R`` seconds (20 ms at 100/s with 2 scanners): any answer slower than
    that pushes the scanner's later scans back, which ``p99_sched_ms`` and ``delayed_sends`` show
    while the service time alone would not. The offered rate is therefore capped at ``S / mean
    round trip`` whatever the path's capacity: with one scanner per edge and two edges, 500/s means a
    scanner due every 4 ms, below the round trip of a scan (two hops through the broker, three disk
    syncs, two processes; about 5 ms on an idle 2-core machine), so that load can never keep its
    schedule. A site that scans 500 pallets a second has tens of scanners (a worker scans every few
    seconds), and one edge gateway reads every scanner at its door: ``--scanners-per-edge N`` puts
    ``N`` scanners on each edge, so a high rate measures the path's throughput rather than one
    scanner's round trip (e.g. ``--edges 2 --scanners-per-edge 10``: each scanner due every 40 ms at
    500/s).

    The broker, central and edges start and warm up (a few answered scans per scanner, which also
    proves central is subscribed) before ``t0``; only the schedule is measured.

Matching answers to scans
    The display shows the outbound door and destination, not the SSCC. A scanner's consecutive scans
    cycle through the four destinations (distinct postal codes), and a scan's answer is the first
    display text naming its destination or its postal code. The edge's own "sent - waiting for
    central" notice is not an answer; a display that matches neither (a late answer to an earlier
    scan that timed out) is counted in ``stray_answers``. A scan without an answer within
    ``--timeout`` seconds counts in ``unanswered``.

Bounds
    The run in this process (start-up of the edges, warm-up and schedule) has a deadline of
    ``count / rate * 3 + 30`` seconds; the broker and central processes have 10 s and 30 s to start.
    When the deadline passes, the scans answered so far are reported with ``"complete": false`` and
    the scans still waiting in ``in_flight_at_end``. Processes, ptys and tasks are stopped on every
    exit path, Ctrl-C and SIGTERM included.

Output
    Progress on stderr; the last line of stdout is one JSON object with the figures.
    ``duration_s`` runs from ``t0`` to the end of the schedule; ``achieved_rate`` is answered scans
    per second from ``t0`` to the last answer; ``central_stats`` are central's own counters
    (``applied`` includes the warm-up scans). ``--timeline FILE`` also writes every answered scan's
    due, sent and answered instants to a CSV file: whether the slow answers come together (a stall of
    one process) or spread over the run (a path near its capacity).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import math
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from xdock.central.app import Central, CentralConfig
from xdock.central.site_file.config import SiteConfig, parse_site
from xdock.edge.agent import WAITING_TEXT, EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ScaledClock
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.scanner_wire import Display
from xdock.testing import CentralProcess, EdgeProcess, Mosquitto
from xdock.testing.stream_site import DESTINATIONS, postal, site_yaml

log = logging.getLogger("bench.scan_latency")

SIM_START = "2026-11-23T06:00:00+01:00"
WARMUP_ANSWERS = 3
"""Answered scans each scanner makes before measuring (also proves central is subscribed)."""
WARMUP_ATTEMPTS = 20
WARMUP_WAIT = 2.0
COMPANY_PREFIX = "376130321"
WARMUP_SERIAL = 9_000_000


# -- scans and their answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedScan:
    """One label to scan, what its answer must mention, and its place in the schedule."""

    label: str
    dest_name: str
    postal: str
    index: int | None
    """Position in the global schedule; ``None`` for a warm-up scan."""

    def answers(self, text: str) -> bool:
        return f"  {self.dest_name.upper()[:12]}  " in text or self.postal in text


@dataclass
class Results:
    service_ms: list[float] = field(default_factory=list)
    sched_ms: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    unanswered: int = 0
    stray: int = 0
    waiting_shown: int = 0
    delayed_sends: int = 0
    """Scans sent more than 1 ms after their due time (a late answer or a busy loop held them)."""
    timeline: list[tuple[int, float, float]] = field(default_factory=list)
    """Per answered scan of the schedule: its index, and when it was sent and answered (seconds after t0)."""
    last_answer: float = 0.0


class Lane:
    """One mock scanner at one inbound door (scanner ``device_id`` of edge number ``edge``) and its share
    of the schedule."""

    def __init__(self, number: int, scanner: MockScanner, edge: int, device_id: str) -> None:
        self.number = number
        self.scanner = scanner
        self.edge = edge
        self.device_id = device_id
        self._cursor = 0
        self._made = 0

    def make_scan(self, serial: int, index: int | None) -> PlannedScan:
        """The next label of this scanner; consecutive labels cycle through the destinations."""
        dest = self._made % len(DESTINATIONS)
        self._made += 1
        sscc = sscc_with_check_digit(f"0{COMPANY_PREFIX}{serial:07d}")
        code = postal(dest)
        return PlannedScan(build_label(sscc, ship_to_postal=code), DESTINATIONS[dest].title(), code, index)

    async def scan(self, planned: PlannedScan, timeout: float, results: Results) -> tuple[float, float, str] | None:
        """Scan; ``(sent_at, answered_at, text)`` in ``perf_counter`` seconds, or ``None`` on timeout."""
        found: list[tuple[float, str]] = []
        commands = self.scanner.commands

        def answered() -> bool:
            while not found and self._cursor < len(commands):
                command = commands[self._cursor]
                self._cursor += 1
                if not isinstance(command, Display):
                    continue
                if planned.answers(command.text):
                    found.append((time.perf_counter(), command.text))
                elif command.text == WAITING_TEXT:
                    results.waiting_shown += 1
                else:
                    results.stray += 1
            return bool(found)

        sent_at = time.perf_counter()
        self.scanner.scan(planned.label)
        try:
            await self.scanner.wait_until(answered, timeout)
        except TimeoutError:
            return None
        answered_at, text = found[0]
        return sent_at, answered_at, text


async def warm_up(lane: Lane, results: Results) -> None:
    """A few answered scans per scanner; fails if central never answers."""
    got = 0
    for attempt in range(WARMUP_ATTEMPTS):
        planned = lane.make_scan(WARMUP_SERIAL + lane.number * WARMUP_ATTEMPTS + attempt, None)
        if await lane.scan(planned, WARMUP_WAIT, results) is not None:
            got += 1
            if got == WARMUP_ANSWERS:
                return
    raise RuntimeError(f"scanner {lane.number}: {got} answers to {WARMUP_ATTEMPTS} warm-up scans")


async def drive(
    lane: Lane, plan: Sequence[PlannedScan], t0: float, rate: float, timeout: float, results: Results
) -> None:
    """Send this scanner's share of the schedule, one scan in flight at a time."""
    for planned in plan:
        assert planned.index is not None
        due = t0 + planned.index / rate
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -0.001:
            results.delayed_sends += 1
        results.sent += 1
        outcome = await lane.scan(planned, timeout, results)
        if outcome is None:
            results.unanswered += 1
            continue
        sent_at, answered_at, text = outcome
        results.service_ms.append((answered_at - sent_at) * 1000)
        results.sched_ms.append((answered_at - due) * 1000)
        results.timeline.append((planned.index, sent_at - t0, answered_at - t0))
        results.outcomes["assigned" if text.startswith("→") else text] += 1
        results.last_answer = max(results.last_answer, answered_at)


async def report_progress(results: Results, count: int, t0: float) -> None:
    while True:
        await asyncio.sleep(5)
        done = sorted(results.service_ms[-500:])
        recent = f", p99 of last {len(done)} {percentile(done, 99):.1f} ms" if done else ""
        print(
            f"[{time.perf_counter() - t0:6.1f} s] sent {results.sent}/{count}, answered {len(results.service_ms)}, "
            f"unanswered {results.unanswered}{recent}",
            file=sys.stderr, flush=True,
        )


# -- the run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    rate: float
    count: int
    edges: int
    scanners_per_edge: int
    central: str
    edge: str
    postgres: str | None
    broker: BrokerUrl | None
    timeout: float
    broker_nodelay: bool
    timeline: Path | None = None


@dataclass
class Measurement:
    results: Results
    t0: float = 0.0
    ended: float = 0.0
    complete: bool = False
    central_stats: dict[str, int] = field(default_factory=dict)


async def wait_online(driver: SerialScannerDriver, timeout: float) -> None:
    """Wait until the edge has the scanner's port open (start-up only; the driver offers no event for it)."""
    async with asyncio.timeout(timeout):
        while not driver.online:  # noqa: ASYNC110 - polled with a deadline, once, before measuring
            await asyncio.sleep(0.02)


class Rig:
    """The mock scanners, the edges (in this process or as processes), and central when it runs in-process."""

    def __init__(self, opts: Options, broker: BrokerUrl, site: SiteConfig, folder: Path, db: Path | str) -> None:
        self.central: Central | None = None
        if opts.central == "inprocess":
            clock = ScaledClock(datetime.fromisoformat(SIM_START))
            self.central = Central(CentralConfig(site=site, broker=broker, db=db, api_port=None), clock)
        self.agents: list[EdgeAgent] = []
        self.edge_processes: list[EdgeProcess] = []
        self.lanes: list[Lane] = []
        per_edge = opts.scanners_per_edge
        for i in range(opts.edges):
            links = {f"s{k + 1}": folder / f"scanner-d{i + 1}-s{k + 1}" for k in range(per_edge)}
            edge_id, door = f"edge-{i + 1}", f"D{i + 1}"
            if opts.edge == "process":
                self.edge_processes.append(
                    EdgeProcess(site.site, edge_id, door, links, broker, folder / "edges", sim_start=SIM_START)
                )
                continue
            config = EdgeConfig(
                site=site.site, edge_id=edge_id, door=door, broker=broker,
                scanners=tuple(ScannerPort(device, str(link)) for device, link in links.items()),
                state_dir=folder / "edges",
            )
            self.agents.append(EdgeAgent(config, ScaledClock(datetime.fromisoformat(SIM_START))))
        # Lane n is scanner n // E of edge n % E: consecutive scans of the schedule go to different edges.
        for n in range(opts.edges * per_edge):
            edge, k = n % opts.edges, n // opts.edges
            scanner = MockScanner(link=folder / f"scanner-d{edge + 1}-s{k + 1}", name=f"d{edge + 1}-s{k + 1}")
            self.lanes.append(Lane(n, scanner, edge, f"s{k + 1}"))
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self.central is not None:
            self.tasks.append(asyncio.create_task(self.central.run(), name="central"))
        for lane in self.lanes:
            lane.scanner.open()
        for agent in self.agents:
            self.tasks.append(asyncio.create_task(agent.run(), name=agent.config.edge_id))
        for edge in self.edge_processes:
            edge.start()

    async def ready(self) -> None:
        """Central (in-process) subscribed, every edge in this process connected and reading its scanners (edge
        processes: running; the warm-up's answers prove the rest)."""
        if self.central is not None:
            await self.central.ingest.connected.wait()
        for agent in self.agents:
            await agent.uplink.connected.wait()
            for driver in agent.drivers.values():
                await wait_online(driver, 10)
        for edge in self.edge_processes:
            edge.check_running()

    def central_stats(self) -> dict[str, int]:
        if self.central is None:
            return {}
        s = self.central.site.stats
        return {"applied": s.applied, "duplicates": s.duplicates}

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for edge in self.edge_processes:
            await asyncio.to_thread(edge.stop)
        for lane in self.lanes:
            lane.scanner.close()


async def warm_up_all(lanes: Sequence[Lane], results: Results) -> None:
    try:
        async with asyncio.TaskGroup() as group:
            for lane in lanes:
                group.create_task(warm_up(lane, results))
    except* RuntimeError as failed:
        raise RuntimeError("; ".join(str(e) for e in failed.exceptions)) from None


async def run_schedule(opts: Options, lanes: Sequence[Lane], measurement: Measurement) -> None:
    """Deal ``count`` scans round robin over the scanners and drive them; times go to ``measurement``."""
    results = measurement.results = Results()
    plans: list[list[PlannedScan]] = [[] for _ in lanes]
    for j in range(opts.count):
        lane = lanes[j % len(lanes)]
        plans[lane.number].append(lane.make_scan(j, j))
    measurement.t0 = t0 = time.perf_counter() + 0.1
    print(f"measuring {opts.count} scans at {opts.rate:g}/s", file=sys.stderr, flush=True)
    progress = asyncio.create_task(report_progress(results, opts.count, t0))
    try:
        async with asyncio.TaskGroup() as group:
            for lane in lanes:
                group.create_task(drive(lane, plans[lane.number], t0, opts.rate, opts.timeout, results))
    finally:
        measurement.ended = time.perf_counter()
        progress.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await progress
    measurement.complete = True


async def measure(
    opts: Options, broker: BrokerUrl, site: SiteConfig, folder: Path, db: Path | str, budget: float,
) -> Measurement:
    """Start edges (and central in-process if asked), warm up, run the schedule within ``budget`` seconds."""
    measurement = Measurement(Results())
    rig = Rig(opts, broker, site, folder, db)
    try:
        rig.start()
        async with asyncio.timeout(budget):
            await rig.ready()
            print(f"warming up {len(rig.lanes)} scanners", file=sys.stderr, flush=True)
            await warm_up_all(rig.lanes, measurement.results)
            await run_schedule(opts, rig.lanes, measurement)
    except TimeoutError:
        if not measurement.t0:
            raise RuntimeError(
                f"start-up did not finish within {budget:.0f} s (edge not connected or scanner port not open)"
            ) from None
        print("deadline reached: reporting the scans answered so far", file=sys.stderr, flush=True)
    finally:
        measurement.central_stats = rig.central_stats()
        await rig.stop()
    return measurement


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(opts: Options, broker: BrokerUrl, own_broker: bool, m: Measurement) -> dict[str, Any]:
    r = m.results
    service = sorted(r.service_ms)
    sched = sorted(r.sched_ms)
    answered = len(service)
    span = (r.last_answer - m.t0) if answered else 0.0

    def ms(value: float) -> float | None:
        return None if math.isnan(value) else round(value, 3)

    return {
        "sent": r.sent,
        "answered": answered,
        "unanswered": r.unanswered,
        "in_flight_at_end": r.sent - answered - r.unanswered,
        "not_sent": opts.count - r.sent,
        "p50_ms": ms(percentile(service, 50)),
        "p90_ms": ms(percentile(service, 90)),
        "p99_ms": ms(percentile(service, 99)),
        "max_ms": ms(service[-1] if service else math.nan),
        "mean_ms": ms(sum(service) / answered if answered else math.nan),
        "p50_sched_ms": ms(percentile(sched, 50)),
        "p90_sched_ms": ms(percentile(sched, 90)),
        "p99_sched_ms": ms(percentile(sched, 99)),
        "max_sched_ms": ms(sched[-1] if sched else math.nan),
        "rate": opts.rate,
        "count": opts.count,
        "edges": opts.edges,
        "scanners_per_edge": opts.scanners_per_edge,
        "central": opts.central,
        "edge": opts.edge,
        "store": "postgresql" if opts.postgres else "sqlite",
        "broker": str(broker),
        "own_broker": own_broker,
        "broker_tcp_nodelay": opts.broker_nodelay if own_broker else None,
        "timeout_s": opts.timeout,
        "duration_s": round(m.ended - m.t0, 3) if m.t0 else 0.0,
        "achieved_rate": round(answered / span, 3) if span > 0 else 0.0,
        "delayed_sends": r.delayed_sends,
        "assigned": r.outcomes["assigned"],
        "other_answers": {k: v for k, v in r.outcomes.items() if k != "assigned"},
        "stray_answers": r.stray,
        "waiting_shown": r.waiting_shown,
        "central_stats": m.central_stats,
        "complete": m.complete,
    }


def parse_args(argv: Sequence[str] | None) -> Options:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--rate", type=float, required=True, help="aggregate scans per second")
    p.add_argument("--count", type=int, required=True, help="scans to measure")
    p.add_argument("--edges", type=int, default=2, help="edge agents (default: %(default)s)")
    p.add_argument("--scanners-per-edge", type=int, default=1,
                   help="mock scanners each edge agent reads (default: %(default)s)")
    p.add_argument("--central", choices=["process", "inprocess"], default="process",
                   help="central as its own process or in this event loop (default: %(default)s)")
    p.add_argument("--edge", choices=["inprocess", "process"], default="inprocess",
                   help="edge agents in this event loop or each in a process of its own (default: %(default)s)")
    p.add_argument("--postgres", metavar="SERVER_URL",
                   help="central's store in a fresh database on this PostgreSQL server (default: an SQLite file)")
    p.add_argument("--broker", help="use this broker (mqtt://host:port) instead of starting a Mosquitto")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each answer (default: %(default)s)")
    p.add_argument("--broker-nodelay", action=argparse.BooleanOptionalAction, default=True,
                   help="own broker only: set_tcp_nodelay (default: on)")
    p.add_argument("--timeline", type=Path, metavar="CSV",
                   help="write each answered scan (index, due_s, sent_s, answered_s, sched_ms; seconds after t0) "
                        "to this CSV file, to see when in the run the slow answers came")
    p.add_argument("-v", "--verbose", action="store_true", help="log INFO from xdock on stderr")
    args = p.parse_args(argv)
    if not args.rate > 0:
        p.error(f"--rate must be positive, got {args.rate}")
    if not 1 <= args.count <= 900_000:
        p.error(f"--count must be 1..900000, got {args.count}")
    if not 1 <= args.edges <= 100:
        p.error(f"--edges must be 1..100, got {args.edges}")
    if not 1 <= args.scanners_per_edge <= 50:
        p.error(f"--scanners-per-edge must be 1..50, got {args.scanners_per_edge}")
    if not args.timeout > 0:
        p.error(f"--timeout must be positive, got {args.timeout}")
    broker = None
    if args.broker:
        try:
            broker = BrokerUrl.parse(args.broker)
        except ValueError as exc:
            p.error(str(exc))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return Options(args.rate, args.count, args.edges, args.scanners_per_edge, args.central, args.edge,
                   args.postgres, broker, args.timeout, args.broker_nodelay, args.timeline)


def run(opts: Options) -> dict[str, Any]:
    budget = opts.count / opts.rate * 3 + 30
    site_id = f"bench-{uuid.uuid4().hex[:8]}"
    per_dest = math.ceil(opts.count / len(DESTINATIONS)) + opts.edges * opts.scanners_per_edge * WARMUP_ATTEMPTS
    text = site_yaml(site_id, opts.edges, per_dest)
    site = parse_site(text, "generated site")
    with tempfile.TemporaryDirectory(prefix="xdock-bench-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        site_file = folder / "site.yaml"
        site_file.write_text(text)
        broker = opts.broker
        if broker is None:
            broker = stack.enter_context(Mosquitto(folder / "mosquitto", tcp_nodelay=opts.broker_nodelay)).url
        db: Path | str = folder / "central.db"
        if opts.postgres is not None:
            from xdock.testing.postgres import fresh_database  # noqa: PLC0415 - psycopg: needed only with --postgres

            db = stack.enter_context(fresh_database(opts.postgres, prefix="xdock_bench"))
        central_proc: CentralProcess | None = None
        if opts.central == "process":
            central_proc = stack.enter_context(
                CentralProcess(site_file, broker, db, sim_start=SIM_START, log=folder / "central.log")
            )
        measurement = asyncio.run(measure(opts, broker, site, folder, db, budget))
        if central_proc is not None:
            try:
                stats = central_proc.get("/api/v1/stats")
            except OSError as exc:
                print(f"central's /api/v1/stats did not answer: {exc}", file=sys.stderr)
            else:
                measurement.central_stats = {"applied": stats["applied"],
                                             "duplicates": stats["since_start"]["duplicates"]}
    if opts.timeline is not None:
        write_timeline(opts.timeline, measurement.results, opts.rate)
    return summary(opts, broker, opts.broker is None, measurement)


def write_timeline(path: Path, results: Results, rate: float) -> None:
    """One CSV row per answered scan of the schedule, in schedule order."""
    with path.open("w", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(["index", "due_s", "sent_s", "answered_s", "sched_ms"])
        for index, sent, answered in sorted(results.timeline):
            due = index / rate
            rows.writerow([index, f"{due:.4f}", f"{sent:.4f}", f"{answered:.4f}", f"{(answered - due) * 1000:.2f}"])


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    # SIGTERM stops the run like Ctrl-C: every server and pty is cleaned up on the way out.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: signal.raise_signal(signal.SIGINT))
    try:
        result = run(opts)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"scan_latency: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Live answers and store growth while junk floods central's uplink topics.

    python bench/flood.py --junk-rate 2000 --duration 10 [--scan-rate 20] [--edges 2] [--big 20]
                          [--junk-qos 1] [--timeout 5] [--replan-interval S]

Parts
    A Mosquitto on a free loopback port (:class:`xdock.testing.Mosquitto`), ``xdock central`` as its
    own process (:class:`xdock.testing.CentralProcess`, log level WARNING as shipped) on a fresh
    SQLite file, and ``--edges`` edge agents with mock scanners on ptys in this process (the lanes of
    ``bench/scan_latency.py``), central and edges on the same site time (``SIM_START``). The junk
    publisher is a separate process, so its work does not compete with the edges' event loop for
    this process's interpreter; everything goes to 127.0.0.1. Central runs as shipped, its background
    re-plan (a CP-SAT worker process, every 30 s) included, unless ``--replan-interval`` says otherwise.

What is measured
    After a warm-up (a few answered scans per scanner), scans go out open-loop at ``--scan-rate`` per
    second for ``--duration`` seconds (one in flight per scanner, as a worker waits for the answer)
    while the publisher sends ``--junk-rate`` junk messages per second for the same time, on the
    site's scan topics: bytes that are no JSON, truncated scans, ``v: 2``, an ``edge_id`` that is
    not the topic's, a malformed topic, rotating over five junk edge ids; plus ``--big`` payloads
    of 1 MB spread evenly over the flood (refused as ``oversized`` by central, or earlier by a broker
    with ``message_size_limit``). The publisher is paced by a token bucket (at most 50 ms of messages
    at once): when it falls behind it sends less rather than catching up in bursts faster than the
    rate; ``junk_sent`` and ``junk_rate_achieved`` are what it really sent.

    ``live_ms``: scan-to-display time of the scans answered (p50, p99, max); ``slowest``: the five
    slowest as [seconds after the start it was sent, milliseconds]; ``waiting_shown``: the edges'
    "sent - waiting for central" notices (an answer later than the edge's patience). ``backlog``:
    sampled every 0.25 s, junk the broker took (acknowledged to the publisher) minus the uplinks
    central has handled (``/api/v1/stats``, scans and statuses included, hence a small negative
    offset), i.e. what waits at the broker or in central ahead of a scan sent then (median, max, and
    when the max was).

    The store is measured after the warm-up and again after the flood, once central has counted
    every junk message it received (``/api/v1/stats``) and then stopped cleanly (SIGTERM): files
    (database + WAL), rows per table, and bytes per table (SQLite's ``dbstat``). ``junk_store`` is
    what refusals wrote: event rows of kind ``rejected_uplink`` with their body bytes, and the rows
    and bytes (pages) of the ``uplink_refusal*`` tables; ``junk_bytes_per_s`` divides its growth by
    the flood's duration. The store is also measured half-way through the flood (``store_middle``):
    ``junk_bytes_per_s_second_half`` is the growth rate once the counters and samples exist, what a
    longer flood adds per second. The scans' own rows (``events`` of kind ``scan``, ``applied``,
    ``pallets``) grow as in any run and are reported apart. ``central_log_bytes``: growth of
    central's log; ``central_cpu_s``: CPU seconds central's process used during the flood (less
    noisy than the latencies on a shared machine).

Output
    Progress on stderr; the last line of stdout is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import multiprocessing
import os
import signal
import sqlite3
import sys
import tempfile
import time
import urllib.error
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho

from scan_latency import SIM_START, Lane, PlannedScan, Results, Rig, percentile, warm_up_all
from xdock.central.site_file.config import SiteConfig, parse_site
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ScaledClock
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import ScanEvent, ShipToModel, encode
from xdock.testing import CentralProcess, Mosquitto
from xdock.testing.stream_site import DESTINATIONS, site_yaml

JUNK_EDGES = tuple(f"junk-{n}" for n in range(5))
BIG_BYTES = 1024 * 1024
DRAIN_TIMEOUT = 60.0
"""Seconds central may take, after the flood, to count every junk message it received."""


# -- the junk publisher (its own process) -----------------------------------------------------------


def junk_messages(site: str) -> list[tuple[str, bytes]]:
    """One round of junk: each kind once per junk edge (topic, payload)."""
    out: list[tuple[str, bytes]] = []
    for n, edge in enumerate(JUNK_EDGES):
        event = ScanEvent(
            edge_id=edge, seq=n + 1, device_id="s1", door="D1", scanned_at=datetime.fromisoformat(SIM_START),
            sscc=sscc_with_check_digit(f"0376130329{n:07d}"), ship_to=ShipToModel(kind="postal", value="11000"),
            raw="x",
        )
        good = encode(event)
        topic = f"xdock/v1/{site}/edge/{edge}/scan"
        out += [
            (topic, b"\xff\x00 not json " + edge.encode()),
            (topic, good[: len(good) // 2]),
            (topic, good.replace(b'"v":1', b'"v":2')),
            (f"xdock/v1/{site}/edge/{JUNK_EDGES[(n + 1) % len(JUNK_EDGES)]}/scan", good),
            (f"xdock/v1/{site}/edge/{edge}.bad/scan", good),
        ]
    return out


def publish_junk(port: int, site: str, rate: float, duration: float, big: int, qos: int, shared: Any) -> None:
    """Publish junk at ``rate`` per second for ``duration`` seconds, from the time the bench sets.

    ``shared``: ``ready`` (set once connected), ``start`` (``time.time()`` to start at, set by the
    bench), ``sent`` (publish calls so far), ``acked`` (messages the broker took). Paced by a token
    bucket holding at most 50 ms of messages: a publisher that falls behind sends less, it never
    catches up in a burst faster than ``rate``.
    """
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"junk-{uuid.uuid4().hex[:6]}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    acked = 0

    def on_publish(*_: object) -> None:
        nonlocal acked
        acked += 1
        shared.acked.value = acked

    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    shared.ready.set()
    round_ = junk_messages(site)
    total = int(rate * duration)
    big_every = total // big if big else 0
    big_payload = b"{" * BIG_BYTES
    burst = max(1.0, rate * 0.05)
    count = 0
    try:
        while shared.start.value == 0 or time.time() < shared.start.value:
            time.sleep(0.002)
        start = last = time.time()
        tokens = 0.0
        while count < total and last < start + duration:
            now = time.time()
            tokens = min(burst, tokens + (now - last) * rate)
            last = now
            while tokens >= 1 and count < total:
                topic, payload = round_[count % len(round_)]
                if big_every and count % big_every == big_every // 2 and count // big_every < big:
                    payload = big_payload
                client.publish(topic, payload, qos=qos)
                count += 1
                tokens -= 1
            shared.sent.value = count
            time.sleep(0.002)
        deadline = time.time() + 10
        while client.want_write() and time.time() < deadline:
            time.sleep(0.01)
    finally:
        shared.sent.value = count
        client.loop_stop()
        client.disconnect()


@dataclass(frozen=True)
class Shared:
    """What the bench and the junk publisher process share."""

    ready: Any
    start: Any
    sent: Any
    acked: Any


# -- the store -------------------------------------------------------------------------------------


def store_figures(db: Path) -> dict[str, Any]:
    """Files, rows and bytes of central's SQLite store (read-only, beside central if it runs)."""
    files = {p.name: p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists()}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"
                                             " AND name NOT LIKE 'sqlite_%'")]
        rows = {t: int(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}
        table_bytes = {str(name): int(size) for name, size in conn.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")}
        junk_rows, junk_bytes = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM events WHERE kind = 'rejected_uplink'"
        ).fetchone()
        for table in (t for t in tables if t.startswith("uplink_refusal")):
            junk_rows += rows[table]
            junk_bytes += table_bytes.get(table, 0)
    finally:
        conn.close()
    return {"files": files, "file_bytes": sum(files.values()), "rows": rows, "table_bytes": table_bytes,
            "junk_rows": int(junk_rows), "junk_bytes": int(junk_bytes)}


# -- the run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloodOptions:
    junk_rate: float
    duration: float
    scan_rate: float
    edges: int
    big: int
    junk_qos: int
    timeout: float
    replan_interval: float | None
    """Central's ``--replan-interval`` (``None``: its default)."""


class SiteTimeRig(Rig):
    """The edges of ``bench/scan_latency.py``'s rig, on the site time central runs on (``SIM_START``), so
    their scans are not clock-skewed for central (each would log a warning and add an event row)."""

    def __init__(self, edges: int, broker: BrokerUrl, site: SiteConfig, folder: Path) -> None:
        self.central = None
        self.lanes = []
        for i in range(edges):
            link = folder / f"scanner-d{i + 1}"
            config = EdgeConfig(
                site=site.site, edge_id=f"edge-{i + 1}", door=f"D{i + 1}", broker=broker,
                scanners=(ScannerPort("s1", str(link)),), state_dir=folder / "edges",
            )
            agent = EdgeAgent(config, ScaledClock(datetime.fromisoformat(SIM_START)))
            self.lanes.append(Lane(i, MockScanner(link=link, name=f"d{i + 1}"), agent))
        self.tasks = []


async def drive_timed(lane: Lane, plan: Sequence[PlannedScan], t0: float, opts: FloodOptions, results: Results,
                      timeline: list[tuple[float, float]]) -> None:
    """``scan_latency.drive``, noting each answer's (seconds after ``t0`` it was sent, milliseconds it took)."""
    for planned in plan:
        assert planned.index is not None
        await asyncio.sleep(max(0.0, t0 + planned.index / opts.scan_rate - time.perf_counter()))
        results.sent += 1
        outcome = await lane.scan(planned, opts.timeout, results)
        if outcome is None:
            results.unanswered += 1
            continue
        sent_at, answered_at, _ = outcome
        results.service_ms.append((answered_at - sent_at) * 1000)
        timeline.append((sent_at - t0, (answered_at - sent_at) * 1000))


async def watch_backlog(central: CentralProcess, acked: Any, t0: float, backlog: list[tuple[float, int]]) -> None:
    """Every 0.25 s: junk the broker took so far minus the uplinks central handled (what waits at the broker or in
    central)."""
    while True:
        await asyncio.sleep(0.25)
        try:
            stats = await asyncio.to_thread(central.get, "/api/v1/stats")
        except OSError:
            continue
        backlog.append((time.perf_counter() - t0, int(acked.value) - int(stats["since_start"]["uplinks_received"])))


def scans_plan(lanes: Sequence[Lane], count: int) -> list[list[PlannedScan]]:
    plans: list[list[PlannedScan]] = [[] for _ in lanes]
    for j in range(count):
        lane = lanes[j % len(lanes)]
        plans[lane.number].append(lane.make_scan(j, j))
    return plans


@dataclass
class Flooded:
    """What :func:`flood` saw."""

    results: Results
    junk_sent: int
    before: dict[str, Any]
    """The store after the warm-up."""
    middle: dict[str, Any]
    """The store half-way through the flood."""
    seconds: float
    """From the first scheduled scan to the last answer (or timeout)."""
    central_cpu_s: float
    """CPU seconds central used over the same time."""
    timeline: list[tuple[float, float]]
    """Each answered scan: seconds after the start it was sent, milliseconds its answer took."""
    backlog: list[tuple[float, int]]
    """Every 0.25 s: seconds after the start, junk the broker took minus uplinks central handled."""


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds process ``pid`` used so far (Linux ``/proc``)."""
    if pid is None:
        return math.nan
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def flood(opts: FloodOptions, rig: Rig, broker: BrokerUrl, site: str, db: Path, central: CentralProcess
                ) -> Flooded:
    """Warm up, then scans and junk together."""
    results = Results()
    rig.start()
    async with asyncio.timeout(60):
        await rig.ready()
        await warm_up_all(rig.lanes, results)
    before = store_figures(db)
    plans = scans_plan(rig.lanes, int(opts.scan_rate * opts.duration))
    ctx = multiprocessing.get_context("spawn")
    shared = Shared(ctx.Event(), ctx.Value("d", 0.0), ctx.Value("q", 0), ctx.Value("q", 0))
    publisher = ctx.Process(target=publish_junk, args=(
        broker.port, site, opts.junk_rate, opts.duration, opts.big, opts.junk_qos, shared))
    publisher.start()
    results = Results()
    timeline: list[tuple[float, float]] = []
    backlog: list[tuple[float, int]] = []
    try:
        if not await asyncio.to_thread(shared.ready.wait, 30):
            raise RuntimeError("the junk publisher did not connect within 30 s")
        shared.start.value = start_at = time.time() + 0.1
        await asyncio.sleep(max(0.0, start_at - time.time()))
        t0 = time.perf_counter()
        cpu0 = cpu_seconds(central.pid)
        print(f"flood: {opts.junk_rate:g} junk/s and {opts.scan_rate:g} scans/s for {opts.duration:g} s",
              file=sys.stderr, flush=True)
        watcher = asyncio.create_task(watch_backlog(central, shared.acked, t0, backlog))
        async with asyncio.timeout(opts.duration * 3 + 30), asyncio.TaskGroup() as group:
            for lane in rig.lanes:
                group.create_task(drive_timed(lane, plans[lane.number], t0, opts, results, timeline))
            middle = group.create_task(store_at(db, t0 + opts.duration / 2))
        watcher.cancel()
        elapsed = time.perf_counter() - t0
        cpu = cpu_seconds(central.pid) - cpu0
        await asyncio.to_thread(publisher.join, 30)
    finally:
        if publisher.is_alive():
            publisher.terminate()
            publisher.join(5)
        await rig.stop()
    return Flooded(results, int(shared.sent.value), before, middle.result(), elapsed, cpu, timeline, backlog)


async def store_at(db: Path, when: float) -> dict[str, Any]:
    """The store's figures at ``when`` (``perf_counter`` seconds)."""
    await asyncio.sleep(max(0.0, when - time.perf_counter()))
    return await asyncio.to_thread(store_figures, db)


def refused_total(central: CentralProcess) -> int:
    stats = central.get("/api/v1/stats")
    return int(sum(stats["uplink_rejected"].values()))


def wait_counted(central: CentralProcess, expected: int) -> int:
    """Wait (deadline) until central counted ``expected`` refusals; what it counted."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    counted = refused_total(central)
    while counted < expected and time.monotonic() < deadline:
        time.sleep(0.2)
        counted = refused_total(central)
    return counted


def run(opts: FloodOptions) -> dict[str, Any]:
    site_id = f"bench-{uuid.uuid4().hex[:8]}"
    count = int(opts.scan_rate * opts.duration)
    text = site_yaml(site_id, opts.edges, math.ceil(count / len(DESTINATIONS)) + opts.edges * 20)
    site = parse_site(text, "generated site")
    with tempfile.TemporaryDirectory(prefix="xdock-flood-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        (folder / "site.yaml").write_text(text)
        broker = stack.enter_context(Mosquitto(folder / "mosquitto")).url
        db = folder / "central.db"
        central = CentralProcess(folder / "site.yaml", broker, db, sim_start=SIM_START)
        if opts.replan_interval is not None:
            central.args += ["--replan-interval", f"{opts.replan_interval:g}"]
        stack.enter_context(central)
        rig = SiteTimeRig(opts.edges, broker, site, folder)
        log_before = central.log.stat().st_size
        flooded = asyncio.run(flood(opts, rig, broker, site_id, db, central))
        results, before, middle = flooded.results, flooded.before, flooded.middle
        try:
            counted = wait_counted(central, flooded.junk_sent)
        except (OSError, urllib.error.URLError) as exc:
            print(f"central's /api/v1/stats did not answer: {exc}", file=sys.stderr)
            counted = -1
        central.stop()
        log_bytes = central.log.stat().st_size - log_before
        after = store_figures(db)
    live = sorted(results.service_ms)

    def ms(value: float) -> float | None:
        return None if math.isnan(value) else round(value, 1)

    junk_growth = after["junk_bytes"] - before["junk_bytes"]
    late_growth = after["junk_bytes"] - middle["junk_bytes"]
    return {
        "junk_rate": opts.junk_rate, "duration_s": opts.duration, "flood_s": round(flooded.seconds, 2),
        "junk_sent": flooded.junk_sent, "junk_rate_achieved": round(flooded.junk_sent / opts.duration, 1),
        "big_payloads": opts.big, "junk_counted_by_central": counted,
        "scans_sent": results.sent, "scans_answered": len(live), "scans_unanswered": results.unanswered,
        "waiting_shown": results.waiting_shown,
        "live_ms": {"p50": ms(percentile(live, 50)), "p99": ms(percentile(live, 99)),
                    "max": ms(live[-1] if live else math.nan)},
        "store_before": before, "store_middle": middle, "store_after": after,
        "store_file_growth_bytes": after["file_bytes"] - before["file_bytes"],
        "junk_store": {"rows": after["junk_rows"] - before["junk_rows"], "bytes": junk_growth},
        "junk_store_second_half": {"rows": after["junk_rows"] - middle["junk_rows"], "bytes": late_growth},
        "junk_bytes_per_s": round(junk_growth / opts.duration, 1),
        "junk_bytes_per_s_second_half": round(late_growth / (opts.duration / 2), 1),
        "slowest": [[round(at, 2), round(took, 1)] for at, took in sorted(flooded.timeline, key=lambda x: -x[1])[:5]],
        "backlog": {"p50": percentile(sorted(b for _, b in flooded.backlog), 50),
                    "max": max((b for _, b in flooded.backlog), default=None),
                    "max_at_s": round(max(flooded.backlog, key=lambda x: x[1])[0], 2) if flooded.backlog else None},
        "central_log_bytes": log_bytes,
        "central_cpu_s": round(flooded.central_cpu_s, 2),
    }


def parse_args(argv: Sequence[str] | None) -> FloodOptions:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--junk-rate", type=float, required=True, help="junk messages per second")
    p.add_argument("--duration", type=float, required=True, help="seconds of flood")
    p.add_argument("--scan-rate", type=float, default=20.0, help="live scans per second (default: %(default)s)")
    p.add_argument("--edges", type=int, default=2, help="edge agents, one scanner each (default: %(default)s)")
    p.add_argument("--big", type=int, default=20, help="1 MB payloads among the junk (default: %(default)s)")
    p.add_argument("--junk-qos", type=int, choices=[0, 1], default=1, help="QoS of the junk (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each answer (default: %(default)s)")
    p.add_argument("--replan-interval", type=float,
                   help="central's seconds between re-plans, 0: none (default: its own)")
    args = p.parse_args(argv)
    if not 0 < args.junk_rate <= 20_000:
        p.error(f"--junk-rate must be in (0, 20000], got {args.junk_rate}")
    if not 0 < args.duration <= 120:
        p.error(f"--duration must be in (0, 120], got {args.duration}")
    if not 0 < args.scan_rate <= 200:
        p.error(f"--scan-rate must be in (0, 200], got {args.scan_rate}")
    if not 1 <= args.edges <= 20:
        p.error(f"--edges must be 1..20, got {args.edges}")
    if not 0 <= args.big <= 100:
        p.error(f"--big must be 0..100, got {args.big}")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return FloodOptions(args.junk_rate, args.duration, args.scan_rate, args.edges, args.big, args.junk_qos,
                        args.timeout, args.replan_interval)


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda _sig, _frame: signal.raise_signal(signal.SIGINT))
    try:
        result = run(opts)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"flood: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Dashboard update latency: from a scan applied by central to a live WebSocket client receiving it.

    python bench/dashboard.py --clients 50 --rate 200 [--duration 10] [--client-procs 4]

Central (built as ``xdock central`` builds it, its live hub and API under uvicorn) runs in its own
process: scans are applied through :meth:`LiveSite.apply_scans` (the path MQTT scans take after ingest) at
``--rate`` per second on an open-loop schedule, against SQLite on disk (``synchronous=FULL``); as
ingest does, the scans due by the time the previous commit ends are applied together. ``--clients``
WebSocket clients connect to ``/api/v1/live`` before the scans start, spread over
``--client-procs`` processes so their JSON parsing does not compete with central for one core.

The figure for each (client, scan): the client's wall clock at receipt minus the pallet's
``updated_at`` in the message, which central stamps just before the scan's SQLite transaction; so
it covers the commit, the hub's fan-out, the WebSocket send and the client's parsing. Central's
clock runs at wall speed from 06:00 site time (a fixed offset from the wall clock), so the site's
trailers (all leaving at 23:30) take every pallet whatever the time of day.

Prints JSON: latency p50/p90/p99/max in ms over every delivery, deliveries expected and received.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from xdock.central.api.http_server import serve_http
from xdock.central.app import Central, CentralConfig
from xdock.central.site.kpis import percentile
from xdock.central.site_file.config import SiteConfig, parse_site
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import ScanEvent, ShipToModel

DESTINATIONS = {"LYON": "69", "PARIS": "75", "LILLE": "59", "NANTES": "44"}


def _site(outbound: int = 24) -> SiteConfig:
    lines = ["site: bench", "timezone: Europe/Paris", "doors:"]
    lines += [f"  - {{id: I{i}, role: inbound, x: {i * 4}, y: 0}}" for i in range(1, 9)]
    lines += [f"  - {{id: O{i}, role: outbound, x: {i * 4}, y: 40}}" for i in range(1, outbound + 1)]
    lines += ["destinations:"]
    lines += [f"  - {{id: {d}, name: {d.title()}, postal_codes: ['{p}*']}}" for d, p in DESTINATIONS.items()]
    lines += ["trailers:"]
    for i in range(outbound):
        dest = list(DESTINATIONS)[i % len(DESTINATIONS)]
        lines.append(f"  - {{id: T{i + 1}, door: O{i + 1}, destination: {dest}, capacity_pallets: 100,"
                     " capacity_kg: 60000, departure: '23:30'}")
    return parse_site("\n".join(lines) + "\n", "bench-site")


class _OffsetClock:
    """Wall time shifted by a fixed offset (so the site day starts at 06:00 now)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _central(conn: Connection, offset: timedelta, rate: float, duration: float, clients: int) -> None:
    site = _site()
    clock = _OffsetClock(offset)
    with tempfile.TemporaryDirectory(prefix="xdock-bench-dash-") as tmp:
        # Never run: no broker connection, no re-plan loop; its API is served below.
        central = Central(CentralConfig(site=site, broker=BrokerUrl("127.0.0.1", 1), db=Path(tmp) / "central.db",
                                        api_port=None, replan_interval=None), clock)
        hub = central.live
        bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(serve_http(central.app, "127.0.0.1", 0, on_bound=bound.set_result))
        conn.send(await bound)
        loop = asyncio.get_running_loop()
        while hub.clients < clients:  # noqa: ASYNC110 (the hub has no event for this; a bench, not a test)
            await asyncio.sleep(0.05)
        conn.send("connected")
        rng = random.Random(7)
        count = int(rate * duration)
        t0 = loop.time() + 0.5
        j = 0
        while j < count:
            delay = t0 + j / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            due = min(count, int((loop.time() - t0) * rate) + 1)
            batch = []
            for k in range(j, max(due, j + 1)):
                prefix = rng.choice(list(DESTINATIONS.values()))
                batch.append(ScanEvent(
                    edge_id="bench", seq=k + 1, device_id="s1", door=f"I{k % 8 + 1}", scanned_at=clock.now(),
                    sscc=sscc_with_check_digit(f"3{k:016d}"),
                    ship_to=ShipToModel(kind="postal", value=f"{prefix}001"), weight_kg=400.0, raw="bench",
                ))
            central.site.apply_scans(batch)  # like ingest: the scans already waiting share one transaction
            j += len(batch)
        conn.send(count)
        await asyncio.to_thread(conn.recv)  # the clients are done (they still receive meanwhile)
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
        await central.aclose()


def _central_main(conn: Connection, offset: timedelta, rate: float, duration: float, clients: int) -> None:
    asyncio.run(_central(conn, offset, rate, duration, clients))


async def _clients(port: int, n: int, offset: timedelta, expected: int, deadline_s: float) -> list[float]:
    latencies: list[float] = []

    async def one() -> None:
        async with connect(f"ws://127.0.0.1:{port}/api/v1/live", max_size=None) as ws:
            seen = 0
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(deadline_s):
                    while seen < expected:
                        frame = await ws.recv()
                        now = datetime.now(UTC) + offset
                        data = json.loads(frame)
                        for message in data if isinstance(data, list) else [data]:
                            if message["type"] == "pallet":
                                at = datetime.fromisoformat(message["pallet"]["updated_at"])
                                latencies.append((now - at).total_seconds() * 1000)
                                seen += 1

    await asyncio.gather(*(one() for _ in range(n)))
    return latencies


def _clients_main(conn: Connection, port: int, n: int, offset: timedelta, expected: int, deadline_s: float) -> None:
    conn.send(asyncio.run(_clients(port, n, offset, expected, deadline_s)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="scans per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of scanning")
    parser.add_argument("--client-procs", type=int, default=4)
    args = parser.parse_args()

    zone = _site().zone
    wall = datetime.now(UTC)
    site_start = datetime.combine(wall.astimezone(zone).date(), datetime.min.time(), tzinfo=zone) + timedelta(hours=6)
    offset = site_start - wall
    expected = int(args.rate * args.duration)
    ctx = mp.get_context("spawn")
    central_end, here = ctx.Pipe()
    central = ctx.Process(target=_central_main, args=(central_end, offset, args.rate, args.duration, args.clients))
    central.start()
    port = here.recv()
    procs: list[tuple[Any, Connection]] = []
    for k in range(args.client_procs):
        n = args.clients // args.client_procs + (1 if k < args.clients % args.client_procs else 0)
        if n == 0:
            continue
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=_clients_main, args=(theirs, port, n, offset, expected, args.duration + 30))
        proc.start()
        procs.append((proc, mine))
    here.recv()  # every client connected
    started = time.perf_counter()
    sent = here.recv()
    latencies: list[float] = []
    for proc, mine in procs:
        latencies += mine.recv()
        proc.join()
    here.send("done")
    central.join()
    print(json.dumps({
        "clients": args.clients, "rate": args.rate, "duration_s": args.duration, "scans": sent,
        "scan_wall_s": round(time.perf_counter() - started, 2),
        "deliveries_expected": sent * args.clients, "deliveries": len(latencies),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1), "p90": round(percentile(latencies, 90), 1),
            "p99": round(percentile(latencies, 99), 1), "max": round(max(latencies), 1),
        } if latencies else None,
    }, indent=2))


if __name__ == "__main__":
    main()

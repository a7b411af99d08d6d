"""How fast the site core runs site time with no network: scans and ticks straight into ``LiveSite``.

    python bench/site_core.py [--scans 20000] [--doors 8] [--every-s 3] [--tick-s 60]

The site core (:class:`~xdock.central.site.live_site.LiveSite`) over a fresh SQLite store and a manual
clock: a scan every ``--every-s`` seconds of site time, round robin over ``--doors`` inbound doors and four
destinations, each applied as the MQTT ingest applies it (made durable, decided, answered; the synthetic
site's trailers leave at 23:30, so keep ``--scans`` × ``--every-s`` within the day); ``tick()``
every ``--tick-s`` seconds of site time. No broker, no HTTP, no sleeping. Figures: ``scans_per_s`` (wall),
``site_hours`` covered, ``site_s_per_wall_s`` (how many seconds of site time one wall second runs),
``apply_us`` p50/p99 per scan, and the answers by outcome.

Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from xdock.central.site.kpis import percentile
from xdock.central.site.live_site import LiveSite
from xdock.central.site_file.config import parse_site
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.messages import ScanEvent, ShipToModel
from xdock.testing.stream_site import DESTINATIONS, postal, site_yaml

START = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def run(scans: int, doors: int, every_s: float, tick_s: float) -> dict[str, object]:
    site = parse_site(site_yaml("bench", doors, scans // len(DESTINATIONS) + 1))
    clock = ManualClock(START)
    outcomes: Counter[str] = Counter()
    apply_us: list[float] = []
    with tempfile.TemporaryDirectory() as work:
        store = Store(Path(work) / "central.db")
        try:
            core = LiveSite(site, store, clock)
            next_tick = START + timedelta(seconds=tick_s)
            began = time.perf_counter()
            for n in range(scans):
                if n:
                    clock.advance(every_s)
                if clock.now() >= next_tick:
                    core.tick()
                    next_tick += timedelta(seconds=tick_s)
                event = ScanEvent(
                    edge_id=f"edge-{n % doors + 1}", seq=n // doors + 1, device_id="s1", door=f"D{n % doors + 1}",
                    scanned_at=clock.now(), sscc=sscc_with_check_digit(f"3761303211{n:07d}"),
                    ship_to=ShipToModel(kind="postal", value=postal(n % len(DESTINATIONS))), raw="bench",
                )
                t0 = time.perf_counter()
                outcomes[core.apply_scan(event).reply.outcome] += 1
                apply_us.append((time.perf_counter() - t0) * 1e6)
            wall = time.perf_counter() - began
        finally:
            store.close()
    site_s = scans * every_s
    return {
        "scans": scans, "doors": doors, "site_hours": round(site_s / 3600, 2), "wall_s": round(wall, 3),
        "scans_per_s": round(scans / wall), "site_s_per_wall_s": round(site_s / wall),
        "apply_us_p50": round(percentile(apply_us, 50)), "apply_us_p99": round(percentile(apply_us, 99)),
        "outcomes": dict(sorted(outcomes.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=20_000)
    parser.add_argument("--doors", type=int, default=8)
    parser.add_argument("--every-s", type=float, default=3.0, help="site seconds between two scans")
    parser.add_argument("--tick-s", type=float, default=60.0, help="site seconds between two ticks")
    args = parser.parse_args()
    print(json.dumps(run(args.scans, args.doors, args.every_s, args.tick_s)))


if __name__ == "__main__":
    main()

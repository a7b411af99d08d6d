"""What the dashboard pays to follow the event log: at start, and on each idle tick.

    python bench/dashboard_log.py [--events 200000] [--alerts 50] [--repeat 2000]

A store holds ``--events`` events (loads by scan and by RFID, mis-loads, departures, passages) and
``--alerts`` alerts. Figures:

- ``start_ms`` / ``start_event_reads``: building the live hub, whose load book, departure log and
  own alert watch share one event tail (one pass over the log); ``two_readers_ms`` /
  ``two_readers_event_reads``: the load book and the departure log each reading the log alone.
- ``idle_tick_us``: a tick's look at the log when nothing was appended (the hub reads the alerts
  only after an alert event); ``alerts_read_us``: reading and encoding the shown alerts, which a
  tick did every second before.

Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from xdock.central.alerts.book import Alerts
from xdock.central.site.departures import DEPARTED_EVENT, DepartureLog
from xdock.central.site.live_site import LiveSite
from xdock.central.site_file.config import parse_site
from xdock.central.store.database import EventRow, Store
from xdock.central.web import LiveHub
from xdock.central.web.views import alert_view
from xdock.protocol.clock import ManualClock
from xdock.testing.stream_site import site_yaml

START = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def _fill(store: Store, events: int, alerts: int) -> None:
    kinds = ("scan", "loaded", "loaded", "misload_prevented", "misload", "passage", DEPARTED_EVENT)
    with store.transaction() as tx:
        for i in range(events):
            kind = kinds[i % len(kinds)]
            body: dict[str, Any] = {"trailer": f"T-ALPHA-{i % 7 + 1:03d}"}
            if kind == "loaded" and i % 2:
                body["via"] = "rfid"
            tx.append_event(START + timedelta(seconds=i), kind, body, sscc=f"{i:018d}")
    book = Alerts(store)
    for i in range(alerts):
        book.raise_alert("edge_offline", f"edge-{i}", START, f"edge-{i} is offline")


def _timed_us(repeat: int, action: Any) -> float:
    began = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - began) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--alerts", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    logging.getLogger("xdock").setLevel(logging.ERROR)  # the alerts raised to fill the store
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "central.db", synchronous="NORMAL")
        try:
            _fill(store, args.events, args.alerts)
            site_config = parse_site(site_yaml("b", 1, 100))
            site = LiveSite(site_config, store, ManualClock(START))
            alone = LiveSite(site_config, store, ManualClock(START))  # its load book reads the log alone
            reads: list[int] = []
            events = store.events

            def counted(*, after: int = 0, limit: int = 100) -> list[EventRow]:
                reads.append(after)
                return events(after=after, limit=limit)

            store.events = counted  # type: ignore[method-assign]
            began = time.perf_counter()
            hub = LiveHub(site)
            start_ms, start_reads = (time.perf_counter() - began) * 1e3, len(reads)
            reads.clear()
            began = time.perf_counter()
            alone.loads.refresh()
            DepartureLog(store).refresh()
            two_ms, two_reads = (time.perf_counter() - began) * 1e3, len(reads)
            store.events = events  # type: ignore[method-assign]

            idle_us = _timed_us(args.repeat, hub.catch_up)
            alerts_us = _timed_us(args.repeat, lambda: [alert_view(a) for a in store.alerts(limit=50)])
            print(json.dumps({
                "events": args.events, "alerts": args.alerts,
                "start_ms": round(start_ms, 1), "start_event_reads": start_reads,
                "two_readers_ms": round(two_ms, 1), "two_readers_event_reads": two_reads,
                "idle_tick_us": round(idle_us, 1), "alerts_read_us": round(alerts_us, 1),
                "wrong_door_scans_counted": hub.loads.wrong_door_scans_stopped,
                "portal_misloads_counted": hub.loads.portal_misloads,
                "departures_counted": len(hub.departures.refresh()),
            }))
        finally:
            store.close()


if __name__ == "__main__":
    main()

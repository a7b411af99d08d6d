"""The edge's metrics endpoint (``--metrics-port``): its backlog while the broker is down, then drained; its
offline answers logged with their ids.

Against a real Mosquitto, stopped before the edge starts and started again, and a mock scanner on a pty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest

from support.scrape import documented_names, exported_names, labels, scrape
from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import SystemClock
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.testing import Mosquitto

SITE, EDGE = "it", "edge-d1"
ON = labels(site=SITE, edge=EDGE)


def sscc(n: int) -> str:
    return sscc_with_check_digit(f"0376130322{n:07d}")


def on(**more: str) -> frozenset[tuple[str, str]]:
    return ON | labels(**more)


async def test_backlog_and_oldest_age_while_the_broker_is_down_then_zero(
    mosquitto: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="xdock.edge.scan_path")
    mosquitto.stop()
    scanner = MockScanner(link=tmp_path / "scanner-d1", name="d1")
    scanner.open()
    config = EdgeConfig(
        site=SITE, edge_id=EDGE, door="D1", broker=mosquitto.url,
        scanners=(ScannerPort("s1", str(tmp_path / "scanner-d1")),), state_dir=tmp_path / "edge", metrics_port=0,
    )
    agent = EdgeAgent(config, SystemClock())
    task = asyncio.create_task(agent.run())
    try:
        await eventually(lambda: agent.drivers["s1"].online and agent.metrics_port is not None, 10, "scanner online")
        url = f"http://127.0.0.1:{agent.metrics_port}/metrics"
        for n in (1, 2):
            scanner.scan(build_label(sscc(n), ship_to_postal="69003"))
        await eventually(lambda: agent.stats.offline_answers == 2, 10, "two offline answers")
        down = await scrape(url)
        assert down[("xdock_edge_scans_total", ON)] == 2
        assert down[("xdock_edge_answers_total", on(source="offline"))] == 2
        assert down[("xdock_edge_answers_total", on(source="central"))] == 0
        assert down[("xdock_edge_answer_latency_seconds_count", ON)] == 2
        assert down[("xdock_edge_outbox_backlog", ON)] == 2
        assert down[("xdock_edge_outbox_oldest_age_seconds", ON)] > 0
        assert down[("xdock_edge_broker_connected", ON)] == 0
        assert down[("xdock_edge_refused_publishes_total", ON)] == 0
        assert down[("xdock_edge_devices_online", on(kind="serial_scanner"))] == 1
        answered = [r.__dict__ for r in caplog.records if r.name == "xdock.edge.scan_path"]
        assert [{k: r[k] for k in ("edge", "seq", "sscc", "device")} for r in answered] == [
            {"edge": EDGE, "seq": n, "sscc": sscc(n), "device": "s1"} for n in (1, 2)
        ]

        await asyncio.to_thread(mosquitto.start)
        await eventually(lambda: agent.uplink.connected.is_set() and agent.outbox.unacked == 0, 15, "backlog sent")
        up = await scrape(url)
        assert up[("xdock_edge_outbox_backlog", ON)] == 0
        assert up[("xdock_edge_outbox_oldest_age_seconds", ON)] == 0
        assert up[("xdock_edge_broker_connected", ON)] == 1
        assert up[("xdock_edge_scans_total", ON)] == 2
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        scanner.close()


async def test_the_edge_serves_exactly_the_metrics_its_doc_lists(tmp_path: Path) -> None:
    config = EdgeConfig(site=SITE, edge_id=EDGE, door="D1", broker=BrokerUrl("127.0.0.1"),
                        scanners=(ScannerPort("s1", str(tmp_path / "no-scanner")),), state_dir=tmp_path / "edge")
    agent = EdgeAgent(config, SystemClock())
    try:
        assert exported_names(agent.metrics.registry) == documented_names("Edge")
        assert len(documented_names("Edge")) == 8
    finally:
        await agent.outbox.aclose()

"""``xdock edge`` and ``xdock central`` started while nobody listens on the broker's port.

Both keep trying with the bounded back-off of :mod:`xdock.transport.backoff` (0.5 s, doubling, at
most 2 s) and log one line for the first failure, then for attempts 2, 4, 8…: after four
attempts, exactly three lines, and nothing else about the broker.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from support.waiting import eventually
from xdock.protocol.broker_url import BrokerUrl
from xdock.testing import CentralProcess, EdgeProcess, free_port
from xdock.testing.stream_site import site_yaml

SITE = "nobroker"
REFUSED = "[Errno 111] Connection refused"


def logged(log: Path, *, besides: str = "") -> list[str]:
    """The process's log records (without their time stamps), except those of logger ``besides``."""
    records = [re.sub(r"^\S+ \S+ ", "", line) for line in log.read_text().splitlines() if re.match(r"^\d{4}-", line)]
    return [r for r in records if not besides or not r.split(" ", 2)[1].startswith(besides)]


def expected(who: str, url: BrokerUrl) -> list[str]:
    return [
        f"WARNING {who}: broker {url} unreachable or lost ({REFUSED}); retrying in 0.5 s",
        f"WARNING {who}: broker {url} still unreachable ({REFUSED}): attempt 2 failed, 0.5 s so far; "
        "retrying every 2.0 s at most",
        f"WARNING {who}: broker {url} still unreachable ({REFUSED}): attempt 4 failed, 3.5 s so far; "
        "retrying every 2.0 s at most",
    ]


@pytest.mark.timeout(60)
async def test_an_edge_without_a_broker_logs_attempts_1_2_and_4_only(tmp_path: Path) -> None:
    nobody = BrokerUrl("127.0.0.1", free_port())
    edge = EdgeProcess(SITE, "edge-d1", "D1", {"s1": tmp_path / "no-scanner"}, nobody, tmp_path / "edge")
    edge.start()
    try:
        await eventually(lambda: "attempt 4 failed" in edge.log.read_text(), 20, "a fourth attempt")
        edge.check_running()
    finally:
        await asyncio.to_thread(edge.stop)
    # The scanner, unplugged, has its own say; about the broker there are exactly three lines.
    assert logged(edge.log, besides="xdock.edge.devices.serial_scanner") == expected(
        "xdock.edge.uplink: edge edge-d1", nobody
    )


@pytest.mark.timeout(60)
async def test_central_without_a_broker_serves_its_api_and_logs_attempts_1_2_and_4_only(tmp_path: Path) -> None:
    nobody = BrokerUrl("127.0.0.1", free_port())
    site_file = tmp_path / "site.yaml"
    site_file.write_text(site_yaml(SITE, 1, 10))
    central = CentralProcess(site_file, nobody, tmp_path / "central.db")
    await asyncio.to_thread(central.start)  # ready once its API answers, broker or not
    try:
        await eventually(lambda: "attempt 4 failed" in central.log.read_text(), 20, "a fourth attempt")
        assert (await asyncio.to_thread(central.get, "/api/v1/site"))["site"] == SITE
    finally:
        await asyncio.to_thread(central.stop)
    assert logged(central.log) == expected("xdock.central.ingest.mqtt_ingest", nobody)

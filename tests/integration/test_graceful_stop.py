"""``xdock edge`` and ``xdock central`` as real processes, stopped with SIGTERM or Ctrl-C (SIGINT).

A clean stop publishes the process's retained status ``online: false`` before its clean disconnect
(after which the broker publishes no Last Will), so whoever reads the status knows at once instead
of after two missed heartbeats. The Last Will (``online: false`` without ``at``) is for a crash: the
status read back carries the stopping process's time, so it is the process's own word.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import aiomqtt
import pytest

from xdock.protocol.messages import CentralStatus, EdgeStatus, decode
from xdock.protocol.topics import central_status_topic, edge_status_topic
from xdock.testing import CentralProcess, EdgeProcess, Mosquitto
from xdock.testing.stream_site import site_yaml

SITE, EDGE = "stop", "edge-d1"
STOPS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="ctrl-c")]


async def retained(broker: Mosquitto, topic: str, *, online: bool, timeout: float = 20) -> bytes:
    """The retained payload on ``topic`` once it says ``online`` (each new subscriber gets it first)."""
    async with asyncio.timeout(timeout):
        while True:
            async with aiomqtt.Client("127.0.0.1", broker.port, identifier=f"reader-{topic}") as reader:
                await reader.subscribe(topic, qos=1)
                with_retained = await anext(aiter(reader.messages))
            payload = with_retained.payload
            assert isinstance(payload, bytes)
            if decode(EdgeStatus if "/edge/" in topic else CentralStatus, payload).online is online:
                return payload
            await asyncio.sleep(0.1)


def stop_with(proc: subprocess.Popen[bytes] | None, sig: signal.Signals) -> int:
    assert proc is not None
    proc.send_signal(sig)
    return proc.wait(timeout=15)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", STOPS)
async def test_an_edge_stopped_cleanly_leaves_its_retained_status_offline(
    mosquitto: Mosquitto, tmp_path: Path, sig: signal.Signals
) -> None:
    unplugged = {"s1": tmp_path / "no-scanner"}  # the edge runs (and retries its scanner) without one
    edge = EdgeProcess(SITE, EDGE, "D1", unplugged, mosquitto.url, tmp_path / "edge", log_level="INFO")
    edge.start()
    try:
        await retained(mosquitto, edge_status_topic(SITE, EDGE), online=True)
        code = await asyncio.to_thread(stop_with, edge.proc, sig)
        status = decode(EdgeStatus, await retained(mosquitto, edge_status_topic(SITE, EDGE), online=False, timeout=1))
    finally:
        edge.stop()
    assert code == 0
    assert (status.edge_id, status.online, status.door, status.backlog) == (EDGE, False, "D1", 0)
    assert status.at is not None  # the edge's own word: the Last Will carries no time
    log = edge.log.read_text()
    assert "edge edge-d1: told the broker it is going offline" in log
    assert "Traceback" not in log


@pytest.mark.timeout(60)
async def test_central_stopped_cleanly_leaves_its_retained_status_offline(mosquitto: Mosquitto, tmp_path: Path) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text(site_yaml(SITE, 1, 10))
    central = CentralProcess(site_file, mosquitto.url, tmp_path / "central.db", log_level="INFO")
    await asyncio.to_thread(central.start)
    try:
        await retained(mosquitto, central_status_topic(SITE), online=True)
        code = await asyncio.to_thread(stop_with, central.proc, signal.SIGTERM)
        status = decode(CentralStatus, await retained(mosquitto, central_status_topic(SITE), online=False, timeout=1))
    finally:
        central.stop()
    assert code == 0
    assert status.online is False
    assert status.at is not None  # central's own word: its Last Will carries no time
    log = central.log.read_text()
    assert "xdock.central.edge_routing.publisher: told the broker central is going offline" in log
    assert "Traceback" not in log

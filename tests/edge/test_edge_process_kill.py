"""``xdock edge`` as a real process, killed with SIGKILL right after the good beep: the scan still arrives."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest

from xdock.edge.offline_router import NO_ROUTE_TEXT
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import EdgeStatus, ScanEvent, decode
from xdock.protocol.topics import edge_status_topic, scan_topic
from xdock.testing import Mosquitto

SITE, EDGE = "it", "edge-d1"


class Edge:
    """One ``python -m xdock edge`` process; always stopped by the test."""

    def __init__(self, broker: Mosquitto, scanner: Path, state_dir: Path) -> None:
        self.args = [
            sys.executable, "-m", "xdock", "edge", "--site-id", SITE, "--edge-id", EDGE, "--door", "D1",
            "--scanner", f"s1={scanner}", "--broker", str(broker.url), "--state-dir", str(state_dir),
            "--answer-timeout", "0.3",
        ]
        self.log = state_dir.parent / "edge.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> int | None:
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
            raise


@pytest.fixture
def edge(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Edge]:
    process = Edge(mosquitto, tmp_path / "scanner-d1", tmp_path / "edge")
    try:
        yield process
    finally:
        process.kill()


async def edge_online(broker: Mosquitto) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="watcher") as watcher:
        await watcher.subscribe(edge_status_topic(SITE, EDGE), qos=1)
        async with asyncio.timeout(20):
            async for message in watcher.messages:
                if decode(EdgeStatus, message.payload).online:  # type: ignore[arg-type]
                    return


async def test_sigkill_after_the_good_beep_loses_nothing(mosquitto: Mosquitto, edge: Edge, tmp_path: Path) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="central-spy", clean_session=False) as spy:
        await spy.subscribe(scan_topic(SITE, EDGE), qos=1)
    async with MockScanner(link=tmp_path / "scanner-d1", name="d1") as scanner:
        edge.start()
        await edge_online(mosquitto)
        await asyncio.to_thread(mosquitto.stop)

        sscc = sscc_with_check_digit("03761303210000001")
        scanner.scan(build_label(sscc, ship_to_postal="69003"))
        await scanner.wait_until(lambda: scanner.beeps == ["good"], timeout=10)
        edge.kill()  # right after the beep: the scan is only in the edge's outbox
        assert scanner.display in ("", NO_ROUTE_TEXT)  # the text may not have been written yet

        await asyncio.to_thread(mosquitto.start)
        edge.start()
        async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="central-spy", clean_session=False) as spy:
            async with asyncio.timeout(20):
                message = await anext(aiter(spy.messages))
        event = decode(ScanEvent, message.payload)  # type: ignore[arg-type]
        assert (event.edge_id, event.seq, event.sscc) == (EDGE, 1, sscc)
        assert event.offline is None  # no routing snapshot: nothing was decided offline
    assert edge.stop() == 0

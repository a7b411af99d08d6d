"""``xdock edge`` as a real process, killed with SIGKILL: the scan still arrives, and what the worker was
told is not told again after the restart."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import pytest

from support.waiting import eventually
from xdock.edge.offline_router import NO_ROUTE_TEXT
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import (
    Assignment,
    CentralStatus,
    DestinationMatch,
    DeviceStatus,
    EdgeStatus,
    RouteSnapshot,
    ScanEvent,
    decode,
    encode,
)
from xdock.protocol.topics import (
    central_status_topic,
    cmd_topic,
    device_status_topic,
    edge_status_topic,
    routes_topic,
    scan_topic,
)
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


async def scanner_read_since(broker: Mosquitto, since: datetime) -> None:
    """Return once the edge says its scanner is open, in a status made after ``since``."""
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="watcher") as watcher:
        await watcher.subscribe(device_status_topic(SITE, EDGE, "s1"), qos=1)
        async with asyncio.timeout(20):
            async for message in watcher.messages:
                status = decode(DeviceStatus, message.payload)  # type: ignore[arg-type]
                if status.online and status.at > since:
                    return


def staged_as_told(event: ScanEvent) -> Assignment:
    return Assignment(edge_id=EDGE, seq=event.seq, device_id="s1", sscc=event.sscc, outcome="staged", area="S1",
                      reason="as told offline", display="→ S1  STAGING  as told offline", decided_at=event.scanned_at)


async def test_sigkill_during_an_outage_then_restart_shows_no_old_answer(
    mosquitto: Mosquitto, edge: Edge, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    snapshot = RouteSnapshot(edge_id=EDGE, plan_version=1, made_at=now, chilled_max_c=8.0, routes=[], staging="S1",
                             destinations=[DestinationMatch(id="NICE", postal_codes=["06*"])])
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="central", clean_session=False) as central:
        await central.subscribe(scan_topic(SITE, EDGE), qos=1)
        await central.publish(routes_topic(SITE, EDGE), encode(snapshot), qos=1, retain=True)
        await central.publish(central_status_topic(SITE), encode(CentralStatus(online=True, at=now)), qos=1,
                              retain=True)
    async with MockScanner(link=tmp_path / "scanner-d1", name="d1") as scanner:
        edge.start()
        await scanner_read_since(mosquitto, now - timedelta(seconds=1))
        routes = tmp_path / "edge" / f"edge-{EDGE}.routes.json"  # the edge keeps the snapshot it adopted
        await eventually(routes.exists, 20, "routing snapshot adopted")
        await asyncio.to_thread(mosquitto.stop)
        for n in (1, 2, 3):
            scanner.scan(build_label(sscc_with_check_digit(f"0376130326{n:07d}"), ship_to_postal="06000"))
            await scanner.wait_until(lambda count=n: len(scanner.beeps) == count, timeout=10)
        await scanner.wait_for_display("S1 STAGING (offline)", timeout=10)
        edge.kill()
        killed = datetime.now(UTC)

        await asyncio.to_thread(mosquitto.start)
        edge.start()
        async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="central", clean_session=False) as central:
            async with asyncio.timeout(20):
                events = [decode(ScanEvent, (await anext(aiter(central.messages))).payload)  # type: ignore[arg-type]
                          for _ in range(3)]
            # The first scan may have left before the edge saw the broker go (then its offline answer came
            # after --answer-timeout, not with the scan); either way the worker heard it once, offline.
            assert [e.seq for e in events] == [1, 2, 3]
            for event in events:  # central keeps every instruction: nothing to tell the worker
                await central.publish(cmd_topic(SITE, EDGE), encode(staged_as_told(event)), qos=1)
            await scanner_read_since(mosquitto, killed)
            scanner.scan(build_label(sscc_with_check_digit("03761303260000004"), ship_to_postal="06000"))
            async with asyncio.timeout(20):
                fourth = decode(ScanEvent, (await anext(aiter(central.messages))).payload)  # type: ignore[arg-type]
            answer = staged_as_told(fourth).model_copy(update={"display": "→ S1  STAGING  fourth"})
            await central.publish(cmd_topic(SITE, EDGE), encode(answer), qos=1)
        # The answers come in order: once the fourth is shown, the three before it were handled.
        await scanner.wait_for_display("→ S1  STAGING  fourth", timeout=10)
        assert scanner.beeps == ["good"] * 4
    assert edge.stop() == 0

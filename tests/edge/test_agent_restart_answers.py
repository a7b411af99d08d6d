"""After a restart the scanner shows only the answer to the scan in hand: old answers are counted, not shown.

Against a real Mosquitto and a mock scanner on a pty. The broker goes down, the worker scans pallets
answered offline, the edge stops and starts again, the broker comes back; the test plays central and
answers every scan the restarted edge sends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import pytest

from support.scans import scan
from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import SystemClock
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import (
    Assignment,
    CentralStatus,
    DestinationMatch,
    OfflineAnswerShown,
    Route,
    RouteSnapshot,
    ScanEvent,
    decode,
    encode,
)
from xdock.protocol.topics import central_status_topic, cmd_topic, offline_answer_topic, routes_topic, scan_topic
from xdock.testing import Mosquitto

SITE, EDGE = "it", "edge-d1"
NOW = datetime.now(UTC)
SNAPSHOT = RouteSnapshot(
    edge_id=EDGE, plan_version=3, made_at=NOW, chilled_max_c=8.0,
    destinations=[DestinationMatch(id="LYON", postal_codes=["69*"]), DestinationMatch(id="NICE", postal_codes=["06*"])],
    routes=[Route(destination="LYON", trailer="T-LYON-1", door="D12", free_positions=10,
                  departure=NOW + timedelta(hours=6))],
    staging="S1",
)
LYON, NICE = "69003", "06000"
STAGED = "→ S1  STAGING  as told offline"


def sscc(n: int) -> str:
    return sscc_with_check_digit(f"0376130323{n:07d}")


def staged(event: ScanEvent, *, correction: bool = False) -> Assignment:
    return Assignment(
        edge_id=EDGE, seq=event.seq, device_id=event.device_id, sscc=event.sscc, outcome="staged", area="S1",
        reason="as told offline", display=STAGED, decided_at=NOW, correction=correction,
    )


def assigned(event: ScanEvent, door: str, trailer: str, *, correction: bool = False) -> Assignment:
    return Assignment(
        edge_id=EDGE, seq=event.seq, device_id=event.device_id, sscc=event.sscc, outcome="assigned", door=door,
        trailer=trailer, reason="test", display=f"→ {door}  {trailer}", decided_at=NOW, correction=correction,
    )


@dataclass
class Dock:
    broker: Mosquitto
    tmp_path: Path
    scanner: MockScanner

    def agent(self, answer_timeout: float = 0.5) -> EdgeAgent:
        config = EdgeConfig(
            site=SITE, edge_id=EDGE, door="D1", broker=self.broker.url,
            scanners=(ScannerPort("s1", str(self.tmp_path / "scanner-d1")),), state_dir=self.tmp_path / "edge",
            answer_timeout=answer_timeout,
        )
        return EdgeAgent(config, SystemClock())

    @contextlib.asynccontextmanager
    async def running(self, agent: EdgeAgent) -> AsyncIterator[EdgeAgent]:
        task = asyncio.create_task(agent.run())
        try:
            await eventually(lambda: agent.drivers["s1"].online, 10, "scanner online")
            yield agent
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        async with aiomqtt.Client("127.0.0.1", self.broker.port, identifier="test-publisher") as client:
            await client.publish(topic, payload, qos=1, retain=retain)

    async def scan(self, agent: EdgeAgent, n: int, postal: str, display: str) -> None:
        beeps = len(self.scanner.beeps) + 1
        self.scanner.scan(build_label(sscc(n), ship_to_postal=postal))
        await self.scanner.wait_until(lambda: len(self.scanner.beeps) == beeps and self.scanner.display == display)


@pytest.fixture
async def dock(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Dock]:
    await Dock(mosquitto, tmp_path, MockScanner()).publish(routes_topic(SITE, EDGE), encode(SNAPSHOT), retain=True)
    await Dock(mosquitto, tmp_path, MockScanner()).publish(
        central_status_topic(SITE), encode(CentralStatus(online=True, at=NOW)), retain=True
    )
    scanner = MockScanner(link=tmp_path / "scanner-d1", name="d1")
    scanner.open()
    try:
        yield Dock(mosquitto, tmp_path, scanner)
    finally:
        scanner.close()


async def sent_scans(dock: Dock, count: int) -> list[ScanEvent]:
    """The first ``count`` scans central's persistent session gets."""
    events: list[ScanEvent] = []
    async with aiomqtt.Client("127.0.0.1", dock.broker.port, identifier="central", clean_session=False) as central:
        async with asyncio.timeout(10):
            async for message in central.messages:
                events.append(decode(ScanEvent, message.payload))  # type: ignore[arg-type]
                if len(events) == count:
                    break
    return events


async def outage(dock: Dock, scans: list[tuple[str, str]]) -> None:
    """The broker stops, the worker scans ``scans`` (postal code, display), the edge stops; the broker is back."""
    async with aiomqtt.Client("127.0.0.1", dock.broker.port, identifier="central", clean_session=False) as central:
        await central.subscribe(scan_topic(SITE, EDGE), qos=1)
    first = dock.agent()
    async with dock.running(first):
        await eventually(lambda: first.router.snapshot == SNAPSHOT, 5, "routing snapshot")
        await asyncio.to_thread(dock.broker.stop)
        await eventually(lambda: not first.uplink.connected.is_set(), 10, "edge sees the broker gone")
        for n, (postal, display) in enumerate(scans, start=1):
            await dock.scan(first, n, postal, display)
    await asyncio.to_thread(dock.broker.start)


async def test_confirmations_of_scans_answered_offline_before_a_restart_are_not_shown(dock: Dock) -> None:
    await outage(dock, [(NICE, "S1 STAGING (offline)")] * 3)
    assert dock.scanner.beeps == ["good"] * 3
    second = dock.agent()
    async with dock.running(second):
        events = await sent_scans(dock, 3)
        assert [(e.seq, e.offline is not None) for e in events] == [(1, True), (2, True), (3, True)]
        for event in events:
            await dock.publish(cmd_topic(SITE, EDGE), encode(staged(event)))
        await eventually(lambda: second.stats.answers == 3, 5, "answers handled")
        assert (dock.scanner.beeps, dock.scanner.display) == (["good"] * 3, "S1 STAGING (offline)")
        assert (second.stats.confirmed_offline, second.stats.corrections, second.stats.superseded) == (3, 0, 0)


async def test_after_a_restart_only_the_correction_of_the_scan_in_hand_is_shown(dock: Dock) -> None:
    await outage(dock, [(LYON, "D12 T-LYON-1 (offline)"), (NICE, "S1 STAGING (offline)")])
    second = dock.agent()
    async with dock.running(second):
        events = await sent_scans(dock, 2)
        # Pallet 1 was put down long ago: its correction goes to the dashboard, not the scanner.
        await dock.publish(cmd_topic(SITE, EDGE), encode(assigned(events[0], "D7", "T-PARIS-2", correction=True)))
        await eventually(lambda: second.stats.answers == 1, 5, "old correction handled")
        assert (dock.scanner.beeps, second.stats.superseded) == (["good", "good"], 1)
        # Pallet 2 is the last one scanned: its worker may still hold it.
        await dock.publish(cmd_topic(SITE, EDGE), encode(assigned(events[1], "D3", "T-NICE-1", correction=True)))
        assert await dock.scanner.wait_for_display("CHANGE: D3 T-NICE-1") == "CHANGE: D3 T-NICE-1"
        assert dock.scanner.beeps == ["good", "good", "error"]
        assert (second.stats.corrections, second.stats.superseded, second.stats.confirmed_offline) == (1, 1, 0)


def online_scan(seq: int) -> ScanEvent:
    return scan(seq, edge=EDGE, at=NOW, sscc=sscc(seq), postal=None)


async def test_answers_in_time_to_scans_in_quick_succession_are_all_shown_in_order(dock: Dock) -> None:
    async with dock.running(dock.agent(answer_timeout=30.0)) as agent:
        await eventually(lambda: agent.central_online is True, 5, "central seen online")
        dock.scanner.scan(build_label(sscc(1), ship_to_postal=LYON))
        dock.scanner.scan(build_label(sscc(2), ship_to_postal=LYON))
        await eventually(lambda: agent.stats.published == 2 and agent.uplink.backlog == 0, 5, "scans sent")
        await dock.publish(cmd_topic(SITE, EDGE), encode(assigned(online_scan(1), "D12", "T-LYON-1")))
        assert await dock.scanner.wait_for_display("→ D12  T-LYON-1") == "→ D12  T-LYON-1"
        await dock.publish(cmd_topic(SITE, EDGE), encode(assigned(online_scan(2), "D4", "T-LYON-2")))
        assert await dock.scanner.wait_for_display("→ D4  T-LYON-2") == "→ D4  T-LYON-2"
        assert dock.scanner.beeps == ["good", "good"]
        assert (agent.stats.answers, agent.stats.superseded) == (2, 0)


async def test_after_a_restart_only_the_answer_to_the_last_scan_of_a_scanner_is_shown(dock: Dock) -> None:
    async with dock.running(dock.agent()) as agent:
        await eventually(lambda: agent.central_online is True, 5, "central seen online")
        for n in (1, 2, 3):
            dock.scanner.scan(build_label(sscc(n), ship_to_postal=LYON))
            await eventually(lambda sent=n: agent.stats.published == sent and agent.uplink.backlog == 0, 5, "sent")
        await dock.scanner.wait_for_display("sent - waiting for central")
    # The worker rescans pallets 1 and 2 later; pallet 3 is the one in hand when the edge is back.
    async with dock.running(dock.agent()) as agent:
        for n, door in ((1, "D12"), (2, "D4"), (3, "D5")):
            await dock.publish(cmd_topic(SITE, EDGE), encode(assigned(online_scan(n), door, "T-LYON-1")))
        assert await dock.scanner.wait_for_display("→ D5  T-LYON-1") == "→ D5  T-LYON-1"
        assert dock.scanner.beeps == ["good"]
        assert (agent.stats.answers, agent.stats.superseded) == (3, 2)


async def test_an_offline_answer_given_after_the_scan_left_is_remembered_and_reported_after_a_restart(
    dock: Dock,
) -> None:
    async with aiomqtt.Client("127.0.0.1", dock.broker.port, identifier="central", clean_session=False) as central:
        await central.subscribe(offline_answer_topic(SITE, EDGE), qos=1)
    async with dock.running(dock.agent()) as agent:
        await eventually(lambda: agent.router.snapshot == SNAPSHOT and agent.central_online is True, 5, "ready")
        dock.scanner.scan(build_label(sscc(1), ship_to_postal=LYON))
        await eventually(lambda: agent.stats.published == 1, 5, "scan sent")
        agent.on_central_status(CentralStatus(online=False, at=NOW))  # central gone before its answer
        await dock.scanner.wait_for_display("D12 T-LYON-1 (offline)")
    async with dock.running(dock.agent()) as agent:
        await dock.publish(cmd_topic(SITE, EDGE), encode(assigned(online_scan(1), "D7", "T-PARIS-2")))
        assert await dock.scanner.wait_for_display("CHANGE: D7 T-PARIS-2") == "CHANGE: D7 T-PARIS-2"
        assert dock.scanner.beeps == ["good", "error"]
        async with aiomqtt.Client("127.0.0.1", dock.broker.port, identifier="central",
                                  clean_session=False) as central, asyncio.timeout(10):
            message = await anext(aiter(central.messages))
        report = decode(OfflineAnswerShown, message.payload)  # type: ignore[arg-type]
        assert (report.scan_seq, report.device_id, report.sscc, report.seq) == (1, "s1", sscc(1), 2)
        assert report.offline.model_dump(exclude={"decided_at"}) == {
            "plan_version": 3, "outcome": "assigned", "door": "D12", "trailer": "T-LYON-1", "area": None,
        }
        assert (agent.stats.corrections, agent.stats.offline_reports) == (1, 1)

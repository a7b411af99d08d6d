"""The edge agent answering from its routing snapshot, against a real Mosquitto and a mock scanner on a pty.

The test plays central by hand: it publishes the retained routing snapshot and central status, reads
the scans, and publishes answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import pytest

from support.scans import sscc
from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import SystemClock
from xdock.protocol.gs1 import build_label
from xdock.protocol.messages import (
    Assignment,
    CentralStatus,
    DestinationMatch,
    DeviceStatus,
    EdgeStatus,
    Route,
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
NOW = datetime.now(UTC)
SNAPSHOT = RouteSnapshot(
    edge_id=EDGE, plan_version=3, made_at=NOW, chilled_max_c=8.0,
    destinations=[DestinationMatch(id="LYON", postal_codes=["69*"])],
    routes=[Route(destination="LYON", trailer="T-LYON-1", door="D12", free_positions=10,
                  departure=NOW + timedelta(hours=6))],
    staging="S1",
)
OFFLINE_TEXT = "D12 T-LYON-1 (offline)"


@dataclass
class Floor:
    broker: Mosquitto
    agent: EdgeAgent
    scanner: MockScanner
    config: EdgeConfig

    async def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        async with aiomqtt.Client("127.0.0.1", self.broker.port, identifier="test-central") as client:
            await client.publish(topic, payload, qos=1, retain=retain)

    async def central(self, *, online: bool) -> None:
        await self.publish(central_status_topic(SITE), encode(CentralStatus(online=online, at=NOW)), retain=True)
        await eventually(lambda: self.agent.central_online is online, 5, f"central seen {online}")

    async def answer(self, seq: int, *, door: str, trailer: str, correction: bool) -> None:
        message = Assignment(
            edge_id=EDGE, seq=seq, device_id="s1", sscc=sscc(seq), outcome="assigned", door=door, trailer=trailer,
            reason="test", display=f"→ {door}", decided_at=NOW, correction=correction,
        )
        await self.publish(cmd_topic(SITE, EDGE), encode(message))


async def start_floor(broker: Mosquitto, tmp_path: Path, **options: object) -> tuple[Floor, asyncio.Task[None]]:
    scanner = MockScanner(link=tmp_path / "scanner-d1", name="d1")
    scanner.open()
    config = EdgeConfig(
        site=SITE, edge_id=EDGE, door="D1", broker=broker.url,
        scanners=(ScannerPort("s1", str(tmp_path / "scanner-d1")),), state_dir=tmp_path / "edge",
    )
    config = replace(config, **options)  # type: ignore[arg-type]
    agent = EdgeAgent(config, SystemClock())
    task = asyncio.create_task(agent.run())
    floor = Floor(broker, agent, scanner, config)
    async with asyncio.timeout(10):
        await agent.uplink.connected.wait()
    await eventually(lambda: agent.drivers["s1"].online, 10, "scanner online")
    return floor, task


@pytest.fixture
async def floor(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Floor]:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="setup") as client:
        await client.publish(routes_topic(SITE, EDGE), encode(SNAPSHOT), qos=1, retain=True)
    dock, task = await start_floor(mosquitto, tmp_path, answer_timeout=0.5)
    try:
        await eventually(lambda: dock.agent.router.snapshot == SNAPSHOT, 5, "routing snapshot")
        yield dock
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        dock.scanner.close()


async def test_broker_down_the_worker_is_answered_from_the_snapshot_and_the_scan_follows(floor: Floor) -> None:
    # central's persistent session, queued for while the broker is down
    async with aiomqtt.Client("127.0.0.1", floor.broker.port, identifier="spy", clean_session=False) as spy:
        await spy.subscribe(scan_topic(SITE, EDGE), qos=1)
    await asyncio.to_thread(floor.broker.stop)
    await eventually(lambda: not floor.agent.uplink.connected.is_set(), 10, "edge sees the broker gone")

    floor.scanner.scan(build_label(sscc(1), ship_to_postal="69003"))
    assert await floor.scanner.wait_for_display(OFFLINE_TEXT) == OFFLINE_TEXT
    assert floor.scanner.beeps == ["good"]
    assert floor.agent.uplink.backlog == 1

    await asyncio.to_thread(floor.broker.start)
    async with aiomqtt.Client("127.0.0.1", floor.broker.port, identifier="spy", clean_session=False) as spy:
        async with asyncio.timeout(10):
            message = await anext(aiter(spy.messages))
    event = decode(ScanEvent, message.payload)  # type: ignore[arg-type]
    assert (event.seq, event.sscc) == (1, sscc(1))
    assert event.offline is not None
    assert event.offline.model_dump(exclude={"decided_at"}) == {
        "plan_version": 3, "outcome": "assigned", "door": "D12", "trailer": "T-LYON-1", "area": None,
    }
    await eventually(lambda: floor.agent.uplink.backlog == 0, 5, "outbox drained")


async def test_central_offline_correction_shown_only_when_central_says_so(floor: Floor) -> None:
    await floor.central(online=False)
    floor.scanner.scan(build_label(sscc(1), ship_to_postal="69003"))
    await floor.scanner.wait_for_display(OFFLINE_TEXT)
    await floor.answer(1, door="D12", trailer="T-LYON-1", correction=False)
    await eventually(lambda: floor.agent.stats.confirmed_offline == 1, 5, "confirmation counted")
    assert (floor.scanner.display, floor.scanner.beeps) == (OFFLINE_TEXT, ["good"])

    floor.scanner.scan(build_label(sscc(2), ship_to_postal="69003"))
    await floor.scanner.wait_until(lambda: floor.scanner.beeps == ["good", "good"])
    assert floor.scanner.display == OFFLINE_TEXT
    await floor.answer(2, door="D7", trailer="T-PARIS-2", correction=True)
    assert await floor.scanner.wait_for_display("CHANGE: D7 T-PARIS-2") == "CHANGE: D7 T-PARIS-2"
    assert floor.scanner.beeps == ["good", "good", "error"]
    assert (floor.agent.stats.offline_answers, floor.agent.stats.corrections) == (2, 1)
    assert floor.agent.router.free_positions("T-LYON-1") == 8


async def test_central_online_answers_as_before_and_waiting_turns_offline_when_central_goes(floor: Floor) -> None:
    await floor.central(online=True)
    floor.scanner.scan(build_label(sscc(1), ship_to_postal="69003"))
    assert await floor.scanner.wait_for_display("sent - waiting for central") == "sent - waiting for central"
    assert floor.scanner.beeps == []
    await floor.answer(1, door="D12", trailer="T-LYON-1", correction=False)
    await floor.scanner.wait_for_display("→ D12")
    assert floor.scanner.beeps == ["good"]

    floor.scanner.scan(build_label(sscc(2), ship_to_postal="69003"))
    await floor.central(online=False)  # before the answer timeout
    assert await floor.scanner.wait_for_display(OFFLINE_TEXT) == OFFLINE_TEXT
    # The scan left without the decision, so the edge compares central's later answer itself.
    await floor.answer(2, door="D7", trailer="T-PARIS-2", correction=False)
    assert await floor.scanner.wait_for_display("CHANGE: D7 T-PARIS-2") == "CHANGE: D7 T-PARIS-2"
    assert floor.scanner.beeps == ["good", "good", "error"]


async def test_heartbeat_repeats_edge_and_scanner_status(mosquitto: Mosquitto, tmp_path: Path) -> None:
    edges: list[EdgeStatus] = []
    devices: list[DeviceStatus] = []
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="watcher") as watcher:
        await watcher.subscribe(edge_status_topic(SITE, EDGE), qos=1)
        await watcher.subscribe(device_status_topic(SITE, EDGE, "s1"), qos=1)
        dock, task = await start_floor(mosquitto, tmp_path, heartbeat_s=0.1)
        try:
            async with asyncio.timeout(10):
                async for message in watcher.messages:
                    payload: bytes = message.payload  # type: ignore[assignment]
                    if message.topic.value.endswith("/device/s1/status"):
                        devices.append(decode(DeviceStatus, payload))
                    else:
                        edges.append(decode(EdgeStatus, payload))
                    if len(edges) >= 3 and len(devices) >= 3:
                        break
            dock.scanner.close()
            async with asyncio.timeout(10):
                async for message in watcher.messages:
                    if message.topic.value.endswith("/device/s1/status"):
                        devices.append(decode(DeviceStatus, message.payload))  # type: ignore[arg-type]
                        if not devices[-1].online:
                            break
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    online = [e for e in edges if e.online]
    assert len(online) >= 3
    assert {(e.heartbeat_s, e.backlog, e.door) for e in online} == {(0.1, 0, "D1")}
    assert {(d.online, d.heartbeat_s) for d in devices[:3]} == {(True, 0.1)}
    assert (devices[-1].online, devices[-1].heartbeat_s) == (False, None)


async def test_a_restarted_edge_keeps_the_snapshot_without_a_broker(tmp_path: Path) -> None:
    config = EdgeConfig(
        site=SITE, edge_id=EDGE, door="D1", broker=Mosquitto(tmp_path / "unused").url,
        scanners=(ScannerPort("s1", str(tmp_path / "none")),), state_dir=tmp_path / "edge",
    )
    first = EdgeAgent(config, SystemClock())
    first.on_routes(SNAPSHOT)
    await first.outbox.aclose()
    second = EdgeAgent(config, SystemClock())
    assert second.router.snapshot == SNAPSHOT
    await second.outbox.aclose()

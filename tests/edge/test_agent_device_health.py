"""The edge agent's device statuses through a real Mosquitto: a scanner on a pty, an LLRP reader on TCP whose clock
is an hour ahead, a Modbus probe on a pty; each status carries its driver's counters, and a reader that drops its
connection, or a probe that stops answering, is reported offline at once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import pytest

from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.edge.portals import PortalReader
from xdock.edge.sensor_probes import ModbusProbe
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock
from xdock.firmware_mocks.llrp_tags import TagPass
from xdock.firmware_mocks.modbus_sensor import MockModbusSensor
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import Clock, SystemClock
from xdock.protocol.epc import Sscc96
from xdock.protocol.messages import DeviceStatus, decode
from xdock.protocol.modbus_probe import ProbeSample
from xdock.protocol.passages import DoorPassage
from xdock.protocol.topics import device_status_topic, passage_topic
from xdock.testing import Mosquitto

PALLET = Sscc96.from_sscc("376130321109103420", company_prefix_length=7).encode()


@dataclass
class AheadClock:
    """Another clock's time plus ``offset``: a reader whose clock was never set right."""

    base: Clock
    offset: timedelta

    def now(self) -> datetime:
        return self.base.now() + self.offset

    async def sleep(self, seconds: float) -> None:
        await self.base.sleep(seconds)


@dataclass
class Edge:
    agent: EdgeAgent
    reader: LlrpReaderMock
    watcher: aiomqtt.Client

    passages: list[DoorPassage] = field(default_factory=list)

    async def next_status(self, device_id: str, wanted: Callable[[DeviceStatus], bool]) -> DeviceStatus:
        """The next status of ``device_id`` that is ``wanted`` (passages on the way are kept)."""
        async with asyncio.timeout(10):
            async for message in self.watcher.messages:
                assert isinstance(message.payload, bytes)
                if message.topic.value.endswith("/passage"):
                    self.passages.append(decode(DoorPassage, message.payload))
                    continue
                status = decode(DeviceStatus, message.payload)
                if status.device_id == device_id and wanted(status):
                    return status
        raise AssertionError("the watcher's stream ended")

    def carry_out(self) -> None:
        """Script the pallet through the door from the building side (inside antenna 2 first)."""
        t = self.reader.script_time() + 0.1
        self.reader.tags.add(
            TagPass(PALLET, antenna_id=2, start_s=t, end_s=t + 0.25, peak_rssi=-50, falloff_db_per_s=40),
            TagPass(PALLET, antenna_id=1, start_s=t + 0.2, end_s=t + 0.45, peak_rssi=-50, falloff_db_per_s=40),
        )
        self.reader.wake()


@pytest.fixture
async def edge(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Edge]:
    clock = SystemClock()
    reader = LlrpReaderMock(clock=AheadClock(clock, timedelta(hours=1)))
    scanner = MockScanner(link=tmp_path / "scanner-d12", name="d12")
    scanner.open()
    task: asyncio.Task[None] | None = None
    try:
        await reader.start()
        async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(3.5, 60.0)) as probe, \
                aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="watcher") as watcher:
            for device in ("s12", "R1", "t1"):
                await watcher.subscribe(device_status_topic("it", "edge-d12", device), qos=1)
            await watcher.subscribe(passage_topic("it", "edge-d12"), qos=1)
            config = EdgeConfig(
                site="it", edge_id="edge-d12", door="D12", broker=mosquitto.url,
                scanners=(ScannerPort("s12", str(tmp_path / "scanner-d12")),),
                readers=(PortalReader("R1", "127.0.0.1", reader.port),),
                probes=(ModbusProbe("t1", str(probe.link), 1),), heartbeat_s=0.2, state_dir=tmp_path / "edge",
            )
            agent = EdgeAgent(config, clock)
            task = asyncio.create_task(agent.run())
            yield Edge(agent, reader, watcher)
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await reader.close()
        scanner.close()


async def test_each_device_reports_its_kind_and_counters_and_a_lost_reader_is_offline_at_once(edge: Edge) -> None:
    scanner = await edge.next_status("s12", lambda s: s.online)
    assert (scanner.device_kind, scanner.heartbeat_s, scanner.counters) == (
        "serial_scanner", 0.2, {"scans": 0, "bad_lines": 0}
    )
    probe = await edge.next_status("t1", lambda s: s.online)
    port = edge.agent.probes[0].config.port
    assert (probe.device_kind, probe.detail, probe.heartbeat_s) == ("modbus_sensor", f"{port}@1", 0.2)
    assert probe.counters is not None
    assert set(probe.counters) == {"polls", "ok", "timeouts", "crc_errors", "exceptions", "bad_values", "disconnects"}
    assert probe.counters["polls"] == probe.counters["ok"] >= 1

    await edge.next_status("R1", lambda s: s.online)
    edge.carry_out()
    await eventually(lambda: edge.agent.stats.passages == 1, 10, "passage recorded")
    reader = await edge.next_status("R1", lambda s: s.counters is not None and s.counters["reads"] > 0)
    assert (reader.device_kind, reader.online, reader.heartbeat_s) == ("rfid_reader", True, 0.2)
    assert reader.detail == f"127.0.0.1:{edge.reader.port}, reader clock +3600.0 s off, reads rebased"
    assert reader.counters is not None
    assert set(reader.counters) == {"reads", "reports", "bad_frames", "reconnects", "non_sscc", "keepalives",
                                    "clock_rebased"}
    assert reader.counters["clock_rebased"] == reader.counters["reports"] >= 1
    assert (reader.counters["bad_frames"], reader.counters["reconnects"]) == (0, 0)
    # The reader is an hour ahead; its passage is judged, and stamped, on the edge's clock.
    await edge.next_status("R1", lambda s: bool(edge.passages))
    [passage] = edge.passages
    assert (passage.device_id, passage.direction, passage.door) == ("R1", "out", "D12")
    assert abs(passage.at - datetime.now(UTC)) < timedelta(minutes=1)

    address = f"127.0.0.1:{edge.reader.port}"
    await edge.reader.close()
    gone = await edge.next_status("R1", lambda s: not s.online)
    assert (gone.heartbeat_s, gone.counters is not None and gone.counters["reconnects"]) == (None, 1)
    assert gone.detail == f"{address}, reader clock +3600.0 s off, reads rebased"


async def test_a_probe_that_stops_answering_is_reported_offline_at_once_and_online_when_it_answers_again(
    mosquitto: Mosquitto, tmp_path: Path,
) -> None:
    statuses: list[DeviceStatus] = []

    async def next_status(watcher: aiomqtt.Client) -> DeviceStatus:
        async with asyncio.timeout(20):
            async for message in watcher.messages:
                assert isinstance(message.payload, bytes)
                statuses.append(decode(DeviceStatus, message.payload))
                return statuses[-1]
        raise AssertionError("the watcher's stream ended")

    async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(3.5, 60.0)) as probe, \
            aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="watcher") as watcher:
        await watcher.subscribe(device_status_topic("it", "edge-d12", "t1"), qos=1)
        config = EdgeConfig(
            site="it", edge_id="edge-d12", door="D12", broker=mosquitto.url, scanners=(),
            probes=(ModbusProbe("t1", str(probe.link), 1),), heartbeat_s=600.0, state_dir=tmp_path / "edge",
        )
        agent = EdgeAgent(config, SystemClock())
        task = asyncio.create_task(agent.run())
        try:
            online = await next_status(watcher)
            probe.mute = True
            offline = await next_status(watcher)
            probe.mute = False
            back = await next_status(watcher)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    detail = f"{probe.link}@1"
    zero = {"polls": 0, "ok": 0, "timeouts": 0, "crc_errors": 0, "exceptions": 0, "bad_values": 0, "disconnects": 0}
    # A heartbeat every 600 s: the first beat came before the first poll, so each status was sent at once.
    assert [(s.online, s.heartbeat_s, s.detail) for s in statuses] == [
        (True, 600.0, detail), (False, None, f"{detail}: timeout"), (True, 600.0, detail),
    ]
    assert online.counters == {**zero, "polls": 1, "ok": 1}
    assert offline.counters is not None
    ok = offline.counters["ok"]
    assert offline.counters == {**zero, "polls": ok + 3, "ok": ok, "timeouts": 3}
    # Unmuted as the offline status came, while the poller waited 2 s for its next poll: answered.
    assert back.counters == {**zero, "polls": ok + 4, "ok": ok + 1, "timeouts": 3}

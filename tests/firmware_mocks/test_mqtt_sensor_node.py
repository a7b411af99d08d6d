"""MQTT sensor node mock: readings on change and every N s through a real Mosquitto, seq kept across restarts,
its retained online status and its Last Will offline when it dies."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.waiting import eventually
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode, SeqFile, ValueScript, reefer_logger
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, decode
from xdock.protocol.sensors import SensorReading
from xdock.testing.servers import Mosquitto

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SITE = "lyon-nord"


def _sensors() -> list[NodeSensor]:
    return [
        *reefer_logger("T1", ValueScript([(0, 4.0), (20, 4.3), (40, 5.0), (60, 9.0)]), ValueScript([(0, 80.0)])),
        NodeSensor("D12-DOOR", "door_contact", ValueScript([(0, 0.0), (30, 1.0)]), max_interval_s=60),
        NodeSensor("D12-PRES", "trailer_presence", ValueScript([(0, 1.0)]), max_interval_s=60),
    ]


def test_value_script_holds_each_step_and_refuses_bad_steps() -> None:
    script = ValueScript([(0, 1.0), (10, 2.0)])
    assert [script.value_at(t) for t in (0, 9.9, 10, 500)] == [1.0, 1.0, 2.0, 2.0]
    with pytest.raises(ValueError, match=r"must start at offset 0"):
        ValueScript([(5, 1.0)])
    with pytest.raises(ValueError, match=r"offsets must increase, got \[0, 10, 5\]"):
        ValueScript([(0, 1.0), (10, 2.0), (5, 3.0)])


def test_seq_file_never_repeats_a_seq_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "node.seq"
    first = SeqFile(path, block=3)
    assert [first.take() for _ in range(4)] == [1, 2, 3, 4]
    assert path.read_text() == "7\n"
    again = SeqFile(path, block=3)
    assert again.take() == 7
    path.write_text("x")
    with pytest.raises(ValueError, match=r"expected a positive integer, got 'x'"):
        SeqFile(path)


async def test_the_node_reports_on_change_and_every_interval_through_mosquitto(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    got: list[tuple[str, SensorReading]] = []
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as watcher:
        await watcher.subscribe(f"xdock/v1/{SITE}/edge/+/sensor/+/reading", qos=1)

        async def collect() -> None:
            async for message in watcher.messages:
                assert isinstance(message.payload, bytes)
                got.append((str(message.topic), decode(SensorReading, message.payload)))

        task = asyncio.create_task(collect())
        try:
            async with SensorNode(SITE, "node-t1", _sensors(), clock, tmp_path / "node.seq",
                                  port=mosquitto.port) as node:
                for _ in range(8):  # t = 0, 10, ..., 70
                    await node.step()
                    clock.advance(10)
            await eventually(lambda: len(got) == node.published, what="every reading delivered")
        finally:
            task.cancel()
    seen = [(r.sensor_id, (r.at - T0).total_seconds(), r.value, r.seq) for _, r in got]
    assert seen == [
        ("T1-TEMP", 0, 4.0, 1), ("T1-RH", 0, 80.0, 2), ("D12-DOOR", 0, 0.0, 3), ("D12-PRES", 0, 1.0, 4),
        ("D12-DOOR", 30, 1.0, 5),  # opened: any change
        ("T1-TEMP", 40, 5.0, 6),  # 4.3 at t=20 was within the half-degree deadband
        ("T1-TEMP", 60, 9.0, 7), ("D12-PRES", 60, 1.0, 8),  # presence unchanged: its 60 s heartbeat
    ]
    assert [topic for topic, _ in got] == [f"xdock/v1/{SITE}/edge/node-t1/sensor/{r.sensor_id}/reading" for _, r in got]
    assert {r.edge_id for _, r in got} == {"node-t1"}


async def _statuses(port: int, until: int) -> list[DeviceStatus]:
    found: list[DeviceStatus] = []
    async with aiomqtt.Client("127.0.0.1", port) as watcher:
        await watcher.subscribe(f"xdock/v1/{SITE}/edge/node-t1/device/node-t1/status", qos=1)
        async with asyncio.timeout(10):
            async for message in watcher.messages:
                assert isinstance(message.payload, bytes)
                found.append(decode(DeviceStatus, message.payload))
                if len(found) == until:
                    return found
    return found


async def test_a_clean_stop_leaves_a_retained_offline_status(mosquitto: Mosquitto, tmp_path: Path) -> None:
    async with SensorNode(SITE, "node-t1", _sensors(), ManualClock(T0), tmp_path / "node.seq", port=mosquitto.port):
        (online,) = await _statuses(mosquitto.port, 1)
    (offline,) = await _statuses(mosquitto.port, 1)
    assert (online.device_kind, online.online) == ("sensor_node", True)
    assert (offline.online, offline.detail) == (False, "shut down")


_NODE_PROCESS = """
import asyncio, sys
from pathlib import Path
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode, ValueScript
from xdock.protocol.clock import SystemClock

async def main() -> None:
    sensors = [NodeSensor("D12-DOOR", "door_contact", ValueScript([(0, 0.0)]))]
    async with SensorNode("lyon-nord", "node-t1", sensors, SystemClock(), Path(sys.argv[2]),
                          port=int(sys.argv[1]), sample_s=0.5) as node:
        print("up", flush=True)
        await node.run()

asyncio.run(main())
"""


async def test_a_killed_node_is_shown_offline_by_its_last_will(mosquitto: Mosquitto, tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _NODE_PROCESS, str(mosquitto.port), str(tmp_path / "node.seq"),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(10):
            assert await proc.stdout.readline() == b"up\n"
        statuses: list[DeviceStatus] = []
        async with aiomqtt.Client("127.0.0.1", mosquitto.port) as watcher:
            await watcher.subscribe(f"xdock/v1/{SITE}/edge/node-t1/device/node-t1/status", qos=1)
            async with asyncio.timeout(10):
                async for message in watcher.messages:
                    assert isinstance(message.payload, bytes)
                    statuses.append(decode(DeviceStatus, message.payload))
                    if len(statuses) == 1:
                        proc.send_signal(signal.SIGKILL)  # no DISCONNECT: the broker publishes the Will
                    else:
                        break
        assert [(s.online, s.detail) for s in statuses] == [(True, ""), (False, "link lost")]
    finally:
        if proc.returncode is None:
            proc.kill()
        async with asyncio.timeout(10):
            await proc.wait()

"""An edge with a Modbus probe on a real pty publishes its readings through the outbox to a real Mosquitto."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import aiomqtt

from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig
from xdock.edge.sensor_probes import ModbusProbe
from xdock.firmware_mocks.modbus_sensor import MockModbusSensor
from xdock.protocol.clock import SystemClock
from xdock.protocol.messages import decode
from xdock.protocol.modbus_probe import ProbeSample
from xdock.protocol.sensors import SensorReading
from xdock.protocol.topics import sensor_reading_wildcard
from xdock.testing import Mosquitto


async def test_the_edge_reports_a_modbus_probe_to_the_broker(mosquitto: Mosquitto, tmp_path: Path) -> None:
    got: list[tuple[str, SensorReading]] = []
    async with MockModbusSensor(link=tmp_path / "probe", sample=ProbeSample(-2.5, 61.2)), \
            aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="watcher") as watcher:
        await watcher.subscribe(sensor_reading_wildcard("it"), qos=1)
        config = EdgeConfig(site="it", edge_id="edge-d1", door="D1", broker=mosquitto.url, scanners=(),
                            state_dir=tmp_path / "edge",
                            probes=(ModbusProbe.parse(f"t-d1={tmp_path / 'probe'}"),))
        agent = EdgeAgent(config, SystemClock())
        task = asyncio.create_task(agent.run())
        try:
            async with asyncio.timeout(10):
                async for message in watcher.messages:
                    assert isinstance(message.payload, bytes)
                    got.append((str(message.topic), decode(SensorReading, message.payload)))
                    if {r.kind for _, r in got} == {"temperature", "humidity"}:
                        break
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    # One reading of each kind; on a busy machine a poll may miss one of them and the next poll brings it.
    assert {(topic, r.edge_id, r.sensor_id, r.kind, r.value, r.unit) for topic, r in got} == {
        ("xdock/v1/it/edge/edge-d1/sensor/t-d1-temp/reading", "edge-d1", "t-d1-temp", "temperature", -2.5, "C"),
        ("xdock/v1/it/edge/edge-d1/sensor/t-d1-rh/reading", "edge-d1", "t-d1-rh", "humidity", 61.2, "%RH"),
    }
    seqs = [r.seq for _, r in got]
    assert seqs == list(range(seqs[0], seqs[0] + len(got)))  # the edge's sequence, without gaps
    assert agent.probes[0].stats.reported >= len(got)

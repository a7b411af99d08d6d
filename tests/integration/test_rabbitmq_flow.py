"""The whole flow through RabbitMQ's MQTT plugin (MQTT 3.1.1), a broker sites cluster for high availability.

RabbitMQ keeps retained messages per node and does not deliver them to wildcard subscriptions, so central
knows who is alive from the edges' heartbeats, never from a retained status on ``edge/+/status``.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.inproc_central import running_central
from support.rabbitmq import rabbitmq_mqtt
from support.sites import inbound, site_config
from support.waiting import eventually
from xdock.central.app import CentralConfig
from xdock.demo.broker import DEMO_LINK
from xdock.demo.runner import DemoOptions, run_demo
from xdock.edge.route_file import load_snapshot
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import SystemClock
from xdock.protocol.messages import EdgeStatus, encode
from xdock.protocol.topics import edge_status_topic

SENSORS = {
    "T-LYON-2-TEMP", "T-LYON-2-RH", "T-PARIS-2-TEMP", "T-PARIS-2-RH", "S2-TEMP", "S2-RH",
    "D12-DOOR", "D12-PRESENCE", "D13-DOOR", "D13-PRESENCE", "B1P-temp", "B1P-rh",
}


@pytest.fixture(scope="module")
def rabbit() -> Iterator[BrokerUrl]:
    with rabbitmq_mqtt() as url:
        yield url


def test_scans_answers_passages_readings_and_snapshots_go_through_rabbitmq(rabbit: BrokerUrl, tmp_path: Path) -> None:
    # The demo's floor (central, four edges, scanners, RFID portals, sensor nodes, a Modbus probe) on RabbitMQ.
    out = io.StringIO()
    options = DemoOptions(broker=rabbit, duration=9.0, speed=120.0, seed=7, api_port=None, workdir=tmp_path,
                          live=False, misload_chance=0.3)
    log = asyncio.run(run_demo(options, out))
    assert f"broker {rabbit}" in out.getvalue()
    assert log.scans >= 5
    assert len(log.latencies_ms) == log.scans  # every scan answered by central through the broker
    assert log.devices is not None
    assert log.devices.rfid_loaded >= 1  # portal passages reached central and confirmed loads
    assert set(dict(log.devices.latest)) == SENSORS  # every sensor's readings reached central
    for door in ("D1", "D2"):  # each scanner edge keeps the routing snapshot central sent it
        snapshot = load_snapshot(tmp_path / f"edge-{door}" / f"edge-edge-{door}.routes.json")
        assert snapshot is not None
        assert snapshot.plan_version >= 1


async def test_central_knows_a_live_edge_from_its_heartbeat_not_a_retained_status(rabbit: BrokerUrl,
                                                                                 tmp_path: Path) -> None:
    site = site_config(id="rb", timezone="UTC", doors=[inbound()], destinations=[], trailers=[])
    config = CentralConfig(site=site, broker=rabbit, broker_link=DEMO_LINK, db=tmp_path / "c.db", api_port=None)
    async with aiomqtt.Client("127.0.0.1", rabbit.port, identifier="edge-rb", protocol=aiomqtt.ProtocolVersion.V311) \
            as edge:
        # Retained before central subscribes: RabbitMQ does not hand it to central's edge/+/status.
        status = EdgeStatus(edge_id="edge-rb", online=True, door="D1", heartbeat_s=30.0, at=datetime.now(UTC))
        await edge.publish(edge_status_topic("rb", "edge-rb"), encode(status), qos=1, retain=True)
        async with running_central(config, SystemClock()) as (central, _http):
            # The edge's next heartbeat (a live message) is what central goes by.
            beat = EdgeStatus(edge_id="edge-rb", online=True, door="D1", heartbeat_s=30.0, at=datetime.now(UTC))
            await edge.publish(edge_status_topic("rb", "edge-rb"), encode(beat), qos=1, retain=True)
            await eventually(lambda: central.liveness.heard("edge-rb"), timeout=10, what="central hears edge-rb")
        await edge.publish(edge_status_topic("rb", "edge-rb"), b"", qos=1, retain=True)  # leave no retained status

"""The whole flow through RabbitMQ's MQTT plugin (MQTT 3.1.1), a broker sites cluster for high availability.

RabbitMQ keeps retained messages per node and does not deliver them to wildcard subscriptions, so central
knows who is alive from the edges' heartbeats, never from a retained status on ``edge/+/status``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import httpx
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

EDGES = {"edge-D1", "edge-D2", "edge-D12", "edge-D13"}
SENSORS = {
    "T-LYON-2-TEMP", "T-LYON-2-RH", "T-PARIS-2-TEMP", "T-PARIS-2-RH", "S2-TEMP", "S2-RH",
    "D12-DOOR", "D12-PRESENCE", "D13-DOOR", "D13-PRESENCE", "B1P-temp", "B1P-rh",
}

# The time limits cover the tests only: enabling and disabling RabbitMQ's plugin (the module's fixture) runs
# RabbitMQ's own tools, which can take minutes on a busy machine and are bounded by the fixture itself.
pytestmark = pytest.mark.timeout(120, func_only=True)


@pytest.fixture(scope="module")
def rabbit() -> Iterator[BrokerUrl]:
    with rabbitmq_mqtt() as url:
        yield url


@pytest.mark.timeout(400, func_only=True)  # the waits below (60 s + 240 s + 60 s) bound a stuck run
async def test_scans_answers_passages_readings_and_snapshots_go_through_rabbitmq(rabbit: BrokerUrl,
                                                                                   tmp_path: Path) -> None:
    # The demo's floor (central, four edges, scanners, RFID portals, sensor nodes, a Modbus probe) on RabbitMQ,
    # watched through central's API until everything has gone through; every forklift tries the wrong portal
    # first, so each portal passage shows as a mis-load at central.
    out = io.StringIO()
    options = DemoOptions(broker=rabbit, duration=None, speed=120.0, seed=7, api_port=0, workdir=tmp_path,
                          live=False, misload_chance=1.0)
    demo = asyncio.create_task(run_demo(options, out))
    try:
        await eventually(lambda: "API: http://127.0.0.1:" in out.getvalue(), timeout=60, what="central's API")
        port = re.search(r"API: http://127\.0\.0\.1:(\d+)/", out.getvalue())
        assert port is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port.group(1)}") as http:
            seen: dict[str, Any] = {}

            async def look() -> None:
                for name in ("stats", "edges", "sensors", "kpis"):
                    seen[name] = (await http.get(f"/api/v1/{name}")).json()

            def through() -> bool:
                return (seen["stats"]["applied"] >= 5  # scans applied
                        and {e["id"] for e in seen["edges"] if e["online"]} == EDGES  # heartbeats, no retained status
                        and all(s["value"] is not None for s in seen["sensors"])  # every sensor's readings
                        and seen["kpis"]["portal_misloads"] >= 1  # a portal passage
                        and all(_snapshot(tmp_path, door) for door in ("D1", "D2")))  # routing snapshots kept

            try:
                async with asyncio.timeout(240):  # a bound for a stuck run, not a pace: it ends on the condition
                    await look()
                    while not through():
                        await asyncio.sleep(0.5)
                        await look()
            except TimeoutError:
                missing = {
                    "applied": seen["stats"]["applied"], "online": [e["id"] for e in seen["edges"] if e["online"]],
                    "unread sensors": [s["id"] for s in seen["sensors"] if s["value"] is None],
                    "portal_misloads": seen["kpis"]["portal_misloads"],
                    "snapshots": {door: _snapshot(tmp_path, door) for door in ("D1", "D2")},
                }
                raise AssertionError(f"not everything went through RabbitMQ in 240 s: {missing}") from None
        assert {s["id"] for s in seen["sensors"]} == SENSORS
        assert sum("✓ →" in line for line in out.getvalue().splitlines()) >= 5  # answers back at the scanners
    finally:
        demo.cancel()
        await _stopped(demo)


async def _stopped(demo: asyncio.Task[Any]) -> None:
    """Wait for the cancelled demo to stop; if it has not within 60 s, fail naming the tasks still pending."""
    done, _ = await asyncio.wait({demo}, timeout=60)
    if done:
        with contextlib.suppress(asyncio.CancelledError):
            demo.result()
        return
    stacks = io.StringIO()
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.print_stack(limit=8, file=stacks)
    raise AssertionError(f"the demo did not stop within 60 s of its cancel; pending tasks:\n{stacks.getvalue()}")


def _snapshot(work: Path, door: str) -> bool:
    """The scanner edge at ``door`` keeps a routing snapshot central sent it."""
    path = work / f"edge-{door}" / f"edge-edge-{door}.routes.json"
    snapshot = load_snapshot(path) if path.exists() else None
    return snapshot is not None and snapshot.plan_version >= 1


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

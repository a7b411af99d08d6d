"""Central as a real process: retained routing snapshots for the edges it knows, and its retained status,
set offline by its Last Will when the process is killed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.sites import site_yaml, staging
from xdock.protocol.messages import CentralStatus, EdgeStatus, RouteSnapshot, decode, encode
from xdock.protocol.topics import central_status_topic, edge_status_topic, routes_topic
from xdock.testing import CentralProcess, Mosquitto

SITE = site_yaml(id="it", timezone="UTC", areas=[staging()])


@pytest.fixture
async def central(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[CentralProcess]:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    process = CentralProcess(site, mosquitto.url, tmp_path / "c.db", sim_start="2026-11-23T08:00:00+00:00")
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)


async def first(client: aiomqtt.Client, wanted: Callable[[str, bytes], bool]) -> tuple[str, bytes, bool]:
    """The first message ``wanted`` accepts, with its topic and retain flag."""
    async with asyncio.timeout(10):
        async for message in client.messages:
            assert isinstance(message.payload, bytes)
            if wanted(str(message.topic), message.payload):
                return str(message.topic), message.payload, message.retain
    raise AssertionError("subscription ended")


def anything(_topic: str, _payload: bytes) -> bool:
    return True


async def test_edge_gets_a_retained_snapshot_and_sees_central_go_offline_when_killed(
    central: CentralProcess, mosquitto: Mosquitto
) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-x") as edge:
        # The edge announces itself (retained, as an edge agent does); central learns its door from it.
        status = EdgeStatus(edge_id="edge-x", online=True, door="D1", at=datetime(2026, 11, 23, 8, tzinfo=UTC))
        await edge.publish(edge_status_topic("it", "edge-x"), encode(status), qos=1, retain=True)
        await edge.subscribe(routes_topic("it", "edge-x"), qos=1)
        await asyncio.to_thread(central.start)
        await first(edge, anything)

    # A late subscriber gets what central left on the broker: retained messages.
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-y") as late:
        await late.subscribe(routes_topic("it", "edge-x"), qos=1)
        topic, payload, retained = await first(late, anything)
        snapshot = decode(RouteSnapshot, payload)
        await late.subscribe(central_status_topic("it"), qos=1)
        _, status_payload, _ = await first(
            late, lambda _t, p: decode(CentralStatus, p).plan_version == snapshot.plan_version
        )
        online = decode(CentralStatus, status_payload)
    assert (topic, retained) == (routes_topic("it", "edge-x"), True)
    assert (snapshot.edge_id, snapshot.plan_version, snapshot.staging, snapshot.chilled_staging) == (
        "edge-x", 1, "S1", None
    )
    assert [(r.destination, r.trailer, r.door, r.free_positions) for r in snapshot.routes] == [
        ("LYON", "T-LYON-1", "D12", 25)  # 33 free, central keeps 33 // 4 = 8 for itself
    ]
    assert [d.id for d in snapshot.destinations] == ["LYON"]
    assert (online.online, online.plan_version) == (True, 1)

    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-z") as watcher:
        await watcher.subscribe(central_status_topic("it"), qos=1)
        await asyncio.to_thread(central.kill)
        await first(watcher, lambda _t, p: not decode(CentralStatus, p).online)
        # The Will is retained: a newcomer learns central is gone too.
        await watcher.unsubscribe(central_status_topic("it"))
        await watcher.subscribe(central_status_topic("it"), qos=1)
        _, payload, retained = await first(watcher, anything)
    assert retained
    assert decode(CentralStatus, payload) == CentralStatus(online=False)


async def test_clean_stop_says_offline_with_time_and_version(central: CentralProcess, mosquitto: Mosquitto) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-x") as edge:
        await edge.subscribe(central_status_topic("it"), qos=1)
        await asyncio.to_thread(central.start)
        await first(edge, lambda _t, p: decode(CentralStatus, p).online)
        await asyncio.to_thread(central.stop)
        _, payload, _ = await first(edge, lambda _t, p: not decode(CentralStatus, p).online)
        await edge.unsubscribe(central_status_topic("it"))
        await edge.subscribe(central_status_topic("it"), qos=1)
        _, kept, retained = await first(edge, anything)
    status = decode(CentralStatus, payload)
    assert retained
    assert kept == payload
    # No edge known yet: no table was ever made, the version is still 0; ``at`` marks the clean stop.
    assert (status.online, status.plan_version) == (False, 0)
    assert status.at is not None

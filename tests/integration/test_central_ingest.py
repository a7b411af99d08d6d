"""Central as a real process behind a real Mosquitto, fed by a raw MQTT client standing in for an edge."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.scans import scan
from support.sites import site_yaml
from xdock.protocol.messages import Assignment, ScanEvent, decode, encode
from xdock.protocol.topics import cmd_topic, scan_topic
from xdock.testing import CentralProcess, Mosquitto

SITE = site_yaml(id="it", timezone="UTC")


@pytest.fixture
async def central(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[CentralProcess]:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    process = CentralProcess(site, mosquitto.url, tmp_path / "c.db", sim_start="2026-11-23T08:00:00+00:00")
    await asyncio.to_thread(process.start)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)


def event(seq: int, n: int) -> ScanEvent:
    return scan(seq, n=n, edge="edge-x", at=datetime(2026, 11, 23, 8, tzinfo=UTC))


async def answers(client: aiomqtt.Client, count: int) -> list[Assignment]:
    got: list[Assignment] = []
    async with asyncio.timeout(10):
        async for message in client.messages:
            assert isinstance(message.payload, bytes)
            got.append(decode(Assignment, message.payload))
            if len(got) == count:
                return got
    return got


async def test_redelivered_scan_is_applied_once_and_answered_each_time(
    central: CentralProcess, mosquitto: Mosquitto
) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-x") as edge:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        for _ in range(3):
            await edge.publish(scan_topic("it", "edge-x"), encode(event(1, 1)), qos=1)
        replies = await answers(edge, 3)
    assert [(r.seq, r.door, r.outcome) for r in replies] == [(1, "D12", "assigned")] * 3
    assert central.get("/api/v1/stats") == {
        "applied": 1, "assigned_direct": 1, "staged": 0, "breakdown": 0, "rejected": 0,
        "uplink_rejected": {}, "uplink_rejected_by_edge": {},
        "clock_skew": 0, "offline_kept": 0, "offline_corrected": 0, "seq_conflicts": 0,
        "since_start": {"duplicates": 2, "uplink_duplicates": 2, "uplinks_received": 3, "uplink_rejected": {}},
    }
    [trailer] = central.get("/api/v1/trailers")
    assert (trailer["assigned_pallets"], trailer["loaded_pallets"]) == (1, 0)


async def test_garbage_uplinks_are_counted_sampled_and_do_not_stop_central(
    central: CentralProcess, mosquitto: Mosquitto
) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-x") as edge:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        await edge.publish(scan_topic("it", "edge-x"), b"\xff\x00not json", qos=1)
        await edge.publish(scan_topic("it", "edge-x"), encode(event(1, 1)).replace(b'"v":1', b'"v":9'), qos=1)
        # An edge may only speak for itself: edge_id must match the topic.
        await edge.publish(scan_topic("it", "edge-y"), encode(event(2, 2)), qos=1)
        await edge.publish(scan_topic("it", "edge-x"), encode(event(3, 3)), qos=1)
        [reply] = await answers(edge, 1)
    assert (reply.seq, reply.outcome) == (3, "assigned")
    assert [e for e in central.get("/api/v1/events") if e["kind"] == "rejected_uplink"] == []
    refused = central.get("/api/v1/uplinks/refused")
    assert [r["error"] for r in refused["samples"]] == [
        "Invalid ScanEvent: field 'payload': Invalid JSON: expected value at line 1 column 1",
        "Invalid ScanEvent: field 'v': Input should be 1",
        "Invalid ScanEvent: field 'edge_id': 'edge-x' published on 'xdock/v1/it/edge/edge-y/scan'",
    ]
    assert refused["samples"][0]["payload_bytes"] == 10
    assert refused["counts"] == {"edge-x": {"bad_payload": 1, "wrong_version": 1}, "edge-y": {"edge_mismatch": 1}}
    assert central.get("/api/v1/stats")["applied"] == 1

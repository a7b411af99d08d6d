"""Central's ``/metrics`` and its JSON log lines, as a real process behind a real Mosquitto, fed by a raw MQTT
client standing in for an edge."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.scans import scan
from support.scrape import labels, scrape
from support.sites import site_yaml
from support.waiting import eventually
from xdock.protocol.messages import Assignment, ScanEvent, decode, encode
from xdock.protocol.topics import cmd_topic, scan_topic
from xdock.testing import CentralProcess, Mosquitto

SITE = labels(site="it")


@pytest.fixture
async def central(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[CentralProcess]:
    site = tmp_path / "site.yaml"
    site.write_text(site_yaml(id="it", timezone="UTC"))
    process = CentralProcess(site, mosquitto.url, tmp_path / "c.db", sim_start="2026-11-23T08:00:00+00:00",
                             log_level="DEBUG", options=["--log-format", "json", "--replan-interval", "0"])
    await asyncio.to_thread(process.start)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)


def event(seq: int) -> ScanEvent:
    return scan(seq, n=seq, edge="edge-x", at=datetime(2026, 11, 23, 8, tzinfo=UTC))


async def answers(client: aiomqtt.Client, count: int) -> list[Assignment]:
    got: list[Assignment] = []
    async with asyncio.timeout(10):
        async for message in client.messages:
            assert isinstance(message.payload, bytes)
            got.append(decode(Assignment, message.payload))
            if len(got) == count:
                break
    return got


async def test_metrics_count_the_scans_applied_and_answered(central: CentralProcess, mosquitto: Mosquitto) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-x") as edge:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        for seq in (1, 2, 3, 3):  # the last one again: answered again, applied once
            await edge.publish(scan_topic("it", "edge-x"), encode(event(seq)), qos=1)
        await edge.publish(scan_topic("it", "edge-x"), b"not json", qos=1)
        replies = await answers(edge, 4)
    assert sorted(r.seq for r in replies) == [1, 2, 3, 3]
    url = f"http://127.0.0.1:{central.api_port}/metrics"
    await eventually(lambda: central.get("/api/v1/stats")["uplink_rejected"] == {"bad_payload": 1}, 5,
                     "the junk counted")
    samples = await scrape(url)
    assert samples[("xdock_scans_applied_total", SITE)] == 3
    assert samples[("xdock_scans_answered_total", SITE)] == 4
    assert samples[("xdock_answer_latency_seconds_count", SITE)] == 4
    assert samples[("xdock_answer_latency_seconds_bucket", SITE | labels(le="+Inf"))] == 4
    assert samples[("xdock_rejected_uplinks_total", SITE | labels(reason="bad_payload"))] == 1
    assert samples[("xdock_broker_connected", SITE)] == 1
    assert samples[("xdock_leader", SITE)] == 1
    assert samples[("xdock_edges_online", SITE)] == 0
    assert samples[("xdock_alerts_open", SITE | labels(kind="edge_offline"))] == 0
    assert samples[("xdock_replan_duration_seconds_count", SITE)] == 0
    assert ("xdock_replan_objective_m", SITE) not in samples  # no re-plan ran


async def test_json_log_lines_parse_and_carry_the_scans_ids(central: CentralProcess, mosquitto: Mosquitto) -> None:
    async with aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="edge-x") as edge:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        await edge.publish(scan_topic("it", "edge-x"), encode(event(7)), qos=1)
        [reply] = await answers(edge, 1)
    await asyncio.to_thread(central.stop)
    lines = [json.loads(line) for line in central.log.read_text().splitlines() if line.startswith("{")]
    [applied] = [line for line in lines if line["logger"] == "xdock.central.site.scans" and line.get("seq") == 7]
    assert {k: applied[k] for k in ("level", "edge", "seq", "sscc", "door", "trailer")} == {
        "level": "DEBUG", "edge": "edge-x", "seq": 7, "sscc": event(7).sscc, "door": reply.door,
        "trailer": reply.trailer,
    }
    assert applied["message"] == f"scan edge-x/7 of {event(7).sscc}: assigned {reply.door}"
    assert datetime.fromisoformat(applied["time"]).utcoffset() is not None
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)

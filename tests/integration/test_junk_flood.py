"""A flood of junk through a real Mosquitto into central (in process): every scan answered, every junk message
counted by edge and reason, and the store and the log hold a few lines for it, not one per message."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.inproc_central import get_json, running_central
from support.scans import scan as scan_event
from support.sites import site_config
from support.waiting import eventually
from xdock.central.app import CentralConfig
from xdock.protocol.clock import ScaledClock
from xdock.protocol.messages import Assignment, ScanEvent, decode, encode
from xdock.protocol.topics import cmd_topic, scan_topic
from xdock.testing import Mosquitto

SITE = site_config(id="it", timezone="UTC")
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
JUNK_PER_SCAN = 200
SCANS = 10
CHUNK = 10
"""Junk messages in flight at once (aiomqtt warns above 10)."""


def scan(seq: int, edge: str = "edge-x") -> ScanEvent:
    return scan_event(seq, edge=edge, at=START)


def junk(n: int) -> tuple[str, bytes]:
    """The ``n``-th junk message: four kinds over the edges junk-0 .. junk-3."""
    edge = f"junk-{n % 4}"
    kind = n // 4 % 4
    if kind == 0:
        return scan_topic("it", edge), b"\xff not json %d" % n
    if kind == 1:
        return scan_topic("it", edge), encode(scan(n, edge)).replace(b'"v":1', b'"v":2')
    if kind == 2:
        return scan_topic("it", edge), encode(scan(n, "edge-x"))
    return f"xdock/v1/it/edge/{edge}!/scan", encode(scan(n, edge))


async def test_junk_flood_costs_a_few_rows_and_log_lines_and_every_scan_is_answered(
    mosquitto: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="xdock.central.ingest.refusals")
    db = tmp_path / "c.db"
    total_junk = JUNK_PER_SCAN * SCANS
    config = CentralConfig(SITE, mosquitto.url, db, api_port=None, replan_interval=None)
    # Site time at 1/100 of the wall clock: however slow the machine, the flood fits in one minute's log window.
    async with running_central(config, ScaledClock(START, speed=0.01)) as (central, http), aiomqtt.Client(
        "127.0.0.1", mosquitto.port, identifier="edge-x"
    ) as edge, aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="junk") as junk_client:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        for s in range(SCANS):
            for first in range(s * JUNK_PER_SCAN, (s + 1) * JUNK_PER_SCAN, CHUNK):
                await asyncio.gather(*(junk_client.publish(*junk(n), qos=1) for n in range(first, first + CHUNK)))
            await edge.publish(scan_topic("it", "edge-x"), encode(scan(s + 1)), qos=1)
        answers: list[Assignment] = []
        async with asyncio.timeout(30):
            async for message in edge.messages:
                assert isinstance(message.payload, bytes)
                answers.append(decode(Assignment, message.payload))
                if len(answers) == SCANS:
                    break
        await eventually(lambda: central.ingest.stats.received == total_junk + SCANS, 30, "every uplink handled")
        stats = await get_json(http, "/api/v1/stats")
        events = await get_json(http, "/api/v1/events?limit=1000")

    assert [(a.seq, a.outcome) for a in answers] == [(s + 1, "assigned") for s in range(SCANS)]
    per_edge = total_junk // 4 // 4  # each edge gets each kind this often
    assert stats["uplink_rejected_by_edge"] == {
        "(unknown)": {"bad_topic": 4 * per_edge},
        **{f"junk-{e}": {"bad_payload": per_edge, "edge_mismatch": per_edge, "wrong_version": per_edge}
           for e in range(4)},
    }
    assert {e["kind"] for e in events} == {"scan"}
    # 13 (edge, reason) pairs: 13 counter rows, 13 log lines, a sample of 10 per reason.
    assert len([r for r in caplog.records if r.name == "xdock.central.ingest.refusals"]) == 13
    with sqlite3.connect(db) as conn:
        counters = conn.execute("SELECT COUNT(*), SUM(count) FROM uplink_refusals").fetchone()
        samples = conn.execute("SELECT reason, COUNT(*) FROM uplink_refusal_samples GROUP BY reason").fetchall()
    assert counters == (13, total_junk)
    assert dict(samples) == {"bad_payload": 10, "bad_topic": 10, "edge_mismatch": 10, "wrong_version": 10}

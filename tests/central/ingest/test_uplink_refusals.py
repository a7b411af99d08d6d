"""Refused uplinks: counted per edge and reason, logged once per minute each, sampled, written as a few rows."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from xdock.central.ingest.refusals import RefusalPolicy, UplinkRefusals
from xdock.central.ingest.uplinks import UplinkRefusedError
from xdock.central.store.database import Store
from xdock.central.telemetry import LocalTelemetry
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import MessageError, ScanEvent, decode
from xdock.protocol.topics import TopicError

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def topic(edge: str) -> str:
    return f"xdock/v1/it/edge/{edge}/scan"


def bad_json() -> MessageError:
    try:
        decode(ScanEvent, b"\xff not json")
    except MessageError as exc:
        return exc
    raise AssertionError("decoded junk")


def refusals(db: Path, clock: ManualClock, **policy: object) -> UplinkRefusals:
    return UplinkRefusals(Store(db), clock, "it", RefusalPolicy(**policy))  # type: ignore[arg-type]


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "xdock.central.ingest.refusals"]


def test_each_edge_and_reason_is_logged_once_a_minute_then_summed_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="xdock.central.ingest.refusals")
    clock = ManualClock(START)
    r = refusals(tmp_path / "c.db", clock)
    for _ in range(100):
        r.refuse(topic("edge-x"), b"\xff not json", bad_json())
        clock.current += timedelta(milliseconds=500)  # 100 refusals over 50 s: one window
    r.refuse(topic("edge-y"), b"\xff not json", bad_json())
    r.refuse(topic("edge-x"), b"{}", UplinkRefusedError("Scan for site 'b' reached central of site 'it'",
                                                          reason="unknown_site"))
    assert logged(caplog) == [
        "rejected uplink on 'xdock/v1/it/edge/edge-x/scan' (bad_payload): "
        "Invalid ScanEvent: field 'payload': Invalid JSON: expected value at line 1 column 1",
        "rejected uplink on 'xdock/v1/it/edge/edge-y/scan' (bad_payload): "
        "Invalid ScanEvent: field 'payload': Invalid JSON: expected value at line 1 column 1",
        "rejected uplink on 'xdock/v1/it/edge/edge-x/scan' (unknown_site): "
        "Scan for site 'b' reached central of site 'it'",
    ]
    caplog.clear()
    clock.current = START + timedelta(seconds=59)
    r.flush()
    assert logged(caplog) == []
    clock.current = START + timedelta(seconds=60)
    r.flush()  # edge-x's window is over: its 99 unlogged refusals in one line
    assert logged(caplog) == ["99 more rejected uplinks from edge edge-x (bad_payload) since 2026-11-23T08:00:00+00:00"]
    caplog.clear()
    r.refuse(topic("edge-x"), b"\xff not json", bad_json())
    assert [m.split(":")[0] for m in logged(caplog)] == [
        "rejected uplink on 'xdock/v1/it/edge/edge-x/scan' (bad_payload)"
    ]
    r.store.close()


def test_a_flood_is_a_few_counter_rows_and_a_bounded_sample(tmp_path: Path) -> None:
    clock = ManualClock(START)
    db = tmp_path / "c.db"
    r = refusals(db, clock, samples_per_reason=3, sample_bytes=8)
    junk = [
        (topic("edge-x"), b"\xff not json at all", bad_json()),
        (topic("edge-y"), b"\xff not json either", bad_json()),
        ("xdock/v1/it/edge/bad.edge/scan", b"{}", TopicError("Invalid edge id 'bad.edge'")),
        ("elsewhere", b"{}", TopicError("Not an xdock v1 topic: 'elsewhere'")),
    ]
    for n in range(5000):
        t, payload, exc = junk[n % len(junk)]
        r.refuse(t, payload + str(n).encode(), exc)
        if n % 1000 == 999:
            clock.current += timedelta(seconds=1)
            r.flush()
    counts = {"(unknown)": {"bad_topic": 2500}, "edge-x": {"bad_payload": 1250}, "edge-y": {"bad_payload": 1250}}
    assert r.counts() == counts
    assert r.store.events() == []
    # The newest three of each reason, payloads and topics cut to 8 bytes, full sizes kept.
    assert [(s.edge_id, s.reason, s.topic, s.payload, s.payload_bytes) for s in r.samples()] == [
        ("edge-y", "bad_payload", "xdock/v1", "\ufffd not js", 21),
        ("edge-x", "bad_payload", "xdock/v1", "\ufffd not js", 21),
        ("edge-y", "bad_payload", "xdock/v1", "\ufffd not js", 21),
        ("(unknown)", "bad_topic", "elsewher", "{}4995", 6),
        ("(unknown)", "bad_topic", "xdock/v1", "{}4998", 6),
        ("(unknown)", "bad_topic", "elsewher", "{}4999", 6),
    ]
    r.store.close()
    with sqlite3.connect(db) as conn:
        rows = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("uplink_refusals", "uplink_refusal_samples", "events")}
    assert rows == {"uplink_refusals": 3, "uplink_refusal_samples": 6, "events": 0}


async def test_counts_and_samples_outlive_the_process_and_new_edges_stop_at_the_limit(tmp_path: Path) -> None:
    clock = ManualClock(START)
    db = tmp_path / "c.db"
    first = refusals(db, clock, max_counters=2)
    first.refuse(topic("edge-x"), b"x", bad_json())
    first.refuse(topic("edge-y"), b"y", bad_json())
    first.flush()
    first.refuse(topic("edge-x"), b"x", bad_json())  # pending when central stops: written on the way out
    running = asyncio.create_task(first.run())
    await asyncio.sleep(0)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    first.store.close()
    clock.current = START + timedelta(hours=1)
    again = refusals(db, clock, max_counters=2)
    assert again.counts() == {"edge-x": {"bad_payload": 2}, "edge-y": {"bad_payload": 1}}
    again.refuse(topic("edge-z"), b"z", bad_json())  # a third pair: over the limit
    again.refuse(topic("edge-x"), b"x", bad_json())
    assert again.counts() == {"(other)": {"bad_payload": 1}, "edge-x": {"bad_payload": 3}, "edge-y": {"bad_payload": 1}}
    again.flush()
    [row] = [c for c in again.store.refusal_counts() if c.edge_id == "edge-x"]
    assert (row.count, row.first_at, row.last_at) == (3, START, START + timedelta(hours=1))
    assert [(s.edge_id, s.payload) for s in again.samples()] == [
        ("edge-x", "x"), ("edge-y", "y"), ("edge-x", "x"), ("(other)", "z"), ("edge-x", "x"),
    ]
    again.store.close()


def test_each_flush_records_a_telemetry_point_per_counter_it_changed(tmp_path: Path) -> None:
    clock = ManualClock(START)
    ring = LocalTelemetry()
    r = UplinkRefusals(Store(tmp_path / "c.db"), clock, "it", telemetry=ring)
    for _ in range(3):
        r.refuse(topic("edge-x"), b"x", bad_json())
    r.refuse(topic("edge-y"), b"y", bad_json())
    r.flush()
    clock.current += timedelta(seconds=1)
    r.flush()  # nothing new: no point
    r.refuse(topic("edge-x"), b"x", bad_json())
    r.flush()
    assert [(dict(p.tags), dict(p.fields), p.time) for p in ring.query("uplink_refusals")] == [
        ({"site": "it", "edge": "edge-x", "reason": "bad_payload"}, {"total": 3, "new": 3}, START),
        ({"site": "it", "edge": "edge-y", "reason": "bad_payload"}, {"total": 1, "new": 1}, START),
        ({"site": "it", "edge": "edge-x", "reason": "bad_payload"}, {"total": 4, "new": 1},
         START + timedelta(seconds=1)),
    ]
    r.store.close()

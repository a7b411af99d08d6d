"""Bad uplinks through a real Mosquitto: each refused, counted by edge and reason, logged once per edge and reason,
sampled; valid scans answered.

Central runs in-process (ingest and API) on a clock that starts at a fixed site time; a bare
aiomqtt client stands in for edges and publishes a mixed batch of garbage, replays, skewed and
valid scans.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import AbstractAsyncContextManager, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.inproc_central import get_json, running_central
from support.scans import offline as decided
from support.scans import scan as scan_event
from support.sites import site_config
from support.waiting import eventually
from xdock.central.app import Central, CentralConfig
from xdock.central.ingest.mqtt_ingest import Ingest
from xdock.central.ingest.refusals import UplinkRefusals
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ManualClock, ScaledClock
from xdock.protocol.messages import (
    MAX_PAYLOAD,
    Assignment,
    ScanEvent,
    ShipToModel,
    decode,
    encode,
)
from xdock.protocol.topics import cmd_topic, scan_topic
from xdock.testing import Mosquitto

SITE = site_config(id="it", timezone="UTC")
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def scan(seq: int, *, edge: str = "edge-x", skew: timedelta = timedelta(0), offline: bool = False) -> ScanEvent:
    decision = decided(door="D12", trailer="T-LYON-1", plan_version=0, at=START + skew) if offline else None
    return scan_event(seq, edge=edge, at=START + skew, offline=decision)


def with_field(event: ScanEvent, **fields: object) -> bytes:
    return json.dumps({**json.loads(encode(event)), **fields}).encode()


def central_on(broker: Mosquitto, db: Path) -> AbstractAsyncContextManager[tuple[Central, httpx.AsyncClient]]:
    return running_central(
        CentralConfig(SITE, broker.url, db, api_port=None, replan_interval=None), ScaledClock(START)
    )


# (topic edge, payload, reason or None for a valid scan) in the order they are published.
MIXED: list[tuple[str, bytes, str | None]] = [
    ("edge-x", encode(scan(1)), None),
    ("edge-x", b"\xff\x00not json", "bad_payload"),
    ("edge-x", encode(scan(2))[:40], "bad_payload"),
    ("edge-x", encode(scan(1)), None),  # a replay: answered again, applied once
    ("edge-x", with_field(scan(3), v=2), "wrong_version"),
    ("edge-x", with_field(scan(3), seq="3"), "bad_payload"),
    ("edge-x", with_field(scan(3), seq=2**63), "bad_payload"),
    ("edge-x", b"[" * (MAX_PAYLOAD + 1), "oversized"),
    ("edge-y", encode(scan(4)), "edge_mismatch"),
    ("bad.edge", encode(scan(4)), "bad_topic"),
    ("edge-x", encode(scan(2, skew=HOUR)), None),  # edge clock an hour ahead
    ("edge-x", encode(scan(3, skew=-HOUR)), None),  # an hour behind, no offline decision
    ("edge-x", encode(scan(4, skew=-HOUR, offline=True)), None),  # waited in the outbox: not skew
    ("edge-x", encode(scan(5, skew=HOUR, offline=True)), None),  # ahead, even offline: skew
    ("edge-x", encode(scan(1)), None),  # another replay
    ("edge-x", encode(scan(6, skew=timedelta(minutes=4))), None),  # within the tolerance
]


def scan_topic_raw(site: str, edge: str) -> str:
    """The scan topic, without the id check (to publish on a malformed one)."""
    return f"xdock/v1/{site}/edge/{edge}/scan"


async def test_mixed_garbage_is_counted_by_reason_and_valid_scans_are_answered(
    mosquitto: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="xdock.central.ingest.refusals")
    async with central_on(mosquitto, tmp_path / "c.db") as (central, http), aiomqtt.Client(
        "127.0.0.1", mosquitto.port, identifier="edge-x"
    ) as edge:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        for topic_edge, payload, _ in MIXED:
            await edge.publish(scan_topic_raw("it", topic_edge), payload, qos=1)
        valid = sum(1 for *_, reason in MIXED if reason is None)
        answers: list[Assignment] = []
        async with asyncio.timeout(10):
            async for message in edge.messages:
                assert isinstance(message.payload, bytes)
                answers.append(decode(Assignment, message.payload))
                if len(answers) == valid:
                    break
        await eventually(lambda: central.ingest.stats.received == len(MIXED), what="every uplink handled")
        stats = await get_json(http, "/api/v1/stats")
        events = await get_json(http, "/api/v1/events?limit=1000")
        refused = await get_json(http, "/api/v1/uplinks/refused")

    assert [(a.seq, a.outcome, a.door) for a in answers] == [
        (1, "assigned", "D12"), (1, "assigned", "D12"), (2, "assigned", "D12"), (3, "assigned", "D12"),
        (4, "assigned", "D12"), (5, "assigned", "D12"), (1, "assigned", "D12"), (6, "assigned", "D12"),
    ]
    by_reason = {"bad_payload": 4, "bad_topic": 1, "edge_mismatch": 1, "oversized": 1, "wrong_version": 1}
    by_edge = {
        "(unknown)": {"bad_topic": 1}, "edge-x": {"bad_payload": 4, "oversized": 1, "wrong_version": 1},
        "edge-y": {"edge_mismatch": 1},
    }
    assert stats == {
        "applied": 6, "assigned_direct": 6, "staged": 0, "breakdown": 0, "rejected": 0,
        "uplink_rejected": by_reason, "uplink_rejected_by_edge": by_edge,
        "clock_skew": 3, "offline_kept": 2, "offline_corrected": 0, "seq_conflicts": 0,
        "since_start": {"duplicates": 2, "uplink_duplicates": 2, "uplinks_received": len(MIXED),
                        "uplink_rejected": by_reason},
    }
    assert [e for e in events if e["kind"] == "rejected_uplink"] == []
    assert refused["counts"] == by_edge
    samples = refused["samples"]
    assert [(r["edge_id"], r["reason"]) for r in samples] == [
        ("edge-y" if e == "edge-y" else "(unknown)" if e == "bad.edge" else "edge-x", reason)
        for e, _, reason in MIXED if reason is not None
    ]
    assert samples[3]["error"] == "Invalid ScanEvent: field 'seq': Input should be a valid integer"
    assert samples[4]["error"] == (
        "Invalid ScanEvent: field 'seq': Input should be less than or equal to 9223372036854775807"
    )
    assert (samples[5]["payload_bytes"], samples[5]["payload"]) == (MAX_PAYLOAD + 1, "[" * 512)
    assert samples[6]["error"] == (
        "Invalid ScanEvent: field 'edge_id': 'edge-x' published on 'xdock/v1/it/edge/edge-y/scan'"
    )
    assert samples[7]["error"] == "Invalid edge id 'bad.edge': expected 1-64 characters of A-Z a-z 0-9 _ -"
    skews = [(e["seq"], e["body"]["skew_s"]) for e in events if e["kind"] == "clock_skew"]
    assert [seq for seq, _ in skews] == [2, 3, 5]
    assert [round(seconds / 60) for _, seconds in skews] == [60, -60, 60]
    # The first of each edge and reason is logged; the three more bad payloads of edge-x are not (yet).
    warnings = [r.getMessage() for r in caplog.records if "rejected uplink" in r.getMessage()]
    assert [w.split(" (")[1].split(")")[0] for w in warnings] == [
        "bad_payload", "wrong_version", "oversized", "edge_mismatch", "bad_topic",
    ]
    assert warnings[1] == (
        "rejected uplink on 'xdock/v1/it/edge/edge-x/scan' (wrong_version): Invalid ScanEvent: field 'v': "
        "Input should be 1"
    )


# -- the batch handler alone: whatever arrives, nothing escapes and every uplink is accounted for --------


class Recorder:
    """Collects what the ingest publishes (the answers)."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []
        self._disconnected: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        """Never completes: this connection is never lost (publish_confirmed watches it)."""

    async def publish(self, topic: str, payload: bytes, qos: int, retain: bool = False) -> None:
        self.published.append((topic, payload))


def message(topic: str, payload: bytes) -> aiomqtt.Message:
    return aiomqtt.Message(topic, payload, qos=1, retain=False, mid=1, properties=None)


def handler(tmp_path: Path) -> tuple[Ingest, Recorder]:
    clock = ManualClock(START)
    store = Store(tmp_path / "c.db")
    site = LiveSite(SITE, store, clock)
    refusals = UplinkRefusals(store, clock, SITE.site)
    return Ingest(site, BrokerUrl("127.0.0.1", 1), clock, refusals=refusals), Recorder()


async def test_a_scan_for_another_site_is_refused_as_unknown_site(tmp_path: Path) -> None:
    ingest, recorder = handler(tmp_path)
    await ingest._handle(recorder, [message(scan_topic("other", "edge-x"), encode(scan(1)))])  # type: ignore[arg-type]
    [sample] = ingest.refusals.samples()
    assert (sample.edge_id, sample.reason, sample.error) == (
        "edge-x", "unknown_site", "Scan for site 'other' reached central of site 'it'"
    )
    assert (ingest.stats.rejected, ingest.refusals.counts(), recorder.published) == (
        {"unknown_site": 1}, {"edge-x": {"unknown_site": 1}}, []
    )
    assert ingest.refusals.store.events() == []
    ingest.refusals.store.close()


payloads = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda seq, cut: encode(scan(seq))[:cut], st.integers(1, 5), st.integers(0, 200)),
    st.builds(lambda seq: encode(scan(seq)), st.integers(1, 5)),
    st.builds(lambda seq, v: with_field(scan(seq), v=v), st.integers(1, 5), st.integers() | st.text(max_size=3)),
)
topics = st.sampled_from(["edge-x", "edge-y", "bad.edge", "ünïcode", "a" * 65])


@given(batch=st.lists(st.tuples(topics, payloads), max_size=12))
async def test_any_batch_is_handled_and_every_uplink_accounted_for(
    tmp_path_factory: pytest.TempPathFactory, batch: list[tuple[str, bytes]]
) -> None:
    ingest, recorder = handler(tmp_path_factory.mktemp("batch"))
    try:
        await ingest._handle(recorder, [message(scan_topic_raw("it", e), p) for e, p in batch])  # type: ignore[arg-type]
        stats = ingest.stats
        assert stats.received == len(batch)
        assert sum(stats.rejected.values()) + len(recorder.published) == len(batch)
        assert ingest.live_site.stats.applied + stats.duplicates == len(recorder.published)
        for topic, payload in recorder.published:
            assert topic == cmd_topic("it", "edge-x")
            assert decode(Assignment, payload).door == "D12"
    finally:
        ingest.refusals.store.close()


# -- totals after a restart ----------------------------------------------------------------------------


async def publish_and_answer(broker: Mosquitto, uplinks: list[tuple[str, bytes]], answers: int) -> list[Assignment]:
    """Publish ``uplinks`` (topic edge, payload) as edge-x and wait for ``answers`` answers."""
    got: list[Assignment] = []
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="edge-x") as edge:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        for topic_edge, payload in uplinks:
            await edge.publish(scan_topic_raw("it", topic_edge), payload, qos=1)
        async with asyncio.timeout(10):
            async for message in edge.messages:
                assert isinstance(message.payload, bytes)
                got.append(decode(Assignment, message.payload))
                if len(got) == answers:
                    break
    return got


async def test_totals_come_from_the_store_and_survive_a_restart(mosquitto: Mosquitto, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    unknown = scan(2).model_copy(update={"ship_to": ShipToModel(kind="postal", value="06000")})
    uplinks = [
        ("edge-x", encode(scan(1))), ("edge-x", b"junk"), ("edge-x", encode(unknown)), ("edge-x", encode(scan(1))),
        ("edge-y", encode(scan(3))), ("edge-x", encode(scan(4, skew=HOUR))), ("bad.edge", b"{}"),
    ]
    async with central_on(mosquitto, db) as (central, http):
        answers = await publish_and_answer(mosquitto, uplinks, 4)
        await eventually(lambda: central.ingest.stats.received == len(uplinks), what="every uplink handled")
        before = await get_json(http, "/api/v1/stats")
    assert [(a.seq, a.outcome) for a in answers] == [(1, "assigned"), (2, "rejected"), (1, "assigned"),
                                                     (4, "assigned")]
    # An older version kept each refused uplink as an event: those count too.
    with closing(Store(db)) as store, store.transaction() as tx:
        tx.append_event(START, "rejected_uplink", {"topic": scan_topic("it", "edge-x"), "reason": "bad_payload"})
    totals = {
        "applied": 3, "assigned_direct": 2, "staged": 0, "breakdown": 0, "rejected": 1, "clock_skew": 1,
        "offline_kept": 0, "offline_corrected": 0,
        "seq_conflicts": 0,
    }
    by_edge = {"(unknown)": {"bad_topic": 1}, "edge-x": {"bad_payload": 1}, "edge-y": {"edge_mismatch": 1}}
    assert before == {
        **totals, "uplink_rejected": {"bad_payload": 1, "bad_topic": 1, "edge_mismatch": 1},
        "uplink_rejected_by_edge": by_edge,
        "since_start": {"duplicates": 1, "uplink_duplicates": 1, "uplinks_received": 7,
                        "uplink_rejected": {"bad_payload": 1, "bad_topic": 1, "edge_mismatch": 1}},
    }
    async with central_on(mosquitto, db) as (central, http):
        after = await get_json(http, "/api/v1/stats")
    assert after == {
        **totals, "uplink_rejected": {"bad_payload": 2, "bad_topic": 1, "edge_mismatch": 1},
        "uplink_rejected_by_edge": by_edge,
        "since_start": {"duplicates": 0, "uplink_duplicates": 0, "uplinks_received": 0, "uplink_rejected": {}},
    }

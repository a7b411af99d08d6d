"""Uplinks with bad identifiers through a real Mosquitto: refused as ``bad_identifier`` naming the field,
counted, kept in the event log, never applied; the valid scan beside them is answered.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt

from support.inproc_central import get_json, running_central
from support.scans import scan
from support.sites import LYON_GLN, destination, site_config
from support.waiting import eventually
from xdock.central.app import CentralConfig
from xdock.protocol.clock import ScaledClock
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.messages import Assignment, decode, encode
from xdock.protocol.passages import DoorPassage
from xdock.protocol.topics import cmd_topic, passage_topic, scan_topic
from xdock.testing import Mosquitto

SITE = site_config(id="it", timezone="UTC", destinations=[destination(glns=[LYON_GLN])])
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
GOOD = "376130321109103420"
BAD = "376130320510005997"
"""The issue's SSCC: its check digit should be 6."""


def _scan(seq: int, **fields: object) -> bytes:
    event = scan(seq, edge="edge-x", sscc=GOOD, at=START)
    return json.dumps({**json.loads(encode(event)), **fields}).encode()


def _passage(seq: int, epc_of: str) -> bytes:
    passage = DoorPassage(edge_id="edge-x", seq=seq, device_id="r1", door="D1", sscc=GOOD, direction="in",
                          epc=epc_hex(Sscc96.from_sscc(GOOD, company_prefix_length=7).encode()), at=START, reads=3,
                          peak_rssi=-50)
    other = epc_hex(Sscc96.from_sscc(epc_of, company_prefix_length=7).encode())
    return json.dumps({**json.loads(encode(passage)), "epc": other}).encode()


async def test_bad_identifiers_are_refused_counted_and_not_applied(mosquitto: Mosquitto, tmp_path: Path) -> None:
    config = CentralConfig(SITE, mosquitto.url, tmp_path / "c.db", api_port=None, replan_interval=None)
    sent = [
        (scan_topic("it", "edge-x"), _scan(1, sscc=BAD)),
        (scan_topic("it", "edge-x"), _scan(2, ship_to={"kind": "gln", "value": "3761303211008"})),
        (scan_topic("it", "edge-x"), _scan(3, door="D/1")),
        (passage_topic("it", "edge-x"), _passage(4, epc_of="376130321109103437")),
        (scan_topic("it", "edge-x"), _scan(5)),
    ]
    async with running_central(config, ScaledClock(START)) as (central, http), aiomqtt.Client(
        "127.0.0.1", mosquitto.port, identifier="edge-x"
    ) as edge:
        await edge.subscribe(cmd_topic("it", "edge-x"), qos=1)
        for topic, payload in sent:
            await edge.publish(topic, payload, qos=1)
        async with asyncio.timeout(10):
            async for message in edge.messages:
                assert isinstance(message.payload, bytes)
                answer = decode(Assignment, message.payload)
                break
        await eventually(lambda: central.ingest.stats.received == len(sent), what="every uplink handled")
        stats = await get_json(http, "/api/v1/stats")
        events = await get_json(http, "/api/v1/events?limit=100")
        refused = await get_json(http, "/api/v1/uplinks/refused")
        pallets = await get_json(http, "/api/v1/pallets")

    assert (answer.seq, answer.sscc, answer.outcome) == (5, GOOD, "assigned")
    assert stats["uplink_rejected"] == {"bad_identifier": 4}
    assert stats["applied"] == 1
    assert [p["sscc"] for p in pallets] == [GOOD]
    rejected = refused["samples"]
    assert [(r["reason"], r["error"]) for r in rejected] == [
        ("bad_identifier",
         f"Invalid ScanEvent: field 'sscc': Invalid SSCC check digit for '{BAD}': expected 6, got 7"),
        ("bad_identifier",
         "Invalid ScanEvent: field 'ship_to.value': Invalid GLN check digit for '3761303211008': expected 1, got 8"),
        ("bad_identifier",
         "Invalid ScanEvent: field 'door': Invalid id 'D/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("bad_identifier",
         "Invalid DoorPassage: field 'epc': EPC '3155D0A9A0B96CB987000000' is the SSCC-96 of '376130321109103437', "
         f"not of '{GOOD}'"),
    ]
    assert not any(e.get("sscc") == BAD for e in events)

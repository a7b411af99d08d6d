"""Edge liveness through a real Mosquitto: a Last Will after a dropped socket, seen by central's API.

The edge here is a bare MQTT client on a raw socket (CONNECT with a retained Will, retained
statuses), so the test can drop its connection without a DISCONNECT, as a power cut would.
"""

from __future__ import annotations

import re
import socket
import struct
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from support.inproc_central import get_json, running_central
from support.sites import inbound, site_config
from support.waiting import eventually
from xdock.central.app import Central, CentralConfig
from xdock.protocol.clock import SystemClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus, encode
from xdock.protocol.topics import device_status_topic, edge_status_topic
from xdock.testing import Mosquitto

SITE = site_config(id="it", timezone="UTC", doors=[inbound()], destinations=[], trailers=[])


def _field(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def _packet(header: int, body: bytes) -> bytes:
    length, size = b"", len(body)
    while True:
        size, digit = divmod(size, 128)
        length += bytes([digit | (0x80 if size else 0)])
        if not size:
            return bytes([header]) + length + body


class RawEdge:
    """An MQTT 3.1.1 client that connects with a retained QoS 1 Will and can vanish without a word."""

    def __init__(self, port: int, edge_id: str) -> None:
        self.port, self.edge_id = port, edge_id
        self.sock: socket.socket | None = None

    def connect(self) -> None:
        will = encode(EdgeStatus(edge_id=self.edge_id, online=False, door="D1"))
        flags = 0x02 | 0x04 | 0x08 | 0x20  # clean session, Will, Will QoS 1, Will retained
        body = (_field(b"MQTT") + bytes([4, flags]) + struct.pack("!H", 60) + _field(self.edge_id.encode())
                + _field(edge_status_topic("it", self.edge_id).encode()) + _field(will))
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.sock.sendall(_packet(0x10, body))
        assert self.sock.recv(4) == b"\x20\x02\x00\x00"

    def publish_retained(self, topic: str, payload: bytes) -> None:
        assert self.sock is not None
        self.sock.sendall(_packet(0x31, _field(topic.encode()) + payload))

    def drop(self) -> None:
        """Reset the connection: no DISCONNECT, so the broker publishes the Will."""
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()


def central_on(broker: Mosquitto, db: Path) -> AbstractAsyncContextManager[tuple[Central, httpx.AsyncClient]]:
    return running_central(
        CentralConfig(SITE, broker.url, db, api_port=None, replan_interval=None), SystemClock()
    )


def edge_is(central: Central, online: bool) -> bool:
    edge = central.liveness.edges.get("edge-d1")
    return edge is not None and edge.online is online and "s1" in edge.devices


async def test_a_dropped_edge_is_offline_with_one_alert_that_survives_a_restart_and_clears(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    edge = RawEdge(mosquitto.port, "edge-d1")
    now = datetime.now(UTC)
    online = EdgeStatus(edge_id="edge-d1", online=True, door="D1", at=now, version="0.3.0", heartbeat_s=600,
                        backlog=3)
    scanner = DeviceStatus(edge_id="edge-d1", device_id="s1", device_kind="serial_scanner", online=True, at=now,
                           heartbeat_s=600)
    try:
        async with central_on(mosquitto, tmp_path / "c.db") as (central, http):
            edge.connect()
            edge.publish_retained(edge_status_topic("it", "edge-d1"), encode(online))
            edge.publish_retained(device_status_topic("it", "edge-d1", "s1"), encode(scanner))
            await eventually(lambda: edge_is(central, True), what="edge online at central")
            [seen] = await get_json(http, "/api/v1/edges")
            assert (seen["online"], seen["door"], seen["backlog"], seen["heartbeat_s"]) == (True, "D1", 3, 600.0)
            assert [(d["id"], d["online"]) for d in seen["devices"]] == [("s1", True)]

            edge.drop()
            await eventually(lambda: edge_is(central, False), what="edge offline at central")
            [seen] = await get_json(http, "/api/v1/edges")
            assert (seen["online"], seen["devices"][0]["online"]) == (False, False)
            [alert] = await get_json(http, "/api/v1/alerts?open=true")
            assert (alert["id"], alert["kind"], alert["subject"]) == (1, "edge_offline", "edge-d1")
            assert alert["cleared_at"] is None
            assert alert["message"].startswith("edge edge-d1 (door D1) offline, last seen ")
            assert central.ingest.stats.rejected == {}

        # Central restarts: the retained Will says offline again; the open alert stays the only one.
        async with central_on(mosquitto, tmp_path / "c.db") as (central, http):
            await eventually(lambda: central.liveness.edges.get("edge-d1") is not None, what="retained Will")
            assert central.liveness.edges["edge-d1"].online is False
            assert [a["id"] for a in await get_json(http, "/api/v1/alerts?open=true")] == [1]

            edge.connect()
            edge.publish_retained(edge_status_topic("it", "edge-d1"), encode(online))
            await eventually(lambda: central.liveness.edges["edge-d1"].online is True, what="edge back at central")
            assert await get_json(http, "/api/v1/alerts?open=true") == []
            [cleared] = await get_json(http, "/api/v1/alerts")
            assert (cleared["id"], cleared["cleared_at"] is not None) == (1, True)
            kinds = [e.kind for e in central.store.events() if e.kind.startswith("alert_")]
            assert kinds == ["alert_raised", "alert_cleared"]
    finally:
        edge.drop()


async def test_a_scanner_that_stops_reporting_is_offline_while_its_edge_lives(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    edge = RawEdge(mosquitto.port, "edge-d1")
    now = datetime.now(UTC)
    try:
        async with central_on(mosquitto, tmp_path / "c.db") as (central, http):
            edge.connect()
            edge.publish_retained(edge_status_topic("it", "edge-d1"), encode(EdgeStatus(
                edge_id="edge-d1", online=True, door="D1", at=now, heartbeat_s=600,
            )))
            edge.publish_retained(device_status_topic("it", "edge-d1", "s1"), encode(DeviceStatus(
                edge_id="edge-d1", device_id="s1", device_kind="serial_scanner", online=True, at=now, heartbeat_s=0.2,
            )))
            await eventually(lambda: bool(central.store.alerts()), what="scanner alert")
            [seen] = await get_json(http, "/api/v1/edges")
            assert (seen["online"], seen["devices"][0]["online"]) == (True, False)
            [alert] = await get_json(http, "/api/v1/alerts?open=true")
            assert (alert["kind"], alert["subject"]) == ("device_offline", "edge-d1/s1")
            assert re.fullmatch(r"scanner s1 on edge edge-d1 \(door D1\) silent for \d+(\.\d)? s", alert["message"])
    finally:
        edge.drop()

"""GET /api/v1/edges: each device's latest counters and how long ago edges and devices were seen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from support.liveness_api import LivenessApi, liveness_api
from support.sites import door, site_config
from xdock.central.api.edges import edge_out
from xdock.central.edges.liveness import EdgeLiveness, Liveness
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus

SITE = site_config(timezone="UTC", doors=[door("D1", 0, 0)], destinations=[], trailers=[])
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[LivenessApi]:
    async with liveness_api(tmp_path / "c.db", SITE, T0) as rig:
        yield rig


def reader(clock: ManualClock, online: bool, counters: dict[str, int] | None, detail: str = "") -> DeviceStatus:
    return DeviceStatus(edge_id="e1", device_id="r1", device_kind="rfid_reader", online=online, at=clock.now(),
                        detail=detail, heartbeat_s=5, counters=counters)


async def test_the_latest_counters_are_kept_and_a_status_without_counters_keeps_them(
    api: tuple[httpx.AsyncClient, Liveness, ManualClock],
) -> None:
    http, live, clock = api
    live.edge_status(EdgeStatus(edge_id="e1", online=True, door="D1", at=T0, heartbeat_s=10, backlog=3))
    live.device_status(reader(clock, True, {"reads": 10, "bad_frames": 0, "reconnects": 1}))
    clock.advance(5)
    live.device_status(reader(clock, True, {"reads": 25, "bad_frames": 2, "reconnects": 1}))
    clock.advance(2.3)
    live.device_status(reader(clock, False, None, "connection refused"))

    response = await http.get("/api/v1/edges")
    assert response.status_code == 200
    assert response.json() == [
        {"id": "e1", "kind": "edge", "online": True, "door": "D1", "version": None, "last_seen": "2026-11-23T08:00:00Z",
         "backlog": 3, "heartbeat_s": 10.0, "seen_ago_s": 7.3, "refused": None, "problem": None,
         "devices": [{"id": "r1", "kind": "rfid_reader", "online": False, "last_seen": "2026-11-23T08:00:05Z",
                      "detail": "connection refused", "heartbeat_s": 5.0, "seen_ago_s": 2.3,
                      "counters": {"bad_frames": 2, "reads": 25, "reconnects": 1}}]},
    ]


async def test_a_driver_restart_shows_its_lower_counters(api: tuple[httpx.AsyncClient, Liveness, ManualClock]) -> None:
    http, live, clock = api
    live.device_status(reader(clock, True, {"reads": 900, "bad_frames": 4}))
    clock.advance(5)
    live.device_status(reader(clock, True, {"reads": 3}))

    assert (await http.get("/api/v1/edges")).json() == [
        {"id": "e1", "kind": "edge", "online": None, "door": None, "version": None, "last_seen": None, "backlog": None,
         "heartbeat_s": None, "seen_ago_s": None, "refused": None, "problem": None,
         "devices": [{"id": "r1", "kind": "rfid_reader", "online": True, "last_seen": "2026-11-23T08:00:05Z",
                      "detail": "", "heartbeat_s": 5.0, "seen_ago_s": 0.0, "counters": {"reads": 3}}]},
    ]


def test_a_last_seen_after_now_is_zero_seconds_ago() -> None:
    edge = EdgeLiveness("e1", online=True, last_seen=datetime(2026, 11, 23, 8, 0, 3, tzinfo=UTC))
    assert edge_out(edge, T0).seen_ago_s == 0.0
    assert edge_out(edge, datetime(2026, 11, 23, 8, 1, 0, 940000, tzinfo=UTC)).seen_ago_s == 57.9


def node(clock: ManualClock, online: bool, detail: str = "") -> DeviceStatus:
    return DeviceStatus(edge_id="logger-t2", device_id="logger-t2", device_kind="sensor_node", online=online,
                        at=clock.now(), detail=detail)


async def test_a_sensor_node_is_listed_as_a_device_with_its_own_status(
    api: tuple[httpx.AsyncClient, Liveness, ManualClock],
) -> None:
    http, live, clock = api
    live.device_status(node(clock, True))
    clock.advance(4)
    live.device_status(reader(clock, True, {"reads": 3}))  # a device of edge e1, whose own status never came

    listed = (await http.get("/api/v1/edges")).json()
    assert [(e["id"], e["kind"], e["online"], e["seen_ago_s"]) for e in listed] == [
        ("e1", "edge", None, None), ("logger-t2", "sensor_node", True, 4.0),
    ]
    assert listed[1]["last_seen"] == "2026-11-23T08:00:00Z"
    assert [(d["id"], d["kind"], d["online"]) for d in listed[1]["devices"]] == [("logger-t2", "sensor_node", True)]

    clock.advance(6)
    live.device_status(node(clock, False, "link lost"))  # its Last Will
    [_, gone] = (await http.get("/api/v1/edges")).json()
    assert (gone["kind"], gone["online"], gone["seen_ago_s"], gone["devices"][0]["detail"]) == (
        "sensor_node", False, 10.0, "link lost")
    [alert] = live.alerts.open_alerts()
    assert alert.message == "sensor node logger-t2 offline: link lost"


def test_an_edge_whose_own_status_came_is_no_sensor_node() -> None:
    edge = EdgeLiveness("logger-t2", online=True)
    edge_out_node = edge_out(edge, T0)
    assert edge_out_node.kind == "edge"
    assert EdgeLiveness("e1").sensor_node is None  # no device at all

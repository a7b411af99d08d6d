"""GET /api/v1/edges and /api/v1/alerts over a liveness tracker on a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from support.central_rig import api_client, built_central
from support.liveness_api import LivenessApi, liveness_api
from support.sites import door, site_config
from xdock.central.edges.liveness import Liveness
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import DeviceStatus, EdgeStatus

SITE = site_config(timezone="UTC", doors=[door("D1", 0, 0), door("D2", 9, 0)], destinations=[], trailers=[])
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[LivenessApi]:
    async with liveness_api(tmp_path / "c.db", SITE, T0) as rig:
        yield rig


def edge_status(edge: str, door: str, backlog: int) -> EdgeStatus:
    return EdgeStatus(edge_id=edge, online=True, door=door, at=T0, version="0.3.0", heartbeat_s=10, backlog=backlog)


async def test_edges_with_devices_and_open_alerts(api: tuple[httpx.AsyncClient, Liveness, ManualClock]) -> None:
    http, live, clock = api
    live.edge_status(edge_status("e2", "D2", 0))
    live.edge_status(edge_status("e1", "D1", 42))
    live.device_status(DeviceStatus(edge_id="e1", device_id="s1", device_kind="serial_scanner", online=True, at=T0,
                                    detail="/dev/pts/4", heartbeat_s=6))
    clock.advance(12)
    live.edge_status(edge_status("e1", "D1", 40).model_copy(update={"at": clock.now()}))
    live.check()
    clock.advance(8)
    live.edge_status(edge_status("e1", "D1", 40).model_copy(update={"at": clock.now()}))
    live.check()

    response = await http.get("/api/v1/edges")
    assert response.status_code == 200
    assert response.json() == [
        {"id": "e1", "kind": "edge", "online": True, "door": "D1", "version": "0.3.0",
         "last_seen": "2026-11-23T08:00:20Z",
         "backlog": 40, "heartbeat_s": 10.0, "seen_ago_s": 0.0, "refused": None, "problem": None,
         "devices": [{"id": "s1", "kind": "serial_scanner", "online": False, "last_seen": "2026-11-23T08:00:00Z",
                      "detail": "/dev/pts/4", "heartbeat_s": 6.0, "seen_ago_s": 20.0, "counters": None}]},
        {"id": "e2", "kind": "edge", "online": False, "door": "D2", "version": "0.3.0",
         "last_seen": "2026-11-23T08:00:00Z",
         "backlog": 0, "heartbeat_s": 10.0, "devices": [], "seen_ago_s": 20.0, "refused": None, "problem": None},
    ]
    live.device_status(DeviceStatus(edge_id="e1", device_id="s1", device_kind="serial_scanner", online=True,
                                    at=clock.now(), heartbeat_s=6))

    opened = (await http.get("/api/v1/alerts", params={"open": "true"})).json()
    assert opened == [
        {"id": 2, "kind": "edge_offline", "subject": "e2", "raised_at": "2026-11-23T08:00:20Z", "cleared_at": None,
         "message": "edge e2 (door D2) silent for 20 s", "state": "raised", "acknowledged_by": None,
         "acknowledged_at": None},
    ]
    everything = (await http.get("/api/v1/alerts")).json()
    assert [(a["id"], a["subject"], a["cleared_at"]) for a in everything] == [
        (2, "e2", None), (1, "e1/s1", "2026-11-23T08:00:20Z"),
    ]
    assert everything[1]["message"] == "scanner s1 on edge e1 (door D1) silent for 12 s"
    cleared = (await http.get("/api/v1/alerts", params={"open": "false"})).json()
    assert [a["id"] for a in cleared] == [1]


async def test_a_bad_query_is_a_problem(api: tuple[httpx.AsyncClient, Liveness, ManualClock]) -> None:
    http, _, _ = api
    response = await http.get("/api/v1/alerts", params={"open": "maybe"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank", "title": "Unprocessable Content", "status": 422,
        "detail": "query.open: Input should be a valid boolean, unable to interpret input", "field": "open",
    }


async def test_without_a_tracker_the_api_still_lists_stored_alerts(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    central = built_central(SITE, tmp_path / "c.db", clock)
    central.site.alerts.raise_alert("edge_offline", "e9", T0, "edge e9 offline")
    async with api_client(central) as http:
        assert (await http.get("/api/v1/edges")).json() == []
        assert [a["subject"] for a in (await http.get("/api/v1/alerts?open=true")).json()] == ["e9"]
    await central.aclose()

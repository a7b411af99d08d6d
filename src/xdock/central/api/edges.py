"""``GET /api/v1/edges``: the edge agents central tracks, each with its devices, as JSON.

Read from :class:`~xdock.central.edges.liveness.Liveness`: whether each edge and device is online, when
it last said so (and how many seconds ago, on central's clock), the edge's door, version and outbox
backlog, what the broker refuses it (``problem``, with ``refused`` counts by reason), and each
device's detail text and latest counters. Edges by id, each one's devices by id.
A device counts as offline while its edge is. An MQTT sensor node (its own pseudo-edge: no edge
status, no door, one device of its own id) is listed with ``kind`` ``sensor_node``, its ``online``,
``last_seen`` and ``seen_ago_s`` its device's. Needs a token of any role when access control is on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from xdock.central.api.access import Access
from xdock.central.edges.liveness import DeviceLiveness, EdgeLiveness, Liveness

__all__ = ["DeviceOut", "EdgeOut", "edge_out", "edges_router"]


class DeviceOut(BaseModel):
    id: str
    kind: str
    online: bool
    """False as well while its edge is offline."""
    last_seen: datetime | None
    detail: str
    heartbeat_s: float | None
    seen_ago_s: float | None = None
    """Seconds (central's clock, to 0.1 s) since it last said it was online; ``None`` if it never did."""
    counters: dict[str, int] | None = None
    """Its latest cumulative counters (e.g. ``reads``, ``bad_frames``); ``None`` until a status carries some."""


class EdgeOut(BaseModel):
    id: str
    kind: Literal["edge", "sensor_node"] = "edge"
    """``edge``: an edge agent with its devices; ``sensor_node``: an MQTT sensor node publishing straight to
    the broker, its own pseudo-edge (no door, no backlog), its status the one device's."""
    online: bool | None
    """``None`` until the edge's own status arrived (a sensor node's: its device's)."""
    door: str | None
    version: str | None
    last_seen: datetime | None
    backlog: int | None
    heartbeat_s: float | None
    devices: list[DeviceOut]
    seen_ago_s: float | None = None
    """Seconds (central's clock, to 0.1 s) since it last said it was online; ``None`` if it never did."""
    refused: dict[str, int] | None = None
    """Its messages the broker refused (MQTT 5 reason code >= 0x80) since the agent started, by reason."""
    problem: str | None = None
    """What the broker refuses it now, e.g. ``edge-d12: broker refuses passage: not authorised``; ``None``: nothing."""


def _ago(last_seen: datetime | None, now: datetime) -> float | None:
    return None if last_seen is None else max(round((now - last_seen).total_seconds(), 1), 0.0)


def _device(device: DeviceLiveness, edge_online: bool | None, now: datetime) -> DeviceOut:
    return DeviceOut(
        id=device.id, kind=device.kind, online=device.online and edge_online is not False, last_seen=device.last_seen,
        detail=device.detail, heartbeat_s=device.heartbeat_s, seen_ago_s=_ago(device.last_seen, now),
        counters=None if device.counters is None else dict(sorted(device.counters.items())),
    )


def edge_out(edge: EdgeLiveness, now: datetime) -> EdgeOut:
    """One edge with its devices (by id), as the API shows it at ``now``."""
    devices = [_device(d, edge.online, now) for d in sorted(edge.devices.values(), key=lambda d: d.id)]
    node = edge.sensor_node
    if node is not None:
        return EdgeOut(
            id=edge.id, kind="sensor_node", online=node.online, door=None, version=None, last_seen=node.last_seen,
            backlog=None, heartbeat_s=node.heartbeat_s, devices=devices, seen_ago_s=_ago(node.last_seen, now),
        )
    return EdgeOut(
        id=edge.id, online=edge.online, door=edge.door, version=edge.version, last_seen=edge.last_seen,
        backlog=edge.backlog, heartbeat_s=edge.heartbeat_s, devices=devices, seen_ago_s=_ago(edge.last_seen, now),
        refused=None if edge.refused is None else dict(sorted(edge.refused.items())),
        problem=None if edge.problem is None else f"{edge.id}: {edge.problem}",
    )


def edges_router(liveness: Liveness, access: Access) -> APIRouter:
    """The route ``/api/v1/edges`` over ``liveness``."""
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(access.require("worker"))])

    @router.get("/edges", summary="Edge agents with their devices: online, last seen, outbox backlog, counters")
    async def edges() -> list[EdgeOut]:
        now = liveness.clock.now()
        return [edge_out(e, now) for e in sorted(liveness.edges.values(), key=lambda e: e.id)]

    return router

"""Liveness of the edge and of its devices: the status messages and the beat that repeats them.

Every ``heartbeat_s`` seconds of the injected clock the edge republishes its retained
:class:`EdgeStatus` (with the outbox backlog) and the :class:`DeviceStatus` of its devices (which
ones, with which counters: :mod:`xdock.edge.device_health`); central marks an edge or a device
offline when two periods pass without one. A scanner or reader that goes away, or a Modbus probe
whose port goes or that misses three polls in a row, is reported offline at once, by its driver (and
online again at its next answer); the broker publishes the edge's Last Will (offline) when the edge
itself dies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from xdock import __version__
from xdock.protocol.clock import Clock
from xdock.protocol.messages import DeviceKind, DeviceStatus, EdgeStatus

__all__ = ["beat_forever", "device_status", "edge_status"]


def edge_status(
    edge_id: str, door: str, *, online: bool, at: datetime | None, heartbeat_s: float | None, backlog: int | None,
    refused: Mapping[str, int] | None = None, problem: str | None = None,
) -> EdgeStatus:
    """``refused``/``problem``: the publishes the broker refused, by reason, and the latest still waiting."""
    return EdgeStatus(
        edge_id=edge_id, online=online, door=door, at=at, version=__version__ if online else None,
        heartbeat_s=heartbeat_s, backlog=backlog, refused=dict(refused) if refused else None, problem=problem,
    )


def device_status(
    edge_id: str, device_id: str, *, kind: DeviceKind, online: bool, at: datetime, detail: str, heartbeat_s: float,
    counters: Mapping[str, int] | None = None,
) -> DeviceStatus:
    return DeviceStatus(
        edge_id=edge_id, device_id=device_id, device_kind=kind, online=online, at=at, detail=detail,
        heartbeat_s=heartbeat_s if online else None, counters=None if counters is None else dict(counters),
    )


async def beat_forever(clock: Clock, period: float, beat: Callable[[], None]) -> None:
    """Call ``beat`` now and then every ``period`` seconds of ``clock``, until cancelled."""
    while True:
        beat()
        await clock.sleep(period)

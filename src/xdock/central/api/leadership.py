"""``GET /api/v1/leadership``: which central leads the site, and whether this one does.

Served by the leader's API and by a standby's (:mod:`xdock.central.standby.api`), so a client or a
load balancer asks any central where writes go.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from xdock.central.api.access import Access
from xdock.central.store.leadership import Leader

__all__ = ["LeadershipOut", "leadership_out", "leadership_router"]


class LeadershipOut(BaseModel):
    role: Literal["leader", "standby"]
    """This central's role."""
    central: str
    """This central's id (``xdock central --central-id``)."""
    leader: str | None
    """The central that leads the site (``None``: none yet)."""
    epoch: int
    """The leader's epoch (0: a store with one central, SQLite)."""
    since: datetime | None
    leader_api: str | None
    """The leader's API base address as it advertised it (``None``: unknown)."""


def leadership_out(central: str, leader: Leader) -> LeadershipOut:
    """What ``central`` answers, given the ``leadership`` row."""
    return LeadershipOut(
        role="leader" if leader.central == central else "standby", central=central, leader=leader.central,
        epoch=leader.epoch, since=leader.since, leader_api=leader.api,
    )


def leadership_router(current: Callable[[], LeadershipOut], access: Access) -> APIRouter:
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(access.require("worker"))])

    @router.get("/leadership", summary="Which central leads the site (writes go there), and this central's role")
    async def leadership() -> LeadershipOut:
        return current()

    return router

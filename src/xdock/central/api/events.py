"""``GET /api/v1/events``: the store's append-only event log, read the same by the leader and a standby."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from xdock.central.api.access import Access
from xdock.central.store.database import Store

__all__ = ["EventOut", "events_router"]


class EventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    sscc: str | None
    edge_id: str | None
    seq: int | None
    body: dict[str, Any]
    epoch: int | None = None
    """The leadership epoch of the central that wrote it (a ``leadership`` event names that central)."""


def events_router(store: Store, access: Access) -> APIRouter:
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(access.require("worker"))])

    @router.get("/events", summary="The append-only event log, oldest first, after a given id")
    async def events(
        after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> list[EventOut]:
        return [EventOut(**e.__dict__) for e in store.events(after=after, limit=limit)]

    return router

"""``GET /api/v1/uplinks/refused``: what central refused on its uplink topics, counted and sampled.

Read from :class:`~xdock.central.ingest.refusals.UplinkRefusals` (the store's rows plus what is
not yet written): a counter per edge and reason with its first and last time, and the kept samples
(the newest few of each reason, payload and topic truncated). Needs a token of any role when access
control is on.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from xdock.central.api.access import Access
from xdock.central.ingest.refusals import UplinkRefusals

__all__ = ["RefusedOut", "RefusedSampleOut", "refused_router"]


class RefusedSampleOut(BaseModel):
    at: datetime
    edge_id: str
    """The topic's edge, ``(unknown)`` when it names no valid edge id."""
    reason: str
    topic: str
    error: str
    payload: str
    """The payload's first bytes (UTF-8, undecodable bytes replaced)."""
    payload_bytes: int
    """The payload's full size."""


class RefusedOut(BaseModel):
    counts: dict[str, dict[str, int]]
    """Refused uplinks ever counted, by edge and reason."""
    samples: list[RefusedSampleOut]
    """The newest refusals of each reason, oldest first."""


def refused_router(refusals: UplinkRefusals, access: Access) -> APIRouter:
    """The route ``/api/v1/uplinks/refused`` over ``refusals``."""
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(access.require("worker"))])

    @router.get("/uplinks/refused", summary="Refused uplinks: counts by edge and reason, and the newest samples")
    async def refused() -> RefusedOut:
        return RefusedOut(
            counts=refusals.counts(),
            samples=[RefusedSampleOut(at=s.at, edge_id=s.edge_id, reason=s.reason, topic=s.topic, error=s.error,
                                      payload=s.payload, payload_bytes=s.payload_bytes) for s in refusals.samples()],
        )

    return router

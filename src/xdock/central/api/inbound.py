"""Inbound trucks over REST (see :mod:`xdock.central.site.inbound`): a WMS or yard system announces a
truck, tells when it is at a door and when it is unloaded; anyone may list them.

Changes need the ``supervisor`` role when access control is on. A refused change is problem+json
naming the field: ``404`` no such truck, ``409`` the id is taken or the truck is not in that state,
``422`` a bad value (``eta`` without offset or too far from the site's clock, an ``id`` or door with
``/`` or a control character, a field of the wrong JSON type such as ``"pallets": "7"``, a door that does
not receive, an advance shipping notice naming an unknown destination ``destinations.X`` or adding up to
more than ``pallets``).

A truck listed carries ``suggested_door``: the inbound door the latest re-plan gives it while it waits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.auth import Principal
from xdock.central.api.models import IsoTime, StrictIn
from xdock.central.site.inbound import InboundRefusedError
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import InboundTruckRow
from xdock.protocol.identifiers import Id

__all__ = ["AnnounceIn", "ArriveIn", "InboundTruckOut", "inbound_router"]

class AnnounceIn(StrictIn):
    id: Id
    """The truck's id: 1-64 of ``A-Z a-z 0-9 _ -`` (it is a path segment of the truck's URL)."""
    carrier: Annotated[str | None, Field(max_length=128)] = None
    eta: IsoTime
    """When the truck is expected, with its UTC offset; within 7 days ahead and 1 day behind the site's clock."""
    pallets: Annotated[int, Field(ge=0, le=1000)]
    """Pallets aboard."""
    door: Id | None = None
    """The inbound door the yard has in mind, if any."""
    destinations: Annotated[dict[Id, Annotated[int, Field(ge=0, le=1000)]] | None, Field(max_length=200)] = None
    """Advance shipping notice: pallets aboard by destination (``{"LYON": 12, "PARIS": 6}``), adding up
    to ``pallets`` at most; the rest are of a destination not known yet."""


class ArriveIn(StrictIn):
    door: Id
    """The inbound door the truck is at."""


class InboundTruckOut(BaseModel):
    id: str
    carrier: str | None
    eta: datetime
    pallets: int
    door: str | None
    state: Literal["waiting", "arrived", "unloaded"]
    announced_at: datetime
    arrived_at: datetime | None
    unloaded_at: datetime | None
    destinations: dict[str, int] | None
    """Pallets by destination from the advance shipping notice (``null``: none sent)."""
    suggested_door: str | None
    """The re-plan's inbound door for a waiting truck (``null``: none yet, or not waiting)."""


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such truck", "content": {"application/problem+json": {}}},
    409: {"description": "Id taken, or the truck is not in that state", "content": {"application/problem+json": {}}},
}


def _out(row: InboundTruckRow) -> InboundTruckOut:
    fields = dict(row.__dict__)
    fields["destinations"] = None if row.destinations is None else dict(row.destinations)
    return InboundTruckOut(**fields)


def inbound_router(site: LiveSite, access: Access) -> APIRouter:
    """Routes under ``/api/v1/inbound-trucks``."""
    router = APIRouter(prefix="/api/v1/inbound-trucks", tags=["inbound"])
    supervisor = Depends(access.require("supervisor"))
    reader = Depends(access.require("worker"))

    def refused(exc: InboundRefusedError) -> FieldProblem:
        return FieldProblem(exc.status, exc.field, exc.detail)

    @router.get("", summary="Inbound trucks by ETA: waiting, arrived at a door, unloaded")
    async def listed(
        state: Literal["waiting", "arrived", "unloaded"] | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        _: Principal = reader,
    ) -> list[InboundTruckOut]:
        return [_out(r) for r in site.inbound_trucks() if state is None or r.state == state][:limit]

    @router.post("", status_code=201, responses={409: _ERRORS[409]},
                 summary="Announce an inbound truck (its ETA and pallets aboard)")
    async def announce(body: AnnounceIn, who: Principal = supervisor) -> InboundTruckOut:
        try:
            return _out(site.announce_truck(body.id, eta=body.eta, pallets=body.pallets, carrier=body.carrier,
                                        door=body.door, destinations=body.destinations, by=who.name))
        except InboundRefusedError as exc:
            raise refused(exc) from exc

    @router.post("/{truck_id}/arrive", responses=_ERRORS, summary="The truck is at an inbound door")
    async def arrive(truck_id: str, body: ArriveIn, who: Principal = supervisor) -> InboundTruckOut:
        try:
            return _out(site.truck_arrived(truck_id, body.door, by=who.name))
        except InboundRefusedError as exc:
            raise refused(exc) from exc

    @router.post("/{truck_id}/unloaded", responses=_ERRORS, summary="The truck is unloaded and leaves its door")
    async def unloaded(truck_id: str, who: Principal = supervisor) -> InboundTruckOut:
        try:
            return _out(site.truck_unloaded(truck_id, by=who.name))
        except InboundRefusedError as exc:
            raise refused(exc) from exc

    return router

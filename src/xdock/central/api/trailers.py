"""Outbound trailers over REST: listed with their fill, and announced at run time (see
:mod:`xdock.central.site.outbound`).

``GET /api/v1/trailers`` lists every trailer: the site file's and those announced since
(``announced_at`` and ``announced_by`` set). ``POST /api/v1/trailers`` announces one: it is at its
door from now on and takes pallets (staged pallets for its destination are re-matched to it at once).
It needs the ``supervisor`` role when access control is on. A refused announcement is problem+json
naming the field: ``409`` the ``id`` is a trailer's already or the ``door`` is taken by a trailer not
departed; ``422`` a bad value (an unknown ``destination`` or ``door``, a door that does not ship, a
``departure`` without UTC offset, not after the site's clock or more than 7 days after it, a capacity
out of bounds, a field of the wrong JSON type). Moving a trailer, closing its door and marking it
departed are the overrides' routes (:mod:`xdock.central.api.overrides`), for any trailer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.auth import Principal
from xdock.central.api.models import IsoTime, StrictIn
from xdock.central.site.live_site import LiveSite
from xdock.central.site.loading import Confirmation
from xdock.central.site.outbound import MAX_CAPACITY_KG, MAX_CAPACITY_PALLETS, TrailerRefusedError
from xdock.central.site.state import TrailerState
from xdock.protocol.identifiers import Id

__all__ = ["AnnounceTrailerIn", "TrailerOut", "trailers_router"]


class AnnounceTrailerIn(StrictIn):
    id: Id
    """The trailer's id: 1-64 of ``A-Z a-z 0-9 _ -``, not a trailer's of the site already."""
    destination: Id
    """One of the site's destinations."""
    door: Id
    """The outbound door it is at (no trailer still loading there)."""
    departure: IsoTime
    """When it leaves, with its UTC offset: after the site's clock, at most 7 days after it."""
    capacity_pallets: Annotated[int, Field(ge=1, le=MAX_CAPACITY_PALLETS)]
    capacity_kg: Annotated[float, Field(gt=0, le=MAX_CAPACITY_KG, allow_inf_nan=False)] = 24_000.0
    reefer: bool = False
    """Refrigerated: takes chilled and frozen pallets."""
    accepts_hazmat: bool = True
    """May carry dangerous goods at all."""


class TrailerOut(BaseModel):
    id: str
    door: str
    """The door it loads at now."""
    destination: str
    destination_name: str
    capacity_pallets: int
    capacity_kg: float
    reefer: bool
    accepts_hazmat: bool
    assigned_pallets: int
    """Pallets assigned to it, confirmed loaded or not (the door tile's pallet meter)."""
    loaded_pallets: int
    """Of those, the pallets confirmed loaded by handheld scan or RFID portal (the tile's "N loaded")."""
    loaded_by: dict[Confirmation, int]
    """``loaded_pallets`` by how each load was first confirmed (``scan``, ``rfid``)."""
    departure: datetime
    departed: bool
    announced_at: datetime | None
    """When it was announced at run time (``null``: a trailer of the site file)."""
    announced_by: str | None


_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"description": "The id is a trailer's already, or the door is taken",
          "content": {"application/problem+json": {}}},
}


def trailers_router(site: LiveSite, access: Access) -> APIRouter:
    """Routes under ``/api/v1/trailers`` (the overrides' routes on one trailer are elsewhere)."""
    router = APIRouter(prefix="/api/v1/trailers", tags=["trailers"])
    supervisor = Depends(access.require("supervisor"))
    reader = Depends(access.require("worker"))
    state = site.state

    def out(t: TrailerState) -> TrailerOut:
        plan = t.plan
        fill = site.loads.fill(plan.id)
        return TrailerOut(
            id=plan.id, door=plan.door, destination=plan.destination,
            destination_name=state.destinations[plan.destination].name, capacity_pallets=plan.capacity_pallets,
            capacity_kg=plan.capacity_kg, reefer=plan.reefer, accepts_hazmat=plan.accepts_hazmat,
            assigned_pallets=fill.assigned, loaded_pallets=fill.loaded, loaded_by=fill.loaded_by,
            departure=t.departure, departed=t.departed, announced_at=t.announced_at, announced_by=t.announced_by,
        )

    @router.get("", summary="The outbound trailers with their fill: pallets assigned, confirmed loaded")
    async def listed(_: Principal = reader) -> list[TrailerOut]:
        return [out(t) for t in state.trailers.values()]

    @router.post("", status_code=201, responses=_ERRORS,
                 summary="Announce an outbound trailer at a door: it takes pallets from now on")
    async def announce(body: AnnounceTrailerIn, who: Principal = supervisor) -> TrailerOut:
        try:
            trailer = site.announce_trailer(
                body.id, destination=body.destination, door=body.door, departure=body.departure,
                capacity_pallets=body.capacity_pallets, reefer=body.reefer, accepts_hazmat=body.accepts_hazmat,
                capacity_kg=body.capacity_kg, by=who.name,
            )
        except TrailerRefusedError as exc:
            raise FieldProblem(exc.status, exc.field, exc.detail) from exc
        return out(trailer)

    return router

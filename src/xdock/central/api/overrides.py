"""The supervisor's overrides and alert acknowledgement over REST (see :mod:`xdock.central.site.overrides`).

Every change needs the ``supervisor`` role (when access control is on) and answers the changed
state, with the staged pallets re-matched at once when the override freed room (``rematched``); a
refused override is a problem+json naming the field (``404`` nothing of that id, ``409`` the rules say
no, e.g. ``trailer T-LYON-1 is full (33/33)``). Trailers announced at run time
(:mod:`xdock.central.api.trailers`) are moved and departed here as the site file's are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from xdock.central.alerts.book import AlertStateError, alert_state
from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.auth import Principal
from xdock.central.api.models import StrictIn
from xdock.central.site.live_site import LiveSite
from xdock.central.site.overrides import OverrideRefusedError, OverrideResult
from xdock.protocol.identifiers import Id

__all__ = ["AcknowledgedOut", "OverrideOut", "StandingOut", "overrides_router"]

SQLITE_MAX_INT = 2**63 - 1
"""Largest id the store can look up."""


class MoveTrailerIn(StrictIn):
    door: Id
    """The door the trailer loads at from now on."""


class AssignPalletIn(StrictIn):
    trailer: Id
    """The trailer the pallet must go to."""


class OverrideOut(BaseModel):
    kind: str
    """The audit event written (``override_door_closed``, ``override_trailer_moved``, ...)."""
    by: str
    changed: dict[str, str | None]
    """Pallets sent elsewhere by the override: SSCC → their new target (trailer or area)."""
    rematched: dict[str, str | None]
    """Staged pallets given a trailer at once because the override freed room (a door opened again, a
    trailer moved or departed): SSCC → their trailer (a ``rematched`` event follows the override's)."""


class StandingOut(BaseModel):
    """The overrides in force."""

    closed_doors: list[str]
    trailer_doors: dict[str, str]
    """Trailer → the door a supervisor moved it to."""
    departed: list[str]
    """Trailers a supervisor marked departed."""


class AcknowledgedOut(BaseModel):
    id: int
    state: Literal["raised", "acknowledged", "cleared"]
    acknowledged_by: str
    acknowledged_at: datetime


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such door, trailer or pallet", "content": {"application/problem+json": {}}},
    409: {"description": "The rules refuse it now", "content": {"application/problem+json": {}}},
}


def overrides_router(site: LiveSite, access: Access) -> APIRouter:
    """Routes under ``/api/v1`` for overrides and acknowledging alerts."""
    router = APIRouter(prefix="/api/v1", tags=["overrides"])
    supervisor = Depends(access.require("supervisor"))
    reader = Depends(access.require("worker"))

    def done(result: OverrideResult, who: Principal) -> OverrideOut:
        return OverrideOut(kind=result.kind, by=who.name, changed=dict(result.changed),
                           rematched=dict(result.rematched))

    def refused(exc: OverrideRefusedError) -> FieldProblem:
        return FieldProblem(exc.status, exc.field, exc.detail)

    @router.get("/overrides", summary="The overrides in force: closed doors, moved and departed trailers")
    async def standing(_: Principal = reader) -> StandingOut:
        standing = site.standing_overrides()
        return StandingOut(closed_doors=list(standing.closed_doors), trailer_doors=dict(standing.trailer_doors),
                           departed=list(standing.departed))

    @router.post("/doors/{door_id}/close", responses=_ERRORS, summary="Close a door: its trailers take no more pallets")
    async def close_door(door_id: str, who: Principal = supervisor) -> OverrideOut:
        try:
            return done(site.set_door(door_id, open_=False, by=who.name), who)
        except OverrideRefusedError as exc:
            raise refused(exc) from exc

    @router.post("/doors/{door_id}/open", responses=_ERRORS, summary="Open a closed door again")
    async def open_door(door_id: str, who: Principal = supervisor) -> OverrideOut:
        try:
            return done(site.set_door(door_id, open_=True, by=who.name), who)
        except OverrideRefusedError as exc:
            raise refused(exc) from exc

    @router.post("/trailers/{trailer_id}/move", responses=_ERRORS,
                 summary="Load a trailer at another door; its pallets follow it")
    async def move_trailer(trailer_id: str, body: MoveTrailerIn, who: Principal = supervisor) -> OverrideOut:
        try:
            return done(site.move_trailer(trailer_id, body.door, by=who.name), who)
        except OverrideRefusedError as exc:
            raise refused(exc) from exc

    @router.post("/trailers/{trailer_id}/depart", responses=_ERRORS,
                 summary="Mark a trailer departed: no pallet goes to it any more")
    async def depart(trailer_id: str, who: Principal = supervisor) -> OverrideOut:
        try:
            return done(site.depart_trailer(trailer_id, by=who.name), who)
        except OverrideRefusedError as exc:
            raise refused(exc) from exc

    @router.post("/pallets/{sscc}/assign", responses=_ERRORS,
                 summary="Force a pallet onto a trailer (the dispatcher's rules apply)")
    async def assign(sscc: str, body: AssignPalletIn, who: Principal = supervisor) -> OverrideOut:
        try:
            return done(site.assign_pallet(sscc, body.trailer, by=who.name), who)
        except OverrideRefusedError as exc:
            raise refused(exc) from exc

    @router.post("/alerts/{alert_id}/acknowledge", responses=_ERRORS,
                 summary="Acknowledge an open alert", tags=["alerts"])
    async def acknowledge(
        alert_id: Annotated[int, Path(ge=1, le=SQLITE_MAX_INT)], who: Principal = supervisor,
    ) -> AcknowledgedOut:
        try:
            row = site.alerts.acknowledge(alert_id, who.name, site.clock.now())
        except AlertStateError as exc:
            raise FieldProblem(exc.status, "alert_id", exc.detail) from exc
        assert row.acknowledged_by is not None  # just written
        assert row.acknowledged_at is not None
        return AcknowledgedOut(id=row.id, state=alert_state(row), acknowledged_by=row.acknowledged_by,
                               acknowledged_at=row.acknowledged_at)

    return router

"""The handheld's REST endpoints: a keyboard-wedge scan, and the load confirmation at the outbound door.

``POST /api/v1/handheld/scan`` goes through :meth:`ScanService.apply`, the path MQTT scans take,
keyed ``(handheld-<device>, seq)``: the handheld numbers its scans and sends the same ``seq`` again
when it retries, so a scan is applied once however often the request arrives.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, StringConstraints

from xdock.central.api.models import StrictIn
from xdock.central.site.loading import LoadError
from xdock.central.web.hub import LiveHub
from xdock.protocol.gs1 import LabelError, PalletLabel
from xdock.protocol.identifiers import Id, Sscc
from xdock.protocol.messages import ScanEvent, ShipToModel

__all__ = ["HANDHELD_DEVICE", "handheld_router"]

HANDHELD_DEVICE = "wedge"
"""``device_id`` of handheld scans; the edge id is ``handheld-<device>``."""

_Device = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,48}$")]
"""A handheld's id: an :data:`~xdock.protocol.identifiers.Id` short enough for ``handheld-`` before it."""
_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


class HandheldScanIn(StrictIn):
    device: _Device
    """The handheld's own id (it keeps it with its scan counter)."""
    seq: Annotated[int, Field(ge=1, le=2**53)]
    """The handheld's scan number: a retry sends the same one."""
    door: Id
    """The inbound door the pallet is scanned at."""
    label: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    """The label as the wedge typed it: human-readable ``(00)…(420)…`` or raw GS1 (``<GS>`` for the separator)."""


class HandheldScanOut(BaseModel):
    sscc: str
    outcome: Literal["assigned", "staged", "breakdown", "rejected"]
    door: str | None
    area: str | None
    trailer: str | None
    destination: str | None
    destination_name: str | None
    departure: datetime | None
    departure_local: str | None
    """Departure as the site's clock shows it (``16:40``)."""
    reason: str
    display: str
    duplicate: bool


class LoadIn(StrictIn):
    device: _Device
    sscc: Sscc
    at: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    """The door (``D12``) or trailer (``T-LYON-1``) the worker is loading at, as scanned or typed."""


class LoadOut(BaseModel):
    ok: bool
    sscc: str
    door: str
    """Where the pallet belongs."""
    trailer: str
    at_door: str
    message: str


def handheld_router(hub: LiveHub) -> APIRouter:
    router = APIRouter(prefix="/api/v1/handheld", tags=["handheld"])
    site = hub.site

    @router.post("/scan", summary="A pallet label scanned on a handheld: where it goes",
                 responses={422: {"description": "Unreadable label or bad field", **_PROBLEM}})
    async def scan(body: HandheldScanIn) -> HandheldScanOut:
        try:
            label = PalletLabel.parse(body.label.replace("<GS>", "\x1d"))
        except LabelError as exc:
            raise HTTPException(422, f"label: {exc.reason} ({exc})") from exc
        ship_to = None
        if label.ship_to is not None:
            ship_to = ShipToModel(kind=label.ship_to.kind, value=label.ship_to.value, country=label.ship_to.country)
        event = ScanEvent(
            edge_id=f"handheld-{body.device}", seq=body.seq, device_id=HANDHELD_DEVICE, door=body.door,
            scanned_at=site.clock.now(), sscc=label.sscc, ship_to=ship_to, expiry=label.expiry,
            symbology=label.symbology, raw=label.raw[:512],
            weight_kg=label.gross_weight_kg if label.gross_weight_kg is not None else label.net_weight_kg,
            max_temp_c=label.max_temp_c, dangerous_goods=label.dangerous_goods,
        )
        applied = site.apply_scan(event)
        reply = applied.reply
        dest = site.state.destinations.get(reply.destination or "")
        return HandheldScanOut(
            sscc=reply.sscc, outcome=reply.outcome, door=reply.door, area=reply.area, trailer=reply.trailer,
            destination=reply.destination, destination_name=dest.name if dest else None, departure=reply.departure,
            departure_local=reply.departure.astimezone(site.state.config.zone).strftime("%H:%M")
            if reply.departure else None,
            reason=reply.reason, display=reply.display, duplicate=applied.duplicate,
        )

    @router.post("/load", summary="Confirm loading a pallet at a door: STOP (ok=false) when it is the wrong one",
                 responses={404: {"description": "Unknown pallet", **_PROBLEM},
                            409: {"description": "Pallet not assigned to a trailer", **_PROBLEM},
                            422: {"description": "Unknown door or trailer, or bad field", **_PROBLEM}})
    async def load(body: LoadIn) -> LoadOut:
        try:
            result = site.confirm_load(body.sscc, body.at, device=body.device)
        except LoadError as exc:
            raise HTTPException(exc.status, str(exc)) from exc
        if result.first_time or not result.ok:
            hub.pallet_changed(body.sscc)
        return LoadOut(ok=result.ok, sscc=result.sscc, door=result.door, trailer=result.trailer,
                       at_door=result.at_door, message=result.message)

    return router

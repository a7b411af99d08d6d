"""The pallet as the REST API shows it (``GET /api/v1/pallets`` and ``/api/v1/pallets/{sscc}``).

A loaded pallet tells how its load was first confirmed (``confirmed_by``): by a worker's handheld
``scan`` at the outbound door or by an ``rfid`` portal passage, as the dashboard's
:class:`~xdock.central.site.loading.LoadBook` reads it from the event log; ``null`` for a pallet not loaded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from xdock.central.site.loading import Confirmation, LoadBook
from xdock.central.store.database import PalletRow

__all__ = ["PalletOut", "pallet_out"]


class PalletOut(BaseModel):
    sscc: str
    state: Literal["assigned", "loaded", "staged", "breakdown", "unrouted"]
    destination: str | None
    ship_to: str | None
    trailer: str | None
    door: str | None
    inbound_door: str
    first_seen: datetime
    updated_at: datetime
    scans: int
    confirmed_by: Confirmation | None
    """How a loaded pallet's load was first confirmed (``scan`` or ``rfid``); ``None`` unless loaded."""


def pallet_out(row: PalletRow, loads: LoadBook) -> PalletOut:
    """``row`` for the API, with how its load was confirmed."""
    return PalletOut(
        sscc=row.sscc, state=row.state, destination=row.destination, ship_to=row.ship_to, trailer=row.trailer,
        door=row.door, inbound_door=row.inbound_door, first_seen=row.first_seen, updated_at=row.updated_at,
        scans=row.scans, confirmed_by=loads.confirmed_by(row.sscc),
    )

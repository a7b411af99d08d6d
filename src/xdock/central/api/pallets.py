"""The pallet as the REST API shows it (``GET /api/v1/pallets`` and ``/api/v1/pallets/{sscc}``).

A loaded pallet tells how its load was first confirmed (``confirmed_by``): by a worker's handheld
``scan`` at the outbound door or by an ``rfid`` portal passage, as the dashboard's
:class:`~xdock.central.site.loading.LoadBook` reads it from the event log; ``null`` for a pallet not loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel

from xdock.central.site.loading import Confirmation, LoadBook
from xdock.central.store.database import PalletRow, PalletState

__all__ = ["PalletOut", "PalletQuery", "pallet_out"]


class PalletOut(BaseModel):
    sscc: str
    state: Literal["assigned", "loaded", "staged", "breakdown", "unrouted", "split"]
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


@dataclass(frozen=True)
class PalletQuery:
    """``GET /api/v1/pallets``'s filters and page, as query parameters (a FastAPI dependency)."""

    state: Annotated[PalletState | None, Query()] = None
    trailer: str | None = None
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000
    offset: Annotated[int, Query(ge=0)] = 0

    def page(self, rows: Iterable[PalletRow]) -> list[PalletRow]:
        """The rows that pass the filters, then this page of them."""
        kept = [r for r in rows if (self.state is None or r.state == self.state)
                and (self.trailer is None or r.trailer == self.trailer)]
        return kept[self.offset:self.offset + self.limit]

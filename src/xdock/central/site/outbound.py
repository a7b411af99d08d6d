"""Outbound trailers announced at run time: a trailer that reaches the site during the day.

The site file's ``trailers:`` are the trailers announced at start. Any other arrives while central
runs: :meth:`OutboundTrailers.announce` puts it at an outbound door from now on, with its destination,
its departure (a time in full, with its UTC offset, which may fall on a later day than the site's),
what it takes (positions, kg, cold chain, dangerous goods). It is then a trailer like the others: the
dispatcher sends pallets to it, the edges' routing tables and the dashboard show it, a supervisor may
move it, close its door or mark it departed (:mod:`xdock.central.site.overrides`).

An announcement is one store transaction: the trailer's row (:mod:`xdock.central.store.outbound`) and
a ``trailer_announced`` event naming who and what; only then does the live site take it. When central
restarts it reads the rows again (:func:`restore`), before the pallets found in the store are decided
again, so a pallet sent to such a trailer keeps it.

A refused announcement changes nothing and raises :class:`TrailerRefusedError` naming the field:
422 for a value the site cannot take (an ``id`` that is no id, an unknown ``destination`` or ``door``,
a door that does not ship, a ``departure`` without UTC offset, not after the site's clock or more than
:data:`DEPARTURE_AHEAD` after it, ``capacity_pallets`` or ``capacity_kg`` out of the site file's
bounds), 409 for a conflict (the ``id`` is a trailer's already, the ``door`` is taken by a trailer not
departed). A trailer may be announced at a closed door: it takes pallets once the door opens.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final, Literal

from xdock.central.site.floor_view import trailer_from
from xdock.central.site.parts import SiteParts
from xdock.central.site.state import SiteState, TrailerState
from xdock.central.site_file.config import TrailerPlan
from xdock.central.store.database import OutboundTrailerRow
from xdock.protocol.identifiers import IdentifierError, check_id

__all__ = [
    "ANNOUNCED_EVENT", "DEPARTURE_AHEAD", "MAX_CAPACITY_KG", "MAX_CAPACITY_PALLETS", "OutboundTrailers",
    "TrailerRefusedError", "restore",
]

log = logging.getLogger(__name__)

ANNOUNCED_EVENT = "trailer_announced"

DEPARTURE_AHEAD: Final = timedelta(days=7)
"""Latest departure an announcement may give, after the site's clock: a trailer at a door leaves within
days; a later one is a wrong year or month."""
MAX_CAPACITY_PALLETS: Final = 100
"""The most pallet positions a trailer may have (as in the site file)."""
MAX_CAPACITY_KG: Final = 60_000.0
"""The most kg a trailer may take (as in the site file)."""


class TrailerRefusedError(ValueError):
    """An announcement refused: ``status`` 409 (id or door taken) or 422 (a bad value); ``field``: the bad one."""

    def __init__(self, status: Literal[409, 422], field: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.field = field
        self.detail = detail


def trailer_state(row: OutboundTrailerRow, state: SiteState) -> TrailerState:
    """The live trailer an announcement's row describes (at the door it was announced at)."""
    local = row.departure.astimezone(state.config.zone)
    plan = TrailerPlan(
        id=row.id, door=row.door, destination=row.destination, capacity_pallets=row.capacity_pallets,
        departure=local.time().replace(tzinfo=None), capacity_kg=row.capacity_kg, reefer=row.reefer,
        accepts_hazmat=row.accepts_hazmat,
    )
    return TrailerState(plan, row.departure, announced_at=row.announced_at, announced_by=row.announced_by)


def restore(state: SiteState, rows: Iterable[OutboundTrailerRow]) -> None:
    """Take the trailers announced before central restarted. One the site file no longer allows (its id
    is now a trailer of the file, its door or destination is gone) is left out, with a warning."""
    for row in rows:
        door = state.doors.get(row.door)
        why = (f"trailer {row.id} is in the site file now" if row.id in state.trailers
               else f"door {row.door} is no outbound door of the site file" if door is None or not door.ships
               else f"destination {row.destination} is not in the site file"
               if row.destination not in state.destinations else None)
        if why is not None:
            log.warning("announced trailer %s left out after restart: %s", row.id, why)
            continue
        state.add_trailer(trailer_state(row, state))


class OutboundTrailers:
    """Announcing outbound trailers at run time (a part of :class:`~xdock.central.site.live_site.LiveSite`)."""

    def __init__(self, parts: SiteParts) -> None:
        self.parts = parts

    def announce(
        self, trailer_id: str, *, destination: str, door: str, departure: datetime, capacity_pallets: int,
        reefer: bool = False, accepts_hazmat: bool = True, capacity_kg: float = 24_000.0, by: str,
    ) -> TrailerState:
        """Trailer ``trailer_id`` is at ``door`` from now on, for ``destination``, leaving at ``departure``."""
        state = self.parts.state
        site = state.config.site
        now = self.parts.clock.now()
        try:
            check_id("trailer id", trailer_id)
        except IdentifierError as exc:
            raise TrailerRefusedError(422, "id", str(exc)) from exc
        if destination not in state.destinations:
            known = ", ".join(sorted(state.destinations))
            raise TrailerRefusedError(
                422, "destination", f"destination {destination!r} is not one of the site's (destinations: {known})"
            )
        found = state.doors.get(door)
        outbound = ", ".join(sorted(d.id for d in state.doors.values() if d.ships))
        if found is None:
            raise TrailerRefusedError(
                422, "door", f"door {door!r} does not exist at {site} (outbound: {outbound})"
            )
        if not found.ships:
            raise TrailerRefusedError(422, "door", f"door {door} is not an outbound door (outbound: {outbound})")
        self._check_departure(departure, now)
        if not 1 <= capacity_pallets <= MAX_CAPACITY_PALLETS:
            raise TrailerRefusedError(
                422, "capacity_pallets",
                f"capacity_pallets must be 1 to {MAX_CAPACITY_PALLETS}, got {capacity_pallets}",
            )
        if not (math.isfinite(capacity_kg) and 0 < capacity_kg <= MAX_CAPACITY_KG):
            raise TrailerRefusedError(
                422, "capacity_kg", f"capacity_kg must be above 0 and at most {MAX_CAPACITY_KG:.0f}, got {capacity_kg}"
            )
        if trailer_id in state.trailers:
            raise TrailerRefusedError(409, "id", f"trailer {trailer_id} exists already at {site}")
        taken = state.trailers_at(door)
        if taken:
            raise TrailerRefusedError(409, "door", f"door {door} is taken by trailer {', '.join(taken)}")
        row = OutboundTrailerRow(
            id=trailer_id, destination=destination, door=door, departure=departure,
            capacity_pallets=capacity_pallets, capacity_kg=float(capacity_kg), reefer=reefer,
            accepts_hazmat=accepts_hazmat, announced_at=now, announced_by=by,
        )
        body = {
            "by": by, "trailer": trailer_id, "destination": destination, "door": door,
            "departure": departure.isoformat(), "capacity_pallets": capacity_pallets,
            "capacity_kg": row.capacity_kg, "reefer": reefer, "accepts_hazmat": accepts_hazmat,
        }
        with self.parts.store.transaction() as tx:
            tx.put_outbound_trailer(row)
            tx.append_event(now, ANNOUNCED_EVENT, body)
        trailer = trailer_state(row, state)
        state.add_trailer(trailer)
        self.parts.dispatcher.put_trailer(trailer_from(trailer))
        log.info("trailer %s announced at door %s for %s, leaving %s, by %s", trailer_id, door, destination,
                 departure.isoformat(), by)
        return trailer

    def _check_departure(self, departure: datetime, now: datetime) -> None:
        if departure.tzinfo is None or departure.utcoffset() is None:
            raise TrailerRefusedError(422, "departure", f"departure {departure.isoformat()} has no UTC offset")
        if departure <= now:
            raise TrailerRefusedError(
                422, "departure", f"departure {departure.isoformat()} is not after the site's clock ({now.isoformat()})"
            )
        if departure > now + DEPARTURE_AHEAD:
            raise TrailerRefusedError(
                422, "departure", f"departure {departure.isoformat()} is more than {DEPARTURE_AHEAD.days} days "
                f"after the site's clock ({now.isoformat()})",
            )

"""The live model of the site: doors, outbound trailers with their load, pallets.

Built from the site file and the store at start, then kept current by :mod:`xdock.central.site.scans`.
The trailers are the site file's (leaving the site's day at their time of day) and those announced at
run time (:mod:`xdock.central.site.outbound`), whose departure is a time given in full and may fall on
a later day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from xdock.central.site_file.config import Destination, SiteConfig, TrailerPlan
from xdock.central.store.database import AnnouncedPalletRow, PalletRow
from xdock.protocol.messages import ShipToModel
from xdock.protocol.routing import match_destination

__all__ = ["SiteState", "TrailerState"]


@dataclass
class TrailerState:
    """An outbound trailer of the day and the pallets assigned to it."""

    plan: TrailerPlan
    """What it is; ``plan.door`` is the door it loads at now (a supervisor may move it)."""
    departure: datetime
    """When it leaves, in full: the one to read (``plan.departure`` is its local time of day only)."""
    pallets: set[str] = field(default_factory=set)
    departed: bool = False
    announced_at: datetime | None = None
    """When it was announced at run time (``None``: a trailer of the site file)."""
    announced_by: str | None = None

    @property
    def assigned(self) -> int:
        """Pallets assigned to it, confirmed loaded or not (how many of them are aboard, the load book knows)."""
        return len(self.pallets)


class SiteState:
    """Doors, trailers and pallets of one site on one day."""

    def __init__(self, config: SiteConfig, day: date) -> None:
        self.config = config
        self.day = day
        zone = config.zone
        self.doors = {d.id: d for d in config.doors}
        self.destinations = {d.id: d for d in config.destinations}
        self.trailers = {
            t.id: TrailerState(t, datetime.combine(day, t.departure, tzinfo=zone)) for t in config.trailers
        }
        self.pallets: dict[str, PalletRow] = {}
        self.announced: dict[str, AnnouncedPalletRow] = {}
        """Pallets announced by advance shipping notices, by SSCC (see :mod:`xdock.central.site.asns`)."""

    def add_trailer(self, trailer: TrailerState) -> None:
        """A trailer announced at run time (its id is new); the pallets naming it count on it."""
        self.trailers[trailer.plan.id] = trailer
        trailer.pallets.update(s for s, row in self.pallets.items() if row.trailer == trailer.plan.id)

    def trailers_at(self, door: str) -> list[str]:
        """Ids of the trailers loading at ``door`` now (not departed), sorted."""
        return sorted(t.plan.id for t in self.trailers.values() if not t.departed and t.plan.door == door)

    def load(self, rows: list[PalletRow]) -> None:
        """Take the pallets found in the store."""
        for row in rows:
            self.put(row)

    def reload(self, rows: list[PalletRow]) -> None:
        """Forget every pallet, then take ``rows`` (the store's truth after a failed write)."""
        self.pallets.clear()
        for trailer in self.trailers.values():
            trailer.pallets.clear()
        self.load(rows)

    def put(self, row: PalletRow) -> None:
        old = self.pallets.get(row.sscc)
        if old is not None and old.trailer in self.trailers:
            self.trailers[old.trailer].pallets.discard(row.sscc)
        self.pallets[row.sscc] = row
        if row.trailer in self.trailers:
            self.trailers[row.trailer].pallets.add(row.sscc)

    def destination_for(self, ship_to: ShipToModel) -> Destination | None:
        """The destination a label's ship-to means (see :func:`match_destination`)."""
        return match_destination(ship_to, self.destinations.values())

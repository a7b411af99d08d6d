"""Inbound trucks: announced by a WMS or yard system, then at a door, then unloaded.

A truck's life is a small state machine (the table :data:`TRANSITIONS`)::

    announce ──► waiting ──arrive(door)──► arrived ──unloaded──► unloaded

Each change is one store transaction: the truck's row and an event (``inbound_truck_announced``,
``inbound_truck_arrived``, ``inbound_truck_unloaded``) together, so the row is the truck's state and
the event log its history, and both survive a restart. Listeners (the live hub) are told after each
change. A refused change raises :class:`InboundRefusedError` naming the field at fault.

An announcement is refused (422) naming ``id`` when the truck's id is not an id of
:mod:`xdock.protocol.identifiers` (``A/B`` could never be marked arrived, its URL would not reach it),
and naming ``eta`` when the ETA is more than :data:`ETA_AHEAD` after or :data:`ETA_BEHIND` before the
site's clock (a wrong year, month or time zone).

Advance shipping notice (ASN): an announcement may say how many of the truck's pallets go to each
destination (``{"LYON": 12, "PARIS": 6}``). Every destination must be one of the site's, every count
0 or more, and the counts may add up to less than ``pallets``: the rest are pallets whose destination
is not known yet (they are routed when scanned, and the re-plan does not count them in the flows).

Suggested door: each re-plan round (:mod:`xdock.central.planning.planning_loop`) gives every waiting truck the
inbound door that plan has it at (:meth:`InboundTrucks.suggest`, one ``inbound_doors_suggested``
event per round that changed any). The plan starts from the door the yard gave and only moves it
when another door is strictly cheaper, so a yard's choice shows as the suggestion unless the plan
found better. ``door`` stays the yard's word and is never changed by a plan; the truck's real door is
the one it arrives at, and an arrived truck has no suggestion.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Final, Literal

from xdock.central.site.state import SiteState
from xdock.central.store.database import InboundTruckRow, Store, Transaction
from xdock.protocol.clock import Clock
from xdock.protocol.identifiers import IdentifierError, check_id

__all__ = ["ETA_AHEAD", "ETA_BEHIND", "TRANSITIONS", "InboundRefusedError", "InboundTrucks", "TruckState"]

log = logging.getLogger(__name__)

TruckState = Literal["waiting", "arrived", "unloaded"]

TRANSITIONS: dict[str, tuple[TruckState, TruckState]] = {
    "arrive": ("waiting", "arrived"),
    "unloaded": ("arrived", "unloaded"),
}
"""Action → (the state it needs, the state it leads to)."""

ETA_AHEAD: Final = timedelta(days=7)
"""Latest ETA an announcement may give, after the site's clock: a week covers any road trip booked ahead;
a later one is a wrong year or month."""
ETA_BEHIND: Final = timedelta(days=1)
"""Earliest ETA, before the site's clock: a truck announced late (it is already in the yard) is fine, one
expected days ago is a mistake (a wrong date or time zone)."""


class InboundRefusedError(ValueError):
    """A change refused: ``status`` 404 (no such truck), 409 (not in that state, id taken) or 422 (bad value)."""

    def __init__(self, status: Literal[404, 409, 422], field: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.field = field
        self.detail = detail


class InboundTrucks:
    """The site's inbound trucks, kept in ``store``; ``inbound_doors``: the doors a truck may unload at;
    ``destinations``: the site's destinations an advance shipping notice may name."""

    def __init__(
        self, store: Store, clock: Clock, inbound_doors: Collection[str], *, destinations: Collection[str]
    ) -> None:
        self.store = store
        self.clock = clock
        self.inbound_doors = frozenset(inbound_doors)
        self.destinations = frozenset(destinations)
        self._listeners: list[Callable[[], None]] = []

    @classmethod
    def for_site(cls, store: Store, clock: Clock, state: SiteState) -> InboundTrucks:
        """The trucks of ``state``'s site: unloaded at its receiving doors, their notices naming its destinations."""
        return cls(store, clock, [d.id for d in state.doors.values() if d.receives], destinations=state.destinations)

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every change."""
        self._listeners.append(listener)

    def all(self) -> list[InboundTruckRow]:
        """Every truck, by ETA then id."""
        return self.store.inbound_trucks()

    def get(self, truck_id: str) -> InboundTruckRow:
        row = self.store.inbound_truck(truck_id)
        if row is None:
            raise InboundRefusedError(404, "truck_id", f"No inbound truck {truck_id!r} has been announced")
        return row

    def announce(
        self, truck_id: str, *, eta: datetime, pallets: int, carrier: str | None = None, door: str | None = None,
        destinations: Mapping[str, int] | None = None, by: str,
    ) -> InboundTruckRow:
        """A truck expected at ``eta`` with ``pallets`` aboard (``door``: the one the yard has in mind;
        ``destinations``: its advance shipping notice, pallets by destination)."""
        self._check_announced(truck_id, eta, pallets)
        if destinations is not None:
            destinations = self._checked_asn(destinations, pallets)
        if door is not None:
            self._check_door(door)
        if self.store.inbound_truck(truck_id) is not None:
            raise InboundRefusedError(409, "id", f"inbound truck {truck_id} is already announced")
        now = self.clock.now()
        row = InboundTruckRow(id=truck_id, carrier=carrier, eta=eta, pallets=pallets, door=door, state="waiting",
                              announced_at=now, destinations=destinations)
        self._write(row, "inbound_truck_announced", by, now)
        return row

    def bring(
        self, truck_id: str, *, eta: datetime, pallets: int, destinations: Mapping[str, int], carrier: str | None,
        by: str, also: Callable[[Transaction, datetime], None],
    ) -> InboundTruckRow:
        """A despatch advice puts ``pallets`` (``destinations``: those of one known destination, by
        destination) on truck ``truck_id``: announced now, or added to it while it is waiting or at its
        door (a truck may carry several suppliers' shipments); ``also(tx, now)`` writes the advice's rows in
        the same transaction. Refused (409) for a truck already unloaded."""
        self._check_announced(truck_id, eta, pallets)
        now = self.clock.now()
        row = self.store.inbound_truck(truck_id)
        if row is None:
            row = InboundTruckRow(id=truck_id, carrier=carrier, eta=eta, pallets=pallets, door=None, state="waiting",
                                  announced_at=now, destinations=dict(sorted(destinations.items())))
            kind = "inbound_truck_announced"
        elif row.state == "unloaded":
            raise InboundRefusedError(409, "truck_id", f"inbound truck {truck_id} is unloaded: no pallets can be added")
        else:
            merged = dict(row.destinations or {})
            for dest, count in destinations.items():
                merged[dest] = merged.get(dest, 0) + count
            row = dataclasses.replace(row, pallets=row.pallets + pallets, destinations=dict(sorted(merged.items())),
                                      carrier=row.carrier or carrier)
            kind = "inbound_truck_added_to"
        self._write(row, kind, by, now, also=also)
        return row

    def _check_announced(self, truck_id: str, eta: datetime, pallets: int) -> None:
        try:
            check_id("truck id", truck_id)
        except IdentifierError as exc:
            raise InboundRefusedError(422, "id", str(exc)) from exc
        if eta.tzinfo is None:
            raise InboundRefusedError(422, "eta", f"eta {eta.isoformat()} has no UTC offset")
        now = self.clock.now()
        if not now - ETA_BEHIND <= eta <= now + ETA_AHEAD:
            raise InboundRefusedError(
                422, "eta", f"eta {eta.isoformat()} is {_far(eta - now)} the site's clock ({now.isoformat()}): "
                f"expected at most {_days(ETA_AHEAD)} ahead and {_days(ETA_BEHIND)} behind")
        if pallets < 0:
            raise InboundRefusedError(422, "pallets", f"pallets must be 0 or more, got {pallets}")

    def arrive(self, truck_id: str, door: str, *, by: str) -> InboundTruckRow:
        """The truck is at ``door`` (an inbound door)."""
        self._check_door(door)
        row = self._moved(truck_id, "arrive")
        now = self.clock.now()
        row = dataclasses.replace(row, state="arrived", door=door, arrived_at=now, suggested_door=None)
        self._write(row, "inbound_truck_arrived", by, now)
        return row

    def unloaded(self, truck_id: str, *, by: str) -> InboundTruckRow:
        """The truck is empty and leaves its door."""
        row = self._moved(truck_id, "unloaded")
        now = self.clock.now()
        row = dataclasses.replace(row, state="unloaded", unloaded_at=now)
        self._write(row, "inbound_truck_unloaded", by, now)
        return row

    def suggest(self, doors: Mapping[str, str | None], *, version: int) -> list[InboundTruckRow]:
        """Take plan ``version``'s door for each waiting truck named in ``doors`` (``None``: the plan has
        none for it); trucks not named (announced since) and trucks no longer waiting are left as they
        are. Returns the trucks whose suggestion changed, stored with one event."""
        changed = [
            dataclasses.replace(row, suggested_door=doors[row.id])
            for row in self.store.inbound_trucks()
            if row.state == "waiting" and row.id in doors and row.suggested_door != doors[row.id]
        ]
        if not changed:
            return []
        now = self.clock.now()
        with self.store.transaction() as tx:
            for row in changed:
                tx.put_inbound_truck(row)
            tx.append_event(now, "inbound_doors_suggested",
                            {"version": version, "doors": {row.id: row.suggested_door for row in changed}})
        log.info("plan v%d suggests doors for %d inbound trucks", version, len(changed))
        for listener in self._listeners:
            listener()
        return changed

    def _checked_asn(self, destinations: Mapping[str, int], pallets: int) -> dict[str, int]:
        for dest, count in destinations.items():
            if dest not in self.destinations:
                known = ", ".join(sorted(self.destinations))
                detail = f"destination {dest!r} is not one of the site's (destinations: {known})"
                raise InboundRefusedError(422, f"destinations.{dest}", detail)
            if count < 0:
                raise InboundRefusedError(
                    422, f"destinations.{dest}", f"destinations.{dest} must be 0 or more, got {count}"
                )
        total = sum(destinations.values())
        if total > pallets:
            raise InboundRefusedError(
                422, "destinations", f"destinations add up to {total} pallets, more than the {pallets} aboard"
            )
        return dict(sorted(destinations.items()))

    def _check_door(self, door: str) -> None:
        if door not in self.inbound_doors:
            raise InboundRefusedError(
                422, "door", f"door {door!r} is not an inbound door (inbound: {', '.join(sorted(self.inbound_doors))})"
            )

    def _moved(self, truck_id: str, action: str) -> InboundTruckRow:
        row = self.get(truck_id)
        needs, _ = TRANSITIONS[action]
        if row.state != needs:
            raise InboundRefusedError(409, "truck_id", f"inbound truck {truck_id} is {row.state}, not {needs}")
        return row

    def _write(
        self, row: InboundTruckRow, kind: str, by: str, now: datetime,
        also: Callable[[Transaction, datetime], None] | None = None,
    ) -> None:
        body: dict[str, object] = {
            "truck": row.id, "carrier": row.carrier, "eta": row.eta.isoformat(), "pallets": row.pallets,
            "door": row.door, "state": row.state, "by": by,
        }
        if row.destinations is not None:
            body["destinations"] = dict(row.destinations)
        with self.store.transaction() as tx:
            tx.put_inbound_truck(row)
            tx.append_event(now, kind, body)
            if also is not None:
                also(tx, now)
        log.info("%s: %s (%s) by %s", kind, row.id, row.door or "no door", by)
        for listener in self._listeners:
            listener()


def _days(span: timedelta) -> str:
    return f"{span.days} day" if span.days == 1 else f"{span.days} days"


def _far(offset: timedelta) -> str:
    """``offset`` from a clock as ``8 days 2 h ahead of`` or ``1 day 6 h behind``."""
    whole = abs(offset)
    text = f"{_days(whole)} {whole.seconds // 3600} h"
    return f"{text} {'ahead of' if offset > timedelta(0) else 'behind'}"

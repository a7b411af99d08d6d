"""Inbound trucks: announced by a WMS or yard system, then at a door, then unloaded.

A truck's life is a small state machine (the table :data:`TRANSITIONS`)::

    announce ──► waiting ──arrive(door)──► arrived ──unloaded──► unloaded

Each change is one store transaction: the truck's row and an event (``inbound_truck_announced``,
``inbound_truck_arrived``, ``inbound_truck_unloaded``) together, so the row is the truck's state and
the event log its history, and both survive a restart. Listeners (the live hub) are told after each
change. A refused change raises :class:`InboundRefusedError` naming the field at fault.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Literal

from xdock.central.store import InboundTruckRow, Store
from xdock.protocol.clock import Clock

__all__ = ["TRANSITIONS", "InboundRefusedError", "InboundTrucks", "TruckState"]

log = logging.getLogger(__name__)

TruckState = Literal["waiting", "arrived", "unloaded"]

TRANSITIONS: dict[str, tuple[TruckState, TruckState]] = {
    "arrive": ("waiting", "arrived"),
    "unloaded": ("arrived", "unloaded"),
}
"""Action → (the state it needs, the state it leads to)."""


class InboundRefusedError(ValueError):
    """A change refused: ``status`` 404 (no such truck), 409 (not in that state, id taken) or 422 (bad value)."""

    def __init__(self, status: Literal[404, 409, 422], field: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.field = field
        self.detail = detail


class InboundTrucks:
    """The site's inbound trucks, kept in ``store``; ``inbound_doors``: the doors a truck may unload at."""

    def __init__(self, store: Store, clock: Clock, inbound_doors: Collection[str]) -> None:
        self.store = store
        self.clock = clock
        self.inbound_doors = frozenset(inbound_doors)
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every change."""
        self._listeners.append(listener)

    def all(self) -> list[InboundTruckRow]:
        """Every truck, by ETA then id."""
        return self.store.inbound_trucks()

    def get(self, truck_id: str) -> InboundTruckRow:
        for row in self.store.inbound_trucks():
            if row.id == truck_id:
                return row
        raise InboundRefusedError(404, "truck_id", f"No inbound truck {truck_id!r} has been announced")

    def announce(
        self, truck_id: str, *, eta: datetime, pallets: int, carrier: str | None = None, door: str | None = None,
        by: str,
    ) -> InboundTruckRow:
        """A truck expected at ``eta`` with ``pallets`` aboard (``door``: the one the yard has in mind)."""
        if eta.tzinfo is None:
            raise InboundRefusedError(422, "eta", f"eta {eta.isoformat()} has no UTC offset")
        if pallets < 0:
            raise InboundRefusedError(422, "pallets", f"pallets must be 0 or more, got {pallets}")
        if door is not None:
            self._check_door(door)
        if any(row.id == truck_id for row in self.store.inbound_trucks()):
            raise InboundRefusedError(409, "id", f"inbound truck {truck_id} is already announced")
        now = self.clock.now()
        row = InboundTruckRow(id=truck_id, carrier=carrier, eta=eta, pallets=pallets, door=door, state="waiting",
                              announced_at=now)
        self._write(row, "inbound_truck_announced", by, now)
        return row

    def arrive(self, truck_id: str, door: str, *, by: str) -> InboundTruckRow:
        """The truck is at ``door`` (an inbound door)."""
        self._check_door(door)
        row = self._moved(truck_id, "arrive")
        now = self.clock.now()
        row = dataclasses.replace(row, state="arrived", door=door, arrived_at=now)
        self._write(row, "inbound_truck_arrived", by, now)
        return row

    def unloaded(self, truck_id: str, *, by: str) -> InboundTruckRow:
        """The truck is empty and leaves its door."""
        row = self._moved(truck_id, "unloaded")
        now = self.clock.now()
        row = dataclasses.replace(row, state="unloaded", unloaded_at=now)
        self._write(row, "inbound_truck_unloaded", by, now)
        return row

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

    def _write(self, row: InboundTruckRow, kind: str, by: str, now: datetime) -> None:
        body = {"truck": row.id, "carrier": row.carrier, "eta": row.eta.isoformat(), "pallets": row.pallets,
                "door": row.door, "state": row.state, "by": by}
        with self.store.transaction() as tx:
            tx.put_inbound_truck(row)
            tx.append_event(now, kind, body)
        log.info("%s: %s (%s) by %s", kind, row.id, row.door or "no door", by)
        for listener in self._listeners:
            listener()

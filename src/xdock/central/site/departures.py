"""When each trailer was marked departed, and how many of its pallets it left behind, read from the event log
(for the on-time departures and late pallets KPIs).

The supervisor's departure override writes an ``override_trailer_departed`` event naming the trailer, with
the pallets assigned to it (``loaded``, aboard or not) and those confirmed aboard (``aboard``): the others
missed it and are sent elsewhere (their SSCCs: ``pallets_aboard`` and ``pallets_left``, for the dispatch
advice and the partners' events, :mod:`xdock.central.partners`).
:class:`DepartureLog` follows the dashboard's one :class:`~xdock.central.store.event_tail.EventTail`
(shared with the load book), so the log is read once at start and then only the events appended
since, and each refresh costs the new events alone.
"""

from __future__ import annotations

from datetime import datetime

from xdock.central.store.database import EventRow, Store
from xdock.central.store.event_tail import EventTail

__all__ = ["DEPARTED_EVENT", "DepartureLog"]

DEPARTED_EVENT = "override_trailer_departed"


class DepartureLog:
    """Trailer id → when a supervisor marked it departed (the first time).

    ``source``: the event tail to follow, or a store (read through a tail of its own).
    """

    def __init__(self, source: EventTail | Store) -> None:
        self.tail = source if isinstance(source, EventTail) else EventTail(source)
        self._departed_at: dict[str, datetime] = {}
        self._left_behind: dict[str, int] = {}
        self.tail.follow(self._take)

    def _take(self, event: EventRow) -> None:
        trailer = event.body.get("trailer")
        if event.kind == DEPARTED_EVENT and isinstance(trailer, str) and trailer not in self._departed_at:
            self._departed_at[trailer] = event.at
            assigned, aboard = event.body.get("loaded"), event.body.get("aboard")
            if isinstance(assigned, int) and isinstance(aboard, int):
                self._left_behind[trailer] = max(0, assigned - aboard)

    def refresh(self) -> dict[str, datetime]:
        """Read the events appended since the last read; answer every departure known so far."""
        self.tail.refresh()
        return dict(self._departed_at)

    def left_behind(self) -> dict[str, int]:
        """Trailer id → pallets assigned to it and not aboard when it was marked departed, as of the last
        :meth:`refresh`."""
        return dict(self._left_behind)

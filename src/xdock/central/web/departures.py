"""When each trailer was marked departed, read from the event log (for the on-time departures KPI).

The supervisor's departure override writes an ``override_trailer_departed`` event naming the trailer;
:class:`DepartureLog` reads the log once at start and then only the events appended since, so each
refresh costs the new events alone.
"""

from __future__ import annotations

from datetime import datetime

from xdock.central.store import Store

__all__ = ["DEPARTED_EVENT", "DepartureLog"]

DEPARTED_EVENT = "override_trailer_departed"
_PAGE = 1000


class DepartureLog:
    """Trailer id → when a supervisor marked it departed (the first time)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._after = 0
        self._departed_at: dict[str, datetime] = {}
        self.refresh()

    def refresh(self) -> dict[str, datetime]:
        """Read the events appended since the last call; answer every departure known so far."""
        while page := self.store.events(after=self._after, limit=_PAGE):
            for event in page:
                trailer = event.body.get("trailer")
                if event.kind == DEPARTED_EVENT and isinstance(trailer, str):
                    self._departed_at.setdefault(trailer, event.at)
            self._after = page[-1].id
        return dict(self._departed_at)

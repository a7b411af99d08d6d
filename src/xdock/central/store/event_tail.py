"""One incremental reader of the store's event log, shared by everything the dashboard derives from it.

The load book (loads and mis-loads, and how each was confirmed), the departure log and the live
hub (alerts changed, a pallet loaded through an RFID portal) each *follow* the one :class:`EventTail`:
it reads the log once from the start, then on each :meth:`~EventTail.refresh` only the events
appended since, and hands every event to every follower in log order. So the log is read once,
whoever wrote to it (a handheld's load confirmation, an RFID door passage, an override, an alert).
"""

from __future__ import annotations

from collections.abc import Callable

from xdock.central.store.database import EventRow, Store

__all__ = ["EventTail", "Follower"]

Follower = Callable[[EventRow], None]
"""Takes one event of the log; called for every event, oldest first, exactly once."""

_PAGE = 1000


class EventTail:
    """The events of ``store`` read so far, handed to each follower once."""

    def __init__(self, store: Store, *, page: int = _PAGE) -> None:
        if page < 1:
            raise ValueError(f"page must be at least 1, got {page}")
        self.store = store
        self.page = page
        self.last_id = 0
        """Id of the newest event read."""
        self._followers: list[Follower] = []

    def follow(self, follower: Follower) -> None:
        """Hand ``follower`` every event of the log from now on; the events read already are handed
        to it first (one more pass over them, for it alone: follow before the first refresh to avoid it)."""
        after = 0
        while after < self.last_id and (page := self.store.events(after=after, limit=self.page)):
            for event in page:
                if event.id <= self.last_id:
                    follower(event)
            after = page[-1].id
        self._followers.append(follower)

    def refresh(self) -> int:
        """Read the events appended since the last call, hand each to every follower; answer how many."""
        read = 0
        while page := self.store.events(after=self.last_id, limit=self.page):
            for event in page:
                for follower in self._followers:
                    follower(event)
                self.last_id = event.id
            read += len(page)
        return read

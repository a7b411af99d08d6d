"""Load confirmation at the outbound door: the worker scans the door (or trailer) they load at.

Right door: the pallet is marked loaded (:func:`~xdock.central.aboard.confirm_aboard`: the ``loaded``
event and the pallet's ``loaded`` state, frozen for the optimiser). Wrong door: the load is
refused, the worker sees STOP with the right door, and a ``misload_prevented`` event is stored.
Both are rebuilt from the event log when central starts, so the counts survive a restart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from xdock.central.aboard import confirm_aboard
from xdock.central.scans import ScanService

__all__ = ["LoadBook", "LoadError", "LoadResult"]

log = logging.getLogger(__name__)

_PAGE = 5000


class LoadError(ValueError):
    """The confirmation cannot be judged; ``field`` names the bad input."""

    def __init__(self, field: str, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass(frozen=True)
class LoadResult:
    ok: bool
    sscc: str
    door: str
    """Where the pallet must be loaded."""
    trailer: str
    at_door: str
    """Where the worker is."""
    message: str
    first_time: bool
    """False when this pallet was confirmed loaded before (nothing new stored)."""


class LoadBook:
    """Which pallets are loaded (and when), and how many mis-loads were stopped."""

    def __init__(self, service: ScanService) -> None:
        self.service = service
        self.state = service.state
        self.store = store = service.store
        self.loaded: dict[str, datetime] = {}
        self.misloads_prevented = 0
        after = 0
        while page := store.events(after=after, limit=_PAGE):
            for event in page:
                if event.kind == "loaded" and event.sscc is not None:
                    self.loaded.setdefault(event.sscc, event.at)
                elif event.kind == "misload_prevented":
                    self.misloads_prevented += 1
            after = page[-1].id

    def _door_of(self, at: str) -> str:
        text = at.strip()
        doors = {d.upper(): d for d in self.state.doors}
        if text.upper() in doors:
            return doors[text.upper()]
        trailers = {t.upper(): t for t in self.state.trailers}
        if text.upper() in trailers:
            return self.state.trailers[trailers[text.upper()]].plan.door
        raise LoadError("at", f"at: {text!r} is no door or trailer of {self.state.config.site}")

    def confirm(self, sscc: str, at: str, *, device: str, now: datetime) -> LoadResult:
        """Judge loading pallet ``sscc`` at door (or trailer) ``at``; store what happened."""
        at_door = self._door_of(at)
        row = self.state.pallets.get(sscc)
        if row is None:
            raise LoadError("sscc", f"sscc: no pallet {sscc} has been scanned at {self.state.config.site}", status=404)
        if row.state not in ("assigned", "loaded") or row.trailer is None:
            where = f" (sent to {row.target})" if row.target else ""
            raise LoadError("sscc", f"sscc: pallet {sscc} is {row.state}{where}, not assigned to a trailer",
                            status=409)
        trailer = self.state.trailers[row.trailer]
        door = row.door or trailer.plan.door
        body = {"sscc": sscc, "trailer": row.trailer, "door": door, "at": at_door, "device": device}
        if at_door != door:
            with self.store.transaction() as tx:
                tx.append_event(now, "misload_prevented", body, sscc=sscc)
            self.misloads_prevented += 1
            log.warning("mis-load prevented: pallet %s at %s, belongs at %s", sscc, at_door, door)
            return LoadResult(False, sscc, door, row.trailer, at_door, f"STOP - wrong door: take it to {door}", True)
        first = sscc not in self.loaded
        if first:
            confirm_aboard(self.service, sscc, now, body)
            self.loaded[sscc] = now
        dest = self.state.destinations[trailer.plan.destination].name
        return LoadResult(True, sscc, door, row.trailer, at_door, f"Loaded on {row.trailer} to {dest}", first)

    def loaded_on(self, trailer: str) -> int:
        """How many of the pallets now assigned to ``trailer`` are confirmed loaded."""
        state = self.state.trailers.get(trailer)
        return 0 if state is None else sum(1 for s in state.pallets if s in self.loaded)

"""Load confirmation at the outbound door, and the dashboard's loads and mis-loads, however confirmed.

A worker confirms a load by scanning the door (or trailer) they load at. Right door: the pallet is
marked loaded (:func:`~xdock.central.site.aboard.confirm_aboard`: the ``loaded`` event and the pallet's
``loaded`` state, frozen for the optimiser). Wrong door: the load is refused, the worker sees STOP
with the right door, and a ``misload_prevented`` event is stored.

An RFID door passage confirms loads too (:mod:`xdock.central.site.passages`: a ``loaded`` event marked
``"via": "rfid"``); a handheld's events are marked ``"via": "scan"`` (a ``loaded`` event without
``via``, from before, is a handheld's too). A pallet the portal sees going out through the wrong door
was *not* stopped: it is a mis-load (a ``misload`` event and a ``misload`` alert for that pallet and
door), counted apart from the wrong-door scans the handheld refused.

:class:`LoadBook` keeps nothing of its own beyond what these stored records say: a pallet is loaded
when its row's state is ``loaded``; when and how (``scan`` or ``rfid``) it was confirmed, the
wrong-door scans stopped and the mis-loads at the portals come from the event log, read through the
dashboard's one :class:`~xdock.central.store.event_tail.EventTail`. So the counts survive a restart and
agree with the pallets and the alerts whichever way a load was confirmed.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple, get_args

from xdock.central.site.aboard import confirm_aboard
from xdock.central.site.parts import SiteParts
from xdock.central.store.database import EventRow
from xdock.central.store.event_tail import EventTail

__all__ = ["Confirmation", "Load", "LoadBook", "LoadError", "LoadResult", "TrailerFill"]

log = logging.getLogger(__name__)

Confirmation = Literal["scan", "rfid"]
"""How a load was confirmed, or a mis-load stopped: a worker's handheld scan, or an RFID door passage."""
_CONFIRMATIONS: tuple[Confirmation, ...] = get_args(Confirmation)


class Load(NamedTuple):
    """A pallet's first load confirmation, as the event log tells it."""

    sscc: str
    at: datetime
    via: Confirmation


class LoadError(ValueError):
    """The confirmation cannot be judged; ``field`` names the bad input."""

    def __init__(self, field: str, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass(frozen=True)
class TrailerFill:
    """How full a trailer is: what its door tile and ``GET /api/v1/trailers`` both show, from one count."""

    assigned: int
    """Pallets assigned to it, confirmed loaded or not (the tile's pallet meter)."""
    loaded: int
    """Of those, the pallets confirmed loaded, by handheld scan or RFID portal (the tile's "N loaded")."""
    loaded_by: dict[Confirmation, int]
    """``loaded`` split by how each load was first confirmed."""
    kg: float
    """The weight of the assigned pallets that carry one, to 0.1 kg."""


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
    """Which pallets are loaded (when, and how confirmed), how many wrong-door scans were stopped and how
    many pallets went out through a wrong door's RFID portal.

    ``tail``: the event tail to follow (shared with the other readers of the log); a tail of its own
    by default.
    """

    def __init__(self, parts: SiteParts, tail: EventTail) -> None:
        self.parts = parts
        self.state = parts.state
        self.store = parts.store
        self.tail = tail
        self._confirmed: dict[str, Load] = {}
        """SSCC → its first ``loaded`` event, in log order."""
        self._stopped = 0
        """``misload_prevented`` events: load confirmations a handheld scanned at the wrong door, refused."""
        self._portal: dict[tuple[str, str], None] = {}
        """(SSCC, door) of each ``misload`` event: a pallet seen going out through a wrong door, once per pallet
        and door as its ``misload`` alert."""
        self.tail.follow(self._take)

    def _take(self, event: EventRow) -> None:
        if event.kind == "loaded" and event.sscc is not None:
            via: Confirmation = "rfid" if event.body.get("via") == "rfid" else "scan"
            self._confirmed.setdefault(event.sscc, Load(event.sscc, event.at, via))
        elif event.kind == "misload_prevented":
            self._stopped += 1
        elif event.kind == "misload" and event.sscc is not None:
            passage = event.body.get("passage")
            door = passage.get("door") if isinstance(passage, dict) else None
            self._portal.setdefault((event.sscc, str(door)), None)

    @property
    def loaded(self) -> dict[str, datetime]:
        """SSCC → when it was first confirmed loaded, for every pallet whose row is ``loaded`` now."""
        self.tail.refresh()
        return {
            row.sscc: self._confirmed[row.sscc].at if row.sscc in self._confirmed else row.updated_at
            for row in self.state.pallets.values() if row.state == "loaded"
        }

    @property
    def wrong_door_scans_stopped(self) -> int:
        """Load confirmations a worker scanned at the wrong door, refused with STOP before the pallet went on."""
        self.tail.refresh()
        return self._stopped

    @property
    def portal_misloads(self) -> int:
        """Pallets an RFID portal saw going out through a wrong door (once per pallet and door, as the
        ``misload`` alerts): mis-loads that happened, not ones prevented."""
        self.tail.refresh()
        return len(self._portal)

    def confirmation(self, sscc: str) -> Load | None:
        """When and how pallet ``sscc`` was first confirmed loaded; ``None`` if it is not loaded (the log
        is read again only for a loaded pallet whose ``loaded`` event was not read yet)."""
        row = self.state.pallets.get(sscc)
        if row is None or row.state != "loaded":
            return None
        if sscc not in self._confirmed:
            self.tail.refresh()
        return self._confirmed.get(sscc)

    def confirmed_by(self, sscc: str) -> Confirmation | None:
        """How pallet ``sscc`` was first confirmed loaded; ``None`` if it is not loaded."""
        confirmed = self.confirmation(sscc)
        return None if confirmed is None else confirmed.via

    def latest(self, limit: int) -> list[Load]:
        """The ``limit`` latest loads of pallets loaded now, newest first (by confirmation time, then the
        later in the log first), as of the last read of the log."""
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        pallets = self.state.pallets
        loaded = (
            (load.at, n, load) for n, load in enumerate(self._confirmed.values())
            if (row := pallets.get(load.sscc)) is not None and row.state == "loaded"
        )
        return [load for _, _, load in heapq.nlargest(limit, loaded)]

    def loaded_by(self, trailer: str | None = None) -> dict[Confirmation, int]:
        """How many loaded pallets (of ``trailer``, or of the site) each way confirmed."""
        ssccs = self.state.pallets if trailer is None else self._trailer_pallets(trailer)
        pallets = self.state.pallets
        loaded = [s for s in ssccs if (row := pallets.get(s)) is not None and row.state == "loaded"]
        if any(s not in self._confirmed for s in loaded):
            self.tail.refresh()  # once for all of them, not once per pallet
        counts: dict[Confirmation, int] = dict.fromkeys(_CONFIRMATIONS, 0)
        for sscc in loaded:
            if (load := self._confirmed.get(sscc)) is not None:
                counts[load.via] += 1
        return counts

    def refresh(self) -> None:
        """Read the events appended to the log since the last read."""
        self.tail.refresh()

    def _trailer_pallets(self, trailer: str) -> Collection[str]:
        state = self.state.trailers.get(trailer)
        return () if state is None else state.pallets

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
        body = {"sscc": sscc, "trailer": row.trailer, "door": door, "at": at_door, "device": device, "via": "scan"}
        if at_door != door:
            with self.store.transaction() as tx:
                tx.append_event(now, "misload_prevented", body, sscc=sscc)
            log.warning("mis-load prevented: pallet %s at %s, belongs at %s", sscc, at_door, door,
                        extra={"sscc": sscc, "trailer": row.trailer, "door": at_door, "device": device})
            return LoadResult(False, sscc, door, row.trailer, at_door, f"STOP - wrong door: take it to {door}", True)
        first = row.state != "loaded"
        if first:
            confirm_aboard(self.parts, sscc, now, body)
        dest = self.state.destinations[trailer.plan.destination].name
        return LoadResult(True, sscc, door, row.trailer, at_door, f"Loaded on {row.trailer} to {dest}", first)

    def fill(self, trailer: str) -> TrailerFill:
        """How full ``trailer`` is now (pallets assigned, confirmed loaded each way, weight)."""
        pallets = self.state.pallets
        rows = [row for s in self._trailer_pallets(trailer) if (row := pallets.get(s)) is not None]
        by = self.loaded_by(trailer)
        kg = sum(row.weight_kg for row in rows if row.weight_kg)
        loaded = sum(1 for row in rows if row.state == "loaded")
        return TrailerFill(assigned=len(rows), loaded=loaded, loaded_by=by, kg=round(kg, 1))

    def loaded_on(self, trailer: str) -> int:
        """How many of the pallets now assigned to ``trailer`` are confirmed loaded."""
        pallets = self.state.pallets
        return sum(1 for s in self._trailer_pallets(trailer) if (row := pallets.get(s)) and row.state == "loaded")

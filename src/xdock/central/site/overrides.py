"""A supervisor's overrides of the plan: close or open a door, move a trailer to another door, force a
pallet onto a trailer, mark a trailer departed.

Each override goes the way the optimiser's own decisions go: the dispatcher checks it by its rules
and re-decides the pallets it touches (a closed door's pallets fall back to staging, a moved
trailer's pallets follow it), then one store transaction writes the changed pallets and an audit
event (``override_*``, naming who and what) before the live state changes. A refused override
changes nothing and raises :class:`OverrideRefusedError` whose message names the field and the reason.
A pallet confirmed loaded is frozen: no override sends it elsewhere (forcing it is refused), and a
departed trailer takes it along while its other pallets are sent elsewhere.

Door, trailer-door and departure overrides are kept in the store's meta table and applied again
when central restarts; a forced pallet is its stored assignment, which the dispatcher keeps.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from xdock.central.optimiser.plan import Move
from xdock.central.site.answers import row_for_move
from xdock.central.site.parts import SiteParts
from xdock.central.site.state import TrailerState
from xdock.central.store.database import PalletRow

__all__ = ["OVERRIDES_KEY", "OverrideRefusedError", "OverrideResult", "Overrides", "Standing"]

log = logging.getLogger(__name__)

OVERRIDES_KEY = "overrides"
"""Meta key holding the standing overrides (closed doors, trailer doors, departed trailers)."""


class OverrideRefusedError(ValueError):
    """An override the rules refuse. ``status``: 404 (no such thing) or 409 (not now); ``field``: the bad one."""

    def __init__(self, status: Literal[404, 409], field: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.field = field
        self.detail = detail


@dataclass(frozen=True)
class OverrideResult:
    """What an override did: its audit event's kind, and the pallets it sent elsewhere (SSCC → target)."""

    kind: str
    changed: Mapping[str, str | None] = field(default_factory=dict)
    rematched: Mapping[str, str | None] = field(default_factory=dict)
    """Staged pallets given a trailer at once because the override freed room (SSCC → trailer); see
    :class:`~xdock.central.site.live_site.LiveSite`."""


@dataclass(frozen=True)
class Standing:
    """The overrides that stand: doors closed, trailers moved to another door, trailers departed."""

    closed_doors: tuple[str, ...]
    trailer_doors: Mapping[str, str]
    departed: tuple[str, ...]


class Overrides:
    """The standing overrides of one site, and the way to make more."""

    def __init__(self, parts: SiteParts) -> None:
        self.parts = parts
        saved = json.loads(parts.store.meta(OVERRIDES_KEY) or "{}")
        self.closed: set[str] = set(saved.get("closed_doors", ()))
        self.trailer_doors: dict[str, str] = dict(saved.get("trailer_doors", {}))
        self.departed: set[str] = set(saved.get("departed", ()))
        if self.closed or self.trailer_doors or self.departed:
            self._restore()

    def standing(self) -> Standing:
        """The standing overrides, sorted."""
        return Standing(tuple(sorted(self.closed)), dict(sorted(self.trailer_doors.items())),
                        tuple(sorted(self.departed)))

    # -- the overrides ------------------------------------------------------------------------------

    def set_door(self, door_id: str, *, open_: bool, by: str) -> OverrideResult:
        """Open or close ``door_id``; closing sends the pallets bound for its trailers elsewhere."""
        door = self.parts.state.doors.get(door_id)
        if door is None:
            raise OverrideRefusedError(404, "door", f"door {door_id} does not exist at {self._site}")
        if open_ == (door_id not in self.closed):
            raise OverrideRefusedError(409, "door", f"door {door_id} is already {'open' if open_ else 'closed'}")
        before = dict(self.parts.dispatcher.plan().moves)
        (self.closed.discard if open_ else self.closed.add)(door_id)
        self._swap_doors()
        kind = "override_door_opened" if open_ else "override_door_closed"
        return self._commit(kind, by, {"door": door_id}, before=before)

    def move_trailer(self, trailer_id: str, door_id: str, *, by: str) -> OverrideResult:
        """Load ``trailer_id`` at ``door_id`` from now on; its pallets follow it."""
        trailer = self._trailer(trailer_id)
        door = self.parts.state.doors.get(door_id)
        if door is None:
            raise OverrideRefusedError(404, "door", f"door {door_id} does not exist at {self._site}")
        if not door.ships:
            raise OverrideRefusedError(409, "door", f"door {door_id} is not an outbound door")
        if door_id in self.closed:
            raise OverrideRefusedError(409, "door", f"door {door_id} is closed")
        current = self.parts.dispatcher.trailer_doors().get(trailer_id, trailer.plan.door)
        if current == door_id:
            raise OverrideRefusedError(409, "door", f"trailer {trailer_id} is already at door {door_id}")
        taken = [t for t in self.parts.state.trailers_at(door_id) if t != trailer_id]
        if taken:
            raise OverrideRefusedError(409, "door", f"door {door_id} is taken by trailer {', '.join(taken)}")
        before = dict(self.parts.dispatcher.plan().moves)
        self._put_trailer(trailer_id, door=door_id)
        self.trailer_doors[trailer_id] = door_id
        what = {"trailer": trailer_id, "from": current, "door": door_id}
        return self._commit("override_trailer_moved", by, what, before=before)

    def depart(self, trailer_id: str, *, by: str, readings: list[dict[str, Any]] | None = None) -> OverrideResult:
        """``trailer_id`` has left: no pallet is sent to it any more; those confirmed loaded leave with it
        (they stay ``loaded`` on it), the others are sent elsewhere. ``readings``: the trailer's latest
        temperature readings, kept in the event (the cold chain's record at departure)."""
        trailer = self._trailer(trailer_id)
        if trailer.departed:
            raise OverrideRefusedError(409, "trailer", f"trailer {trailer_id} has departed already")
        before = dict(self.parts.dispatcher.plan().moves)
        self._put_trailer(trailer_id, departed=True)
        self.departed.add(trailer_id)
        pallets = self.parts.state.pallets
        aboard = sorted(s for s in trailer.pallets if pallets[s].state == "loaded")
        left = sorted(s for s in trailer.pallets if pallets[s].state != "loaded")
        what = {"trailer": trailer_id, "door": trailer.plan.door, "destination": trailer.plan.destination,
                "loaded": trailer.assigned, "aboard": len(aboard), "pallets_aboard": aboard, "pallets_left": left,
                "readings": readings or []}
        return self._commit("override_trailer_departed", by, what, before=before)

    def assign(self, sscc: str, trailer_id: str, *, by: str) -> OverrideResult:
        """Send pallet ``sscc`` to ``trailer_id`` if the dispatcher's rules let it go there."""
        state = self.parts.state
        row = state.pallets.get(sscc)
        if row is None:
            raise OverrideRefusedError(404, "sscc", f"pallet {sscc} has not been scanned at {self._site}")
        if row.state == "loaded":
            raise OverrideRefusedError(409, "sscc", f"pallet {sscc} is loaded aboard trailer {row.trailer}: "
                                                    "it cannot be sent elsewhere")
        trailer = self._trailer(trailer_id, field_name="trailer")
        if row.trailer == trailer_id:
            raise OverrideRefusedError(409, "trailer", f"pallet {sscc} is assigned to trailer {trailer_id} already")
        self._check_fits(row, trailer_id)
        dispatcher = self.parts.dispatcher
        before = dict(dispatcher.plan().moves)
        move = dispatcher.keep(sscc, self.parts.clock.now(), trailer=trailer_id)
        if move is None:
            raise OverrideRefusedError(
                409, "trailer", f"pallet {sscc} does not fit trailer {trailer_id} ({trailer.plan.destination})"
            )
        return self._commit("override_pallet_assigned", by, {"sscc": sscc, "trailer": trailer_id},
                            before=before, sscc=sscc)

    # -- checks -------------------------------------------------------------------------------------

    @property
    def _site(self) -> str:
        return self.parts.state.config.site

    def _trailer(self, trailer_id: str, *, field_name: str = "trailer_id") -> TrailerState:
        trailer = self.parts.state.trailers.get(trailer_id)
        if trailer is None:
            raise OverrideRefusedError(404, field_name, f"trailer {trailer_id} is not planned today at {self._site}")
        return trailer

    def _check_fits(self, row: PalletRow, trailer_id: str) -> None:
        """Name the first of the dispatcher's rules a forced assignment breaks."""
        trailer = self.parts.state.trailers[trailer_id]
        plan = trailer.plan
        door = self.parts.dispatcher.trailer_doors().get(trailer_id, plan.door)
        if row.destination != plan.destination:
            raise OverrideRefusedError(409, "trailer", f"pallet {row.sscc} goes to {row.destination}, "
                                                  f"trailer {trailer_id} to {plan.destination}")
        if trailer.departed:
            raise OverrideRefusedError(409, "trailer", f"trailer {trailer_id} has departed")
        if door in self.closed:
            raise OverrideRefusedError(409, "trailer", f"trailer {trailer_id} is at closed door {door}")
        if row.temp != "ambient" and not plan.reefer:
            why = f"trailer {trailer_id} is no reefer for {row.temp} pallet {row.sscc}"
            raise OverrideRefusedError(409, "trailer", why)
        if row.dangerous and not plan.accepts_hazmat:
            raise OverrideRefusedError(409, "trailer", f"trailer {trailer_id} takes no dangerous goods")
        if trailer.assigned >= plan.capacity_pallets:
            raise OverrideRefusedError(
                409, "trailer", f"trailer {trailer_id} is full ({trailer.assigned}/{plan.capacity_pallets})"
            )

    # -- applying -----------------------------------------------------------------------------------

    def _put_trailer(self, trailer_id: str, *, door: str | None = None, departed: bool | None = None) -> None:
        dispatcher = self.parts.dispatcher
        current = dispatcher.floor.trailers[trailer_id]
        dispatcher.put_trailer(replace(
            current, door=door if door is not None else current.door,
            departed=departed if departed is not None else current.departed,
        ))
        state = self.parts.state.trailers[trailer_id]
        if door is not None:
            state.plan = state.plan.model_copy(update={"door": door})
        if departed is not None:
            state.departed = departed

    def _swap_doors(self) -> None:
        """The dispatcher decides again over the same floor and plan, with the doors' open flags as they stand now."""
        dispatcher = self.parts.dispatcher
        dispatcher.put_doors({k: replace(d, open=k not in self.closed) for k, d in dispatcher.floor.doors.items()})

    def _commit(
        self, kind: str, by: str, what: dict[str, Any], *, before: Mapping[str, Move], sscc: str | None = None,
    ) -> OverrideResult:
        """Store the pallets whose move changed, the standing overrides and the audit event, together."""
        now = self.parts.clock.now()
        state = self.parts.state
        moves = self.parts.dispatcher.plan().moves
        changed: dict[str, PalletRow] = {}
        for key, move in moves.items():
            old = before.get(key)
            row = state.pallets.get(key)
            if row is None or (old is not None and (old.kind, old.target, old.door) == (move.kind, move.target,
                                                                                        move.door)):
                continue
            changed[key] = replace(row_for_move(row, move), updated_at=now)
        saved = {"closed_doors": sorted(self.closed), "trailer_doors": dict(sorted(self.trailer_doors.items())),
                 "departed": sorted(self.departed)}
        with self.parts.store.transaction() as tx:
            for row in changed.values():
                tx.put_pallet(row)
            tx.put_meta(OVERRIDES_KEY, json.dumps(saved, sort_keys=True))
            tx.append_event(now, kind, {"by": by, **what, "changed": {k: r.target for k, r in changed.items()}},
                            sscc=sscc)
        for row in changed.values():
            state.put(row)
        # Routine (a trailer leaving with its load) at INFO; one that sends workers' pallets elsewhere at WARNING.
        log.log(logging.WARNING if changed else logging.INFO, "%s by %s: %s (%d pallets re-sent)", kind, by, what,
                len(changed), extra={"sscc": sscc, "trailer": what.get("trailer"), "door": what.get("door")})
        return OverrideResult(kind, {k: r.target for k, r in changed.items()})

    def _restore(self) -> None:
        """Apply the standing overrides found in the store (central restarted)."""
        before = dict(self.parts.dispatcher.plan().moves)
        for trailer_id, door in self.trailer_doors.items():
            if trailer_id in self.parts.state.trailers:
                self._put_trailer(trailer_id, door=door)
        for trailer_id in self.departed:
            if trailer_id in self.parts.state.trailers:
                self._put_trailer(trailer_id, departed=True)
        self._swap_doors()
        self._commit("overrides_restored", "central", {}, before=before)

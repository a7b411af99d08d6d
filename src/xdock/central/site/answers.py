"""Turning the optimiser's move for a scanned pallet into the answer the worker sees and the stored row."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from xdock.central.optimiser.plan import Move
from xdock.central.site.state import SiteState
from xdock.central.store.database import PalletRow
from xdock.protocol.display import area_text, assigned_text, clip
from xdock.protocol.messages import Assignment, ScanEvent

__all__ = ["answer_for_move", "rejection", "row_for_move"]

def answer_for_move(state: SiteState, event: ScanEvent, move: Move, now: datetime) -> Assignment:
    """The scanner's answer: ``→ D12  LYON  dep 16:40`` for a trailer, ``→ S1  STAGING  why`` for an area."""
    if move.kind == "direct":
        trailer = state.trailers[move.target]
        dest = state.destinations[trailer.plan.destination]
        local = trailer.departure.astimezone(state.config.zone)
        door = move.door or trailer.plan.door
        return Assignment(
            edge_id=event.edge_id, seq=event.seq, device_id=event.device_id, sscc=event.sscc, outcome="assigned",
            door=door, trailer=trailer.plan.id, destination=dest.id, departure=trailer.departure,
            reason=move.reason, display=assigned_text(door, dest.name, local, now.astimezone(state.config.zone)),
            decided_at=now,
        )
    why = move.reason.split(" · ")[0]
    staged = move.kind == "staging"
    return Assignment(
        edge_id=event.edge_id, seq=event.seq, device_id=event.device_id, sscc=event.sscc,
        outcome="staged" if staged else "breakdown", area=move.target,
        destination=event.ship_to.value if event.ship_to else None, reason=move.reason,
        display=area_text(move.target, "staging" if staged else "breakdown", why), decided_at=now,
    )


def rejection(event: ScanEvent, now: datetime, reason: str, short: str) -> Assignment:
    """An answer with no place: the error beep and ``short`` on the display."""
    return Assignment(
        edge_id=event.edge_id, seq=event.seq, device_id=event.device_id, sscc=event.sscc, outcome="rejected",
        reason=reason, display=clip(short), decided_at=now,
    )


def row_for_move(base: PalletRow, move: Move) -> PalletRow:
    """The stored pallet once ``move`` was decided for it."""
    if move.kind == "direct":
        return replace(base, state="assigned", trailer=move.target, door=move.door, target=move.target)
    if move.kind == "staging":
        return replace(base, state="staged", trailer=None, door=None, target=move.target)
    return replace(base, state="breakdown", trailer=None, door=None, target=move.target)

"""RFID door passages applied at central: pallets received at inbound doors, loaded or stopped at outbound ones.

Each :class:`~xdock.protocol.passages.DoorPassage` is applied once, keyed by ``(edge_id, seq)`` in the
store's ``applied`` table like a scan (the edge's outbox numbers scans and passages from one
sequence, so the keys never collide). The stored reply is the STOP :class:`Feedback` sent to the
edge, or an empty text when there was none; a redelivered passage is answered with it again.

What a passage means::

    in  at a door that receives          → ``received`` event (the pallet came in there)
    out at the door of its own trailer   → the pallet is confirmed loaded (:func:`confirm_aboard`)
    out at a door that ships, otherwise  → mis-load: ``misload`` alert naming the pallet, the door
                                           and the right door; a ``misload`` event; a STOP Feedback
                                           (error beep, ``STOP D12 -> D14``) to the edge's reader
    anything else                        → a ``passage`` event only (kept for the record)

The effect (a loaded row, an alert) is written before the key, each in its own transaction, and
both are idempotent: a passage redelivered after a crash between them loads the pallet again or
finds its alert open, and is then keyed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xdock.central.site.aboard import NotAboardError, confirm_aboard
from xdock.central.site.parts import SiteParts
from xdock.protocol.messages import Feedback, MessageError, decode, encode
from xdock.protocol.passages import DoorPassage

__all__ = ["PassageResult", "PassageService", "PassageStats", "stop_text"]

log = logging.getLogger(__name__)

_Decision = tuple[str, Feedback | None, dict[str, Any]]


def stop_text(door: str, right: str | None, *, scanned: bool = True) -> str:
    """What the door's display shows for a pallet going out through the wrong door.

    ``right`` is the door (or area) where the pallet belongs, ``None`` when it has none yet;
    ``scanned`` is false for a pallet central never saw (it must be scanned in first).
    """
    if not scanned:
        return f"STOP {door}: not scanned in"
    if right is None:
        return f"STOP {door}: no trailer yet"
    return f"STOP {door} -> {right}"


@dataclass(frozen=True)
class PassageResult:
    """What one passage did: ``outcome`` and the Feedback to send the edge (a mis-load's STOP), if any."""

    outcome: str
    """``received``, ``loaded``, ``misload``, ``recorded``, ``duplicate`` or ``conflict`` (the key is a scan's)."""
    reply: Feedback | None


@dataclass
class PassageStats:
    applied: int = 0
    duplicates: int = 0
    received: int = 0
    loaded: int = 0
    misloads: int = 0


class PassageService:
    """Applies door passages against the live site's pallets (a part of the site core,
    :class:`~xdock.central.site.live_site.LiveSite`)."""

    def __init__(self, parts: SiteParts) -> None:
        self.parts = parts
        self.alerts = parts.alerts
        self.clock = parts.clock
        self.stats = PassageStats()

    def apply(self, passage: DoorPassage) -> PassageResult:
        """Apply ``passage`` once; a replay returns the stored reply with outcome ``duplicate``."""
        store = self.parts.store
        stored = store.applied_reply(passage.edge_id, passage.seq)
        if stored is not None:
            return self._again(passage, stored)
        now = self.clock.now()
        outcome, reply, body = self._decide(passage, now)
        with store.transaction() as tx:
            tx.mark_applied(passage.edge_id, passage.seq, encode(reply).decode() if reply else "", now)
            kind = {"loaded": "passage", "recorded": "passage"}.get(outcome, outcome)
            tx.append_event(now, kind, body, sscc=passage.sscc, edge_id=passage.edge_id, seq=passage.seq)
        self.stats.applied += 1
        return PassageResult(outcome, reply)

    def _again(self, passage: DoorPassage, stored: str) -> PassageResult:
        """A passage whose key was applied before: its stored reply, or a refusal if a scan holds the key."""
        try:
            reply = decode(Feedback, stored.encode()) if stored else None
        except MessageError:
            now = self.clock.now()
            log.warning("seq_conflict: passage %s/%d reuses the key of a scan; refused", passage.edge_id, passage.seq,
                        extra=_ids(passage))
            with self.parts.store.transaction() as tx:
                tx.append_event(now, "seq_conflict", {"passage": passage.model_dump(mode="json")},
                                sscc=passage.sscc, edge_id=passage.edge_id, seq=passage.seq)
            return PassageResult("conflict", None)
        self.stats.duplicates += 1
        log.info("passage %s/%d already applied", passage.edge_id, passage.seq, extra=_ids(passage))
        return PassageResult("duplicate", reply)

    def _decide(self, passage: DoorPassage, now: datetime) -> _Decision:
        state = self.parts.state
        body: dict[str, Any] = {"passage": passage.model_dump(mode="json")}
        door = state.doors.get(passage.door)
        if door is None:
            log.warning("passage of %s at unknown door %s", passage.sscc, passage.door, extra=_ids(passage))
            return "recorded", None, body
        if passage.direction == "in":
            if not door.receives:
                return "recorded", None, body
            self.stats.received += 1
            log.info("pallet %s received at %s", passage.sscc, passage.door, extra=_ids(passage))
            return "received", None, body
        if not door.ships:
            return "recorded", None, body
        return self._out(passage, now, body)

    def _out(self, passage: DoorPassage, now: datetime, body: dict[str, Any]) -> _Decision:
        state = self.parts.state
        row = state.pallets.get(passage.sscc)
        if row is not None and row.state == "loaded" and row.door == passage.door:
            return "recorded", None, body
        if row is not None and row.trailer is not None and row.door == passage.door:
            try:
                confirm_aboard(self.parts, passage.sscc, now, body | {"via": "rfid"})
            except NotAboardError as exc:
                log.warning("passage of %s at %s not confirmed: %s", passage.sscc, passage.door, exc,
                            extra=_ids(passage))
                return "recorded", None, body
            self.stats.loaded += 1
            return "loaded", None, body
        place = (row.door or row.target) if row is not None else None
        right = place or ("none" if row is not None else "unknown")
        trailers = sorted(t.plan.id for t in state.trailers.values() if t.plan.door == passage.door and not t.departed)
        at_door = ", ".join(trailers) or "no trailer"
        assigned = row.trailer if row is not None and row.trailer else "none"
        if row is None:
            where = "it was never scanned in"
        elif row.trailer:
            where = f"its trailer {row.trailer} loads at {right}"
        else:
            where = f"it is {row.state}, its place is {right}"
        message = f"Mis-load: pallet {passage.sscc} went out through {passage.door} ({at_door}); {where}"
        self.alerts.raise_alert("misload", f"{passage.sscc}@{passage.door}", now, message, edge_id=passage.edge_id)
        self.stats.misloads += 1
        text = stop_text(passage.door, place, scanned=row is not None)
        reply = Feedback(device_id=passage.device_id, beep="error", text=text)
        body |= {"right_door": right, "trailer": assigned, "door_trailers": trailers, "message": message}
        return "misload", reply, body


def _ids(passage: DoorPassage) -> dict[str, object]:
    """The ids of a door passage, for a log call's ``extra`` (the JSON log lines' fields)."""
    return {"edge": passage.edge_id, "seq": passage.seq, "sscc": passage.sscc, "door": passage.door}

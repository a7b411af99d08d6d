"""Applying a scan: exactly once per ``(edge_id, seq)``, with the answer the worker sees.

:meth:`ScanService.apply` is the only way a scan changes the site. It looks up the key, decides
with the optimiser's entry point, and stores key, answer, event and pallet in one transaction
before the in-memory model changes. A key seen before gets the stored answer again and changes
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from xdock.central.optimiser.instant import Assigned, PalletRequest, decide
from xdock.central.site_state import SiteState
from xdock.central.store import PalletRow, Store
from xdock.protocol.clock import Clock
from xdock.protocol.display import assigned_text, clip
from xdock.protocol.messages import Assignment, MessageError, ScanEvent, decode, encode

__all__ = ["Applied", "ScanService", "ScanStats"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    """The answer to one scan, and whether it was a redelivery of a scan already applied."""

    reply: Assignment
    duplicate: bool


@dataclass
class ScanStats:
    applied: int = 0
    duplicates: int = 0
    assigned: int = 0
    rejected: int = 0


class ScanService:
    """Applies scans to the site state and the store."""

    def __init__(self, state: SiteState, store: Store, clock: Clock) -> None:
        self.state = state
        self.store = store
        self.clock = clock
        self.stats = ScanStats()
        self._listeners: list[Callable[[ScanEvent, Assignment], None]] = []
        state.load(store.pallets())

    def on_applied(self, listener: Callable[[ScanEvent, Assignment], None]) -> None:
        """Call ``listener`` after each newly applied scan (not for duplicates)."""
        self._listeners.append(listener)

    def apply(self, event: ScanEvent) -> Applied:
        """Apply one scan; see :meth:`apply_batch`."""
        return self.apply_batch([event])[0]

    def apply_batch(self, events: Sequence[ScanEvent]) -> list[Applied]:
        """Apply ``events`` in order, in one transaction: one disk sync for the whole batch.

        A later event of the batch sees the effect of the earlier ones (a trailer they filled, a
        key they applied). If the transaction fails, the live state is reloaded from the store,
        so memory never holds an effect the disk does not.
        """
        results: list[Applied] = []
        fresh: list[tuple[ScanEvent, Assignment]] = []
        now = self.clock.now()
        try:
            with self.store.transaction() as tx:
                for event in events:
                    stored = tx.applied_reply(event.edge_id, event.seq)
                    if stored is not None:
                        log.info("scan %s/%d already applied; answering again", event.edge_id, event.seq)
                        results.append(Applied(_stored(stored), duplicate=True))
                        continue
                    reply, row = self._decide(event, now)
                    tx.mark_applied(event.edge_id, event.seq, encode(reply).decode(), now)
                    body = {"scan": event.model_dump(mode="json"), "answer": reply.model_dump(mode="json")}
                    tx.append_event(now, "scan", body, sscc=event.sscc, edge_id=event.edge_id, seq=event.seq)
                    if row is not None:
                        tx.put_pallet(row)
                        self.state.put(row)
                    results.append(Applied(reply, duplicate=False))
                    fresh.append((event, reply))
        except BaseException:
            self.state.reload(self.store.pallets())
            raise
        self.stats.duplicates += len(results) - len(fresh)
        for event, reply in fresh:
            self.stats.applied += 1
            if reply.outcome == "assigned":
                self.stats.assigned += 1
            else:
                self.stats.rejected += 1
            for listener in self._listeners:
                listener(event, reply)
        return results

    def _decide(self, event: ScanEvent, now: datetime) -> tuple[Assignment, PalletRow | None]:
        state = self.state
        door = state.doors.get(event.door)
        if door is None or not door.receives:
            why = f"unknown door {event.door}" if door is None else f"door {event.door} is not an inbound door"
            return self._reject(event, now, f"Scan from edge {event.edge_id}: {why}", why), None
        previous = state.pallets.get(event.sscc)
        if previous is not None and previous.state == "assigned" and previous.trailer in state.trailers:
            trailer = state.trailers[previous.trailer]
            row = replace(previous, updated_at=now, scans=previous.scans + 1)
            return self._assign(event, now, trailer.plan.id, "Already assigned: " + _why(previous)), row
        base = PalletRow(
            sscc=event.sscc, state="unrouted", destination=None,
            ship_to=event.ship_to.value if event.ship_to else None, trailer=None, door=None,
            inbound_door=event.door, first_seen=previous.first_seen if previous else now, updated_at=now,
            scans=(previous.scans if previous else 0) + 1,
        )
        if event.ship_to is None:
            why = f"Pallet {event.sscc} has no ship-to on its label"
            return self._reject(event, now, why, "no ship-to on label"), base
        dest = state.destination_for(event.ship_to)
        if dest is None:
            return self._reject(
                event, now, f"Ship-to {event.ship_to.value} of pallet {event.sscc} is no known destination",
                f"unknown ship-to {event.ship_to.value}",
            ), base
        request = PalletRequest(event.sscc, dest.id, event.ship_to.value, state.door_point(event.door))
        handling = timedelta(minutes=state.config.handling_minutes)
        decision = decide(request, state.trailer_views(), now, handling)
        base = replace(base, destination=dest.id)
        if not isinstance(decision, Assigned):
            return self._reject(event, now, decision.reason, decision.short), base
        trailer_id = decision.trailer.id
        row = replace(base, state="assigned", trailer=trailer_id, door=decision.trailer.door.id)
        return self._assign(event, now, trailer_id, decision.reason), row

    def _assign(self, event: ScanEvent, now: datetime, trailer_id: str, reason: str) -> Assignment:
        trailer = self.state.trailers[trailer_id]
        dest = self.state.destinations[trailer.plan.destination]
        local = trailer.departure.astimezone(self.state.config.zone)
        return Assignment(
            edge_id=event.edge_id, seq=event.seq, device_id=event.device_id, sscc=event.sscc, outcome="assigned",
            door=trailer.plan.door, trailer=trailer_id, destination=dest.id, departure=trailer.departure,
            reason=f"{reason}; leaves {local:%H:%M}", display=assigned_text(trailer.plan.door, dest.name, local),
            decided_at=now,
        )

    def _reject(self, event: ScanEvent, now: datetime, reason: str, short: str) -> Assignment:
        return Assignment(
            edge_id=event.edge_id, seq=event.seq, device_id=event.device_id, sscc=event.sscc, outcome="rejected",
            reason=reason, display=clip(short), decided_at=now,
        )


def _why(row: PalletRow) -> str:
    return f"trailer {row.trailer} at {row.door}"


def _stored(text: str) -> Assignment:
    try:
        return decode(Assignment, text.encode())
    except MessageError as exc:  # the store only ever holds answers it encoded itself
        raise RuntimeError(f"Stored answer is not a valid Assignment: {exc}") from exc

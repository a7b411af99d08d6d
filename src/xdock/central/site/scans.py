"""Applying a scan: exactly once per ``(edge_id, seq)``, with the answer the worker sees.

:meth:`ScanService.apply` is the only way a scan changes the site. It looks up the key, decides
with the optimiser's entry point, and stores key, answer, event and pallet in one transaction
before the in-memory model changes. A key seen before gets the stored answer again and changes
nothing.

A key seen before with another pallet (SSCC) is no redelivery: the edge handed one ``seq`` to two
scans, and answering the stored answer would tell the worker the second pallet was taken when it
never was. Such a scan is a *seq conflict*: logged as an error, counted
(``seq_conflicts`` of :class:`~xdock.central.site.parts.ScanStats`), kept in the event log
(``seq_conflict``) and answered with a rejection (error beep, ``not recorded - rescan``); the site does not change.

Once given the routes publisher's :class:`~xdock.central.edge_routing.shares.ShareBook`
(:meth:`ScanService.respect_shares`), central's own decisions leave alone the positions held as shares
by edges that may be deciding alone (those ``connected`` does not vouch for): a scan from edge E may take
a trailer's reserve, E's own share and the shares of connected edges, never a disconnected edge's; so
may a rematch or an adopted re-plan (pallets the re-plan sends into held positions go to staging). What
such a decision takes beyond the trailer's free positions is cut from those shares at once
(:meth:`ShareBook.fit`), and the publisher sends the smaller shares at its next look. An offline decision
kept takes the edge's share as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from xdock.central.optimiser.dispatcher import Held, NoPlaceError
from xdock.central.optimiser.plan import Move, Plan
from xdock.central.site.announced import routed
from xdock.central.site.answers import answer_for_move, rejection, row_for_move
from xdock.central.site.floor_view import DANGEROUS_GOODS, pallet_from_scan
from xdock.central.site.held_positions import Connected, HeldPositions
from xdock.central.site.parts import SiteParts
from xdock.central.site.reconcile import reconcile
from xdock.central.store.database import NewEvent, PalletRow, Transaction
from xdock.protocol.messages import Assignment, MessageError, ScanEvent, decode, encode

__all__ = ["SEQ_CONFLICT_TEXT", "Applied", "ScanService"]

log = logging.getLogger(__name__)

SEQ_CONFLICT_TEXT = "not recorded - rescan"


@dataclass(frozen=True)
class Applied:
    """The answer to one scan, and whether it was a redelivery of a scan already applied."""

    reply: Assignment
    duplicate: bool


class ScanService:
    """Applies scans to the site state and the store (a part of :class:`~xdock.central.site.live_site.LiveSite`)."""

    def __init__(self, parts: SiteParts) -> None:
        self.state = parts.state
        self.store = parts.store
        self.clock = parts.clock
        self.stats = parts.stats
        self.dispatcher = parts.dispatcher
        self._listeners: list[Callable[[ScanEvent, Assignment], None]] = []
        self._shares: HeldPositions | None = None
        self._connected: Connected | None = None
        self._resume()

    def _resume(self) -> None:
        """Re-decide every pallet found in the store; workers' instructions stand while they still fit.

        Whatever changed since the store was written (a trailer left while central was down) is
        stored again, with a ``resumed`` event naming the pallets that moved.
        """
        now = self.clock.now()
        changed: list[PalletRow] = []
        for sscc, row in list(self.state.pallets.items()):
            if row.state in ("unrouted", "loaded", "split"):  # loaded: aboard its trailer, frozen; split: gone
                continue
            try:
                move = self.dispatcher.decide(sscc, now)
            except NoPlaceError as exc:
                self.dispatcher.remove_pallet(sscc)
                changed.append(replace(row, state="unrouted", trailer=None, door=None, target=None))
                log.warning("pallet %s has no place after restart: %s", sscc, exc)
                continue
            fresh = row_for_move(row, move)
            if (fresh.state, fresh.target, fresh.door) != (row.state, row.target, row.door):
                changed.append(replace(fresh, updated_at=now))
        if not changed:
            return
        with self.store.transaction() as tx:
            for row in changed:
                tx.put_pallet(row)
            tx.append_event(now, "resumed", {"changed": {r.sscc: r.target for r in changed}})
        for row in changed:
            self.state.put(row)

    def adopt_plan(self, plan: Plan, *, kind: str = "replanned") -> int:
        """Swap in a re-plan (or a rematch) and store every pallet whose move changed; return how many."""
        now = self.clock.now()
        before = self.dispatcher.plan().moves
        self.dispatcher.adopt(plan, held=self._held(None))
        self._fit_all()
        moves = self.dispatcher.plan().moves
        changed = [m for k, m in moves.items()
                   if (old := before.get(k)) is None or (old.kind, old.target, old.door) != (m.kind, m.target, m.door)]
        body: dict[str, object] = {"version": plan.version, "cost_m": round(plan.cost_m, 1)}
        return len(self._store_changes(changed, now, kind, body))

    def rematch(self) -> dict[str, str | None]:
        """Give staged pallets a trailer where one now fits; store the changes; return them (SSCC → target).

        Costs the staged pallets and their destinations' trailers, not the pallets in the building."""
        now = self.clock.now()
        changed = self.dispatcher.rematch(now, held=self._held(None))
        self._fit_all()
        return self._store_changes(changed, now, "rematched", {})

    def _store_changes(
        self, moves: Sequence[Move], now: datetime, kind: str, body: dict[str, object],
    ) -> dict[str, str | None]:
        """Store the pallets whose move is one of ``moves`` (changed), with one ``kind`` event."""
        changed: dict[str, PalletRow] = {}
        for move in moves:
            row = self.state.pallets.get(move.sscc)
            if row is not None:
                changed[move.sscc] = replace(row_for_move(row, move), updated_at=now)
        if not changed:
            return {}
        targets = {s: r.target for s, r in changed.items()}
        with self.store.transaction() as tx:
            for row in changed.values():
                tx.put_pallet(row)
            tx.append_event(now, kind, {**body, "changed": targets})
        for row in changed.values():
            self.state.put(row)
        return targets

    def respect_shares(self, book: HeldPositions, connected: Connected | None = None) -> None:
        """Central's own decisions leave the positions ``book`` gives edges alone, but for the shares of the
        edges ``connected`` says central hears (``None``: none), which they cut (see the module doc)."""
        self._shares = book
        self._connected = connected

    def _held(self, edge: str | None) -> Held | None:
        """Per trailer, the positions a decision for ``edge``'s pallet may not take (``None``: any edge's)."""
        book, connected = self._shares, self._connected
        if book is None:
            return None
        if connected is not None:
            connected = _remembered(connected)  # asked per trailer: each edge once per decision
        return lambda trailer: book.held(trailer, edge, connected)

    def _fit_all(self) -> None:
        """After a rematch or a re-plan: shares beyond a trailer's free positions are cut (connected edges')."""
        book = self._shares
        if book is None:
            return
        for trailer in book.trailers():
            book.fit(trailer, None, self.dispatcher.room(trailer), self._connected)

    def on_applied(self, listener: Callable[[ScanEvent, Assignment], None]) -> None:
        """Call ``listener`` after each newly applied scan (not for duplicates)."""
        self._listeners.append(listener)

    def apply(self, event: ScanEvent) -> Applied:
        """Apply one scan; see :meth:`apply_batch`."""
        return self.apply_batch([event])[0]

    def apply_batch(self, events: Sequence[ScanEvent]) -> list[Applied]:
        """Apply ``events`` in order, in one transaction: one disk sync for the whole batch.

        A later event of the batch sees the effect of the earlier ones (a trailer they filled, a
        key they applied). The batch's keys are looked up with the transaction's begin and its rows written
        in one statement per table with the commit, so a batch costs a store server two round trips, not
        several per scan. If the transaction fails, the live state is reloaded from the store, so memory never holds
        an effect the disk does not.
        """
        results: list[Applied] = []
        fresh: list[tuple[ScanEvent, Assignment]] = []
        now = self.clock.now()
        writes = _Writes()
        try:
            with self.store.transaction(looking_up=[(event.edge_id, event.seq) for event in events]) as tx:
                stored = tx.applied
                for event in events:
                    key = (event.edge_id, event.seq)
                    if (text := stored.get(key)) is not None:
                        earlier = _stored(text)
                        if earlier.sscc != event.sscc:
                            results.append(Applied(self._conflict(writes, event, earlier, now), duplicate=False))
                            continue
                        log.info("scan %s/%d already applied; answering again", event.edge_id, event.seq,
                                 extra=_ids(event, earlier))
                        results.append(Applied(earlier, duplicate=True))
                        continue
                    reply, row = self._decide(event, now, writes)
                    reconciled = reconcile(reply, event.offline) if event.offline is not None else None
                    if reconciled is not None:
                        reply = reconciled.reply
                    stored[key] = encode(reply).decode()
                    writes.applied.append((event.edge_id, event.seq, stored[key]))
                    body = {"scan": event.model_dump(mode="json"), "answer": reply.model_dump(mode="json")}
                    writes.event(now, "scan", body, event)
                    if reconciled is not None and event.offline is not None:
                        writes.event(now, reconciled.kind, reconciled.event_body(event.offline), event)
                    if row is not None:
                        writes.pallets.append(row)
                        self.state.put(row)
                    results.append(Applied(reply, duplicate=False))
                    fresh.append((event, reply))
                writes.to(tx, now)
        except BaseException:
            self.state.reload(self.store.pallets())
            raise
        for sscc, mismatch in writes.mismatches:  # stored: the live notices say it too
            self.state.announced[sscc] = replace(self.state.announced[sscc], mismatch=mismatch)
        self.stats.duplicates += sum(applied.duplicate for applied in results)
        for event, reply in fresh:
            self._count(event, reply)
            log.debug("scan %s/%d of %s: %s %s", event.edge_id, event.seq, event.sscc, reply.outcome,
                      reply.door or "-", extra=_ids(event, reply))
            for listener in self._listeners:
                listener(event, reply)
        return results

    def _conflict(self, writes: _Writes, event: ScanEvent, earlier: Assignment, now: datetime) -> Assignment:
        """``event`` reuses the key of ``earlier``'s scan for another pallet: refuse it, loudly."""
        self.stats.seq_conflicts += 1
        log.error(
            "seq_conflict: scan %s/%d of pallet %s reuses the key of pallet %s applied before; refused",
            event.edge_id, event.seq, event.sscc, earlier.sscc, extra=_ids(event),
        )
        writes.event(now, "seq_conflict", {"scan": event.model_dump(mode="json"), "applied_sscc": earlier.sscc},
                     event)
        why = f"scan {event.edge_id}/{event.seq} of pallet {event.sscc} reuses the key of pallet {earlier.sscc}"
        return rejection(event, now, f"Not recorded: {why}", SEQ_CONFLICT_TEXT)

    def _count(self, event: ScanEvent, reply: Assignment) -> None:
        s = self.stats
        s.applied += 1
        if reply.outcome == "rejected":
            s.rejected += 1
        elif reply.outcome == "assigned":
            s.assigned_direct += 1
        elif reply.outcome == "staged":
            s.staged += 1
        else:
            s.breakdown += 1
        if event.offline is not None:
            s.count_offline(corrected=reply.correction)

    def _decide(self, event: ScanEvent, now: datetime, writes: _Writes) -> tuple[Assignment, PalletRow | None]:
        state = self.state
        door = state.doors.get(event.door)
        if door is None or not door.receives:
            why = f"unknown door {event.door}" if door is None else f"door {event.door} is not an inbound door"
            return rejection(event, now, f"Scan from edge {event.edge_id}: {why}", why), None
        previous = state.pallets.get(event.sscc)
        if previous is not None and previous.state == "split":
            return rejection(event, now, f"Pallet {event.sscc} was split at the breakdown area: scan its child pallets",
                             "split: scan children"), None
        dest = state.destination_for(event.ship_to) if event.ship_to is not None else None
        facts = routed(event, dest.id if dest else None, state.announced.get(event.sscc), state.config)
        base = PalletRow(
            sscc=event.sscc, state="unrouted", destination=facts.destination,
            ship_to=event.ship_to.value if event.ship_to else None, trailer=None, door=None,
            inbound_door=event.door, first_seen=previous.first_seen if previous else now, updated_at=now,
            scans=(previous.scans if previous else 0) + 1, weight_kg=facts.weight_kg,
            dangerous=facts.dangerous, expiry=facts.expiry, temp=facts.temp,
            hazmat=facts.hazmat if facts.hazmat != DANGEROUS_GOODS else None, destinations=facts.destinations,
        )
        if facts.mismatches:
            writes.mismatches.append((event.sscc, facts.mismatches))
        pallet = pallet_from_scan(
            event, previous, destinations=facts.destinations or ((facts.destination,) if facts.destination else ()),
            temp=facts.temp, hazmat=facts.hazmat, expiry=facts.expiry, weight_kg=facts.weight_kg,
        )
        if facts.destination is None and not facts.destinations and not any(
            a.kind == "staging" for a in state.config.areas
        ):
            # Nowhere to hold a pallet whose destination is unknown: the worker must get help.
            if event.ship_to is None:
                return rejection(event, now, f"Pallet {event.sscc} has no ship-to on its label",
                                 "no ship-to on label"), base
            return rejection(
                event, now, f"Ship-to {event.ship_to.value} of pallet {event.sscc} is no known destination",
                f"unknown ship-to {event.ship_to.value}",
            ), base
        self.dispatcher.put_pallet(pallet)
        try:
            kept = self._kept(event, now)
            move = kept or self.dispatcher.decide(event.sscc, now, held=self._held(event.edge_id))
        except NoPlaceError as exc:
            self.dispatcher.remove_pallet(event.sscc)
            return rejection(event, now, str(exc), exc.why), base
        if kept is None and move.kind == "direct" and self._shares is not None:
            self._shares.fit(move.target, event.edge_id, self.dispatcher.room(move.target), self._connected)
        row = row_for_move(base, move)
        return answer_for_move(state, event, move, now), replace(row, state="loaded") if pallet.frozen else row

    def _kept(self, event: ScanEvent, now: datetime) -> Move | None:
        """The edge's offline instruction, when the dispatcher's rules let it stand."""
        told = event.offline
        if told is None:
            return None
        return self.dispatcher.keep(
            event.sscc, now, trailer=told.trailer if told.outcome == "assigned" else None,
            area=told.area if told.outcome == "staged" else None, decided_at=told.decided_at,
        )


@dataclass
class _Writes:
    """A batch's rows, written together at its end: applied keys, events (in order) and pallets."""

    applied: list[tuple[str, int, str]] = field(default_factory=list)
    events: list[NewEvent] = field(default_factory=list)
    pallets: list[PalletRow] = field(default_factory=list)
    mismatches: list[tuple[str, dict[str, list[str | None]]]] = field(default_factory=list)
    """Announced pallets whose label disagrees with their advance shipping notice: SSCC → field → [label, notice]."""

    def event(self, at: datetime, kind: str, body: dict[str, Any], scan: ScanEvent) -> None:
        self.events.append(NewEvent(at, kind, body, sscc=scan.sscc, edge_id=scan.edge_id, seq=scan.seq))

    def to(self, tx: Transaction, at: datetime) -> None:
        with tx.writes_together():
            tx.mark_applied_many(self.applied, at)
            tx.append_events(self.events)
            tx.put_pallets(self.pallets)
            tx.put_asn_mismatches(self.mismatches)


def _stored(text: str) -> Assignment:
    try:
        return decode(Assignment, text.encode())
    except MessageError as exc:  # the store only ever holds answers it encoded itself
        raise RuntimeError(f"Stored answer is not a valid Assignment: {exc}") from exc


def _ids(event: ScanEvent, reply: Assignment | None = None) -> dict[str, object]:
    """The ids of a scan (and its answer), for a log call's ``extra`` (the JSON log lines' fields)."""
    return {"edge": event.edge_id, "seq": event.seq, "sscc": event.sscc, "device": event.device_id,
            "door": None if reply is None else reply.door, "trailer": None if reply is None else reply.trailer}


def _remembered(connected: Connected) -> Connected:
    """``connected``, each edge's answer kept (for one decision, when nothing changes in between)."""
    answers: dict[str, bool] = {}

    def ask(edge: str) -> bool:
        answer = answers.get(edge)
        if answer is None:
            answer = answers[edge] = connected(edge)
        return answer

    return ask

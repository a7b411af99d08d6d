"""Scans recorded whose answer from central has not come yet, with what the edge did meanwhile.

For each such ``seq``: the scanner that read it, the timer that shows the waiting text after
``answer_timeout`` (while central is reachable) and the offline answer the worker already got (while
it was not), so central's answer is shown once, as an answer or as a correction
(:mod:`xdock.edge.central_answers`). Per scanner, the last scan recorded on it: the pallet the worker
may still hold (:attr:`Settled.latest`). Scans recorded by an earlier run of the edge are told apart
(:attr:`Settled.earlier_run`): their workers saw no answer from this run, nor were told to wait for
one.

All of it survives a restart (:meth:`PendingScans.resumed`): the outbox keeps the unanswered rows, the offline
answers given after a scan left, and the last scan of each scanner.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from xdock.edge.outbox import Unanswered
from xdock.protocol.messages import MessageError, OfflineDecision, ScanEvent, decode

__all__ = ["REMEMBER_OFFLINE", "OfflineAnswered", "PendingScans", "Settled"]

log = logging.getLogger(__name__)

REMEMBER_OFFLINE = 100_000
"""Offline answers remembered until central's answer arrives (the oldest are forgotten beyond)."""


@dataclass(frozen=True)
class OfflineAnswered:
    """The offline answer a worker got for a scan."""

    decision: OfflineDecision
    carried: bool
    """The scan event carried the decision, so central's ``correction`` flag is authoritative."""


@dataclass(frozen=True)
class Settled:
    """What the edge knows of a scan central just answered."""

    offline: OfflineAnswered | None
    """The offline answer the worker got meanwhile, if any."""
    latest: bool
    """The scan is still the last one recorded on its scanner: the worker may hold its pallet."""
    earlier_run: bool
    """The scan was recorded before the edge last started."""


class PendingScans:
    """The scans awaiting central's answer; see the module docstring."""

    def __init__(self, last_scans: Mapping[str, int] | None = None) -> None:
        """``last_scans``: the last scan of each scanner, by device id (from the outbox)."""
        self._device: dict[int, str] = {}
        self._earlier: set[int] = set()
        self._last = dict(last_scans or {})
        self._waiting: dict[int, asyncio.TimerHandle] = {}
        self._offline: OrderedDict[int, OfflineAnswered] = OrderedDict()

    @classmethod
    def resumed(cls, unanswered: Iterable[Unanswered], last_scans: Mapping[str, int], *,
                scan_topic: str) -> PendingScans:
        """The scans a previous run left awaiting central's answer (the outbox's unanswered rows on
        ``scan_topic``), with the offline answers their workers got.

        ``last_scans`` is stored in each scan's own commit, so it is never behind the rows."""
        pending = cls(last_scans)
        for row in unanswered:
            if row.topic != scan_topic:
                continue  # a passage or reading recorded just before a crash: central does not answer it
            try:
                event = decode(ScanEvent, row.payload)
                told = OfflineDecision.model_validate_json(row.offline_shown) if row.offline_shown else None
            except (MessageError, ValidationError) as exc:
                log.warning("outbox row %d is no scan this edge can read; no answer awaited: %s", row.seq, exc)
                continue
            pending.expect(row.seq, event.device_id)
            pending._earlier.add(row.seq)
            if told is not None:
                pending.remember(row.seq, OfflineAnswered(told, carried=False))
            elif event.offline is not None:
                pending.remember(row.seq, OfflineAnswered(event.offline, carried=True))
        return pending

    def awaits(self, seq: int) -> bool:
        """Central's answer to ``seq`` is still to come."""
        return seq in self._device

    def expect(self, seq: int, device_id: str) -> None:
        """``device_id`` read the scan ``seq``: its answer is awaited, and it is that scanner's last scan."""
        self._device[seq] = device_id
        self._last[device_id] = max(seq, self._last.get(device_id, seq))

    def forget(self, seq: int) -> None:
        """No answer is awaited for ``seq`` any more: the scan was not recorded."""
        self._device.pop(seq, None)

    def wait(self, seq: int, timer: asyncio.TimerHandle) -> None:
        """``timer`` fires when central has taken too long to answer ``seq``."""
        self._waiting[seq] = timer

    def timed_out(self, seq: int) -> bool:
        """``seq``'s timer fired: ``True`` unless central's answer came first."""
        return self._waiting.pop(seq, None) is not None

    def remember(self, seq: int, offline: OfflineAnswered) -> None:
        self._offline[seq] = offline
        while len(self._offline) > REMEMBER_OFFLINE:
            self._offline.popitem(last=False)

    def settle(self, seq: int) -> Settled:
        """Central answered ``seq``: no answer awaited any more, its timer stopped."""
        device = self._device.pop(seq, None)
        timer = self._waiting.pop(seq, None)
        if timer is not None:
            timer.cancel()
        latest = device is not None and self._last.get(device) == seq
        earlier = seq in self._earlier
        self._earlier.discard(seq)
        return Settled(self._offline.pop(seq, None), latest=latest, earlier_run=earlier)

    def close(self) -> None:
        """Stop every timer (the agent is stopping)."""
        for timer in self._waiting.values():
            timer.cancel()

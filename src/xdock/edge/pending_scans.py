"""Scans recorded whose answer from central has not come yet, with what the edge did meanwhile.

For each such ``seq``: the timer that shows the waiting text after ``answer_timeout`` (while central is
reachable) and the offline answer the worker already got (while it was not), so central's answer is
shown once, as an answer or as a correction (:mod:`xdock.edge.central_answers`).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from xdock.protocol.messages import OfflineDecision

__all__ = ["REMEMBER_OFFLINE", "OfflineAnswered", "PendingScans"]

REMEMBER_OFFLINE = 100_000
"""Offline answers remembered until central's answer arrives (the oldest are forgotten beyond)."""


@dataclass(frozen=True)
class OfflineAnswered:
    """The offline answer a worker got for a scan."""

    decision: OfflineDecision
    carried: bool
    """The scan event carried the decision, so central's ``correction`` flag is authoritative."""


class PendingScans:
    """The scans awaiting central's answer; see the module docstring."""

    def __init__(self, unanswered: set[int]) -> None:
        self._unanswered = unanswered
        self._waiting: dict[int, asyncio.TimerHandle] = {}
        self._offline: OrderedDict[int, OfflineAnswered] = OrderedDict()

    def awaits(self, seq: int) -> bool:
        """Central's answer to ``seq`` is still to come."""
        return seq in self._unanswered

    def expect(self, seq: int) -> None:
        self._unanswered.add(seq)

    def forget(self, seq: int) -> None:
        """No answer is awaited for ``seq`` any more: the scan was not recorded."""
        self._unanswered.discard(seq)

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

    def settle(self, seq: int) -> OfflineAnswered | None:
        """Central answered ``seq``: no answer awaited any more, its timer stopped; the offline answer
        given meanwhile, if any."""
        self._unanswered.discard(seq)
        timer = self._waiting.pop(seq, None)
        if timer is not None:
            timer.cancel()
        return self._offline.pop(seq, None)

    def close(self) -> None:
        """Stop every timer (the agent is stopping)."""
        for timer in self._waiting.values():
            timer.cancel()

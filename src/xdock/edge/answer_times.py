"""How long each worker waited for a scan's answer: from the scan recorded to the answer on the display.

The scan path starts a scan's timer once its sequence number is drawn; the first answer shown for it,
central's (:mod:`xdock.edge.central_answers`) or the edge's own offline one (:mod:`xdock.edge.scan_path`),
stops it; later answers to the same scan (a correction, a repeat) are not counted again. Durations are
measured on a monotonic timer, not the site clock (a simulated clock may run faster than the worker waits).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from xdock.observability.latency import ANSWER_BOUNDS_S, Latencies

__all__ = ["AnswerTimes"]


class AnswerTimes:
    """Timers of the scans still waiting for a first answer, and the latencies of those answered."""

    def __init__(self, timer: Callable[[], float] = time.monotonic) -> None:
        self._timer = timer
        self._started: dict[int, float] = {}
        self.latencies = Latencies(ANSWER_BOUNDS_S)

    def start(self, seq: int) -> None:
        self._started[seq] = self._timer()

    def answered(self, seq: int) -> None:
        """The first answer to ``seq`` is shown (a scan not timed, or answered before, is not counted)."""
        started = self._started.pop(seq, None)
        if started is not None:
            self.latencies.observe(self._timer() - started)

    def forget(self, seq: int) -> None:
        """``seq`` will never be answered (it was not recorded)."""
        self._started.pop(seq, None)

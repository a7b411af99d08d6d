"""Durations counted into fixed buckets, kept by the code that measures them and read at scrape time.

A :class:`Latencies` is a plain counter (no Prometheus types): the scan path and the planning loop
observe into it, and the metrics collectors turn it into a histogram when scraped
(:func:`xdock.observability.exposition.histogram`).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

__all__ = ["ANSWER_BOUNDS_S", "REPLAN_BOUNDS_S", "Latencies"]

ANSWER_BOUNDS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Upper bounds (seconds) of the answer-latency buckets: a worker waits well under 0.1 s on a healthy site."""

REPLAN_BOUNDS_S = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Upper bounds (seconds) of the re-plan duration buckets (the CP-SAT budget is 2 s by default)."""


@dataclass
class Latencies:
    """How many durations fell at or under each bound, their count and their sum."""

    bounds: tuple[float, ...]
    """Upper bounds in seconds, increasing; a duration above the last counts only in ``+Inf``."""
    counts: list[int] = field(init=False)
    """Durations per bucket (not cumulative): ``counts[i]`` those in ``(bounds[i-1], bounds[i]]``, the last ``+Inf``."""
    count: int = field(init=False, default=0)
    sum_s: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if not self.bounds or list(self.bounds) != sorted(set(self.bounds)) or not math.isfinite(self.bounds[-1]):
            raise ValueError(f"Invalid latency bounds {self.bounds!r}: expected finite seconds, strictly increasing")
        self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, seconds: float) -> None:
        """Count one duration (a negative one, from a clock stepped back, counts as 0)."""
        seconds = max(seconds, 0.0)
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.count += 1
        self.sum_s += seconds

    def cumulative(self) -> list[tuple[str, int]]:
        """``(upper bound, durations at or under it)`` for each bucket, ``+Inf`` last, as Prometheus writes them."""
        running, out = 0, []
        for bound, n in zip([*map(str, self.bounds), "+Inf"], self.counts, strict=True):
            running += n
            out.append((bound, running))
        return out

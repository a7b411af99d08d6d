"""A portal reader's clock against the edge's: the offset estimated from every report, reads rebased when it is off.

Tag reads carry the reader's first-seen time, and the portal logic compares them with the edge's
clock (a track closes when its tag has not been read for ``track_gap_s`` of edge time) and sends the
passage with them. A reader whose clock is off (never set, a lost NTP server, another time zone
configured as UTC) would then keep tracks open for the offset or close them at once.

So each report is checked as it arrives: its latest first-seen time is the reader's idea of
"just now", and its difference from the edge's clock at arrival is the reader's offset (network and
report delay make it slightly negative on a good clock). Within ``tolerance_s`` the reads are
trusted as they are; beyond it, every read of the report is moved by the offset, so the latest one
lands on the edge's arrival time and the reads keep their spacing. Each rebased report is counted.

The offset in use is kept while later estimates stay within ``tolerance_s`` of it, so the reads of
successive reports keep the reader's own spacing too (the jitter of report delivery does not move
them); an estimate further off takes its place, and one within the tolerance of zero ends the
rebasing.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime
from typing import Final

from xdock.edge.tag_reads import TagRead
from xdock.protocol.clock import epoch_us

__all__ = ["DEFAULT_TOLERANCE_S", "ReaderClock"]

DEFAULT_TOLERANCE_S: Final = 2.0


class ReaderClock:
    """One reader's clock offset, and its reads on the edge's clock when the offset is too large."""

    def __init__(self, tolerance_s: float = DEFAULT_TOLERANCE_S) -> None:
        if not math.isfinite(tolerance_s) or tolerance_s < 0:
            raise ValueError(f"reader clock tolerance_s: expected a finite number of seconds >= 0, got {tolerance_s}")
        self.tolerance_s = tolerance_s
        self._tolerance_us = round(tolerance_s * 1_000_000)
        self.offset_us: int | None = None
        """The last estimate: reader time minus edge time, in microseconds (``None`` before any read)."""
        self.applied_us: int | None = None
        """The offset the reads are moved by (``None`` while the reader's clock is trusted)."""
        self.rebased = 0
        """Reports whose reads were moved onto the edge's clock."""

    @property
    def offset_s(self) -> float | None:
        """:attr:`offset_us` in seconds."""
        return None if self.offset_us is None else self.offset_us / 1_000_000

    @property
    def off(self) -> bool:
        """Whether reads are being rebased (the reader's clock was found off)."""
        return self.applied_us is not None

    def align(self, reads: list[TagRead], arrived_at: datetime) -> list[TagRead]:
        """``reads`` of one report that arrived at ``arrived_at`` (edge clock), rebased if the reader is off."""
        if not reads:
            return reads
        estimate = max(read.seen_at_us for read in reads) - epoch_us(arrived_at)
        self.offset_us = estimate
        applied, tolerance = self.applied_us, self._tolerance_us
        if applied is None or abs(estimate - applied) > tolerance:
            applied = None if abs(estimate) <= tolerance else estimate
        self.applied_us = applied
        if applied is None:
            return reads
        self.rebased += 1
        return [dataclasses.replace(read, seen_at_us=read.seen_at_us - applied) for read in reads]

    def describe(self) -> str:
        """The offset in use, for a status line, while the reads are rebased (else empty)."""
        if self.applied_us is None:
            return ""
        return f"reader clock {self.applied_us / 1_000_000:+.1f} s off, reads rebased"

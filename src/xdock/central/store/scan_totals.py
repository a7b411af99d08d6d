"""Totals of what central did with scans, counted from the store's event log, so they survive restarts.

Each applied scan is one ``scan`` event (its answer's outcome: assigned, staged, breakdown or rejected), each
offline answer reconciled one ``offline_kept`` or ``offline_corrected`` event, each scan refused
for reusing a key one ``seq_conflict`` event (a passage's conflicts are told apart), each scan
applied with a skewed clock one ``clock_skew`` event. Refused uplinks were ``rejected_uplink``
events before they became counters (:mod:`xdock.central.store.refusals`); those of older stores
are counted here by reason.

:class:`EventTotals` reads the log once and then only the events appended since its last read,
so asking often costs little; the first read of a long log goes in chunks, letting the event loop
serve scans between them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from xdock.central.store.database import Store

__all__ = ["EventTotals", "ScanTotals"]


@dataclass(frozen=True)
class ScanTotals:
    """Scan counts over the whole event log."""

    applied: int
    """Scans applied (each key once)."""
    assigned_direct: int
    """Applied scans answered with a trailer's door."""
    staged: int
    """Applied scans answered with a staging area (no trailer for the pallet yet)."""
    breakdown: int
    """Applied scans answered with the breakdown area."""
    rejected: int
    """Applied scans answered with a rejection."""
    offline_kept: int
    offline_corrected: int
    seq_conflicts: int
    """Scans refused because their key was applied before for another pallet."""
    clock_skew: int
    logged_refusals: dict[str, int]
    """Refused uplinks kept as ``rejected_uplink`` events by older versions, by reason."""


class EventTotals:
    """Folds the store's event log into :class:`ScanTotals`, reading only new events each time."""

    def __init__(self, store: Store, *, chunk: int = 20_000) -> None:
        """``chunk``: events read at most between two yields to the event loop."""
        self._store = store
        self._chunk = chunk
        self._after = 0
        self._tally: Counter[tuple[str, str | None]] = Counter()

    async def read(self) -> ScanTotals:
        """The totals up to the last event stored."""
        last = self._store.last_event_id()
        while self._after < last:
            upto = min(last, self._after + self._chunk)
            rows = self._store.event_tallies(self._after, upto)
            self._tally.update({(kind, detail): count for kind, detail, count in rows})
            self._after = upto
            if upto < last:
                await asyncio.sleep(0)
        t = self._tally
        applied = sum(count for (kind, _), count in t.items() if kind == "scan")
        rejected = t["scan", "rejected"]
        return ScanTotals(
            applied=applied, assigned_direct=t["scan", "assigned"], staged=t["scan", "staged"],
            breakdown=t["scan", "breakdown"], rejected=rejected,
            offline_kept=t["offline_kept", None], offline_corrected=t["offline_corrected", None],
            seq_conflicts=t["seq_conflict", "scan"], clock_skew=t["clock_skew", None],
            logged_refusals={str(reason): n for (kind, reason), n in sorted(t.items(), key=str)
                             if kind == "rejected_uplink"},
        )

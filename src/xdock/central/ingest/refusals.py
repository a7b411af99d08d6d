"""Refused uplinks, accounted for without letting junk stall live answers or fill the disk.

Ingest tells :meth:`UplinkRefusals.refuse` of every uplink it refuses (the reason keys are
:mod:`xdock.central.ingest.uplinks`'). Per refusal, in memory only:

1. it is counted under its (edge, reason): the edge is the topic's when the topic names a valid
   edge id, else :data:`UNKNOWN_EDGE`; once :attr:`RefusalPolicy.max_counters` (edge, reason)
   pairs exist, a new edge is counted as :data:`OTHER_EDGES`, so junk naming ever new edges
   cannot grow the counters without bound;
2. it is logged as a WARNING when it is the first of its (edge, reason) in a
   :attr:`RefusalPolicy.log_window` (a minute); the others of that window are summed up in one
   line, "N more ...", once the window is over;
3. it replaces the oldest pending sample of its reason (the last
   :attr:`RefusalPolicy.samples_per_reason` are kept, topic and payload truncated).

:meth:`UplinkRefusals.flush` (every :attr:`RefusalPolicy.flush_interval_s`, from :meth:`run`, and on
the way out) adds the pending counts to the store's counter rows and writes the pending samples,
in one transaction: a flood costs one small commit per interval, never one per message, and the
store keeps a fixed number of rows for it. Given a telemetry sink, each flush also records an
``uplink_refusals`` point per (edge, reason) counted since the last (its total and what is new).
A crash loses at most one interval of counts (the refused messages were acknowledged and are gone
anyway). Totals read here (:meth:`counts`) are the store's rows plus what is pending, so they
survive restarts and are exact at any moment.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from xdock.central.ingest.uplinks import refusal_reason
from xdock.central.store.database import RefusalCountRow, RefusalSampleRow, Store, StoreError
from xdock.central.telemetry import TelemetrySink, uplink_refusals
from xdock.protocol.clock import Clock
from xdock.protocol.topics import TopicError, check_id

__all__ = ["OTHER_EDGES", "UNKNOWN_EDGE", "RefusalPolicy", "UplinkRefusals", "by_edge"]

log = logging.getLogger(__name__)

UNKNOWN_EDGE = "(unknown)"
"""The edge of a refusal whose topic names no valid edge id."""
OTHER_EDGES = "(other)"
"""The edge of refusals from new edges once :attr:`RefusalPolicy.max_counters` counters exist."""


@dataclass(frozen=True)
class RefusalPolicy:
    """How refusals are logged, kept and written."""

    flush_interval_s: float = 1.0
    """Seconds (of central's clock) between two writes of the pending counts and samples."""
    log_window: timedelta = timedelta(minutes=1)
    """Per (edge, reason), the first refusal of each such window is logged; the rest are summed up."""
    samples_per_reason: int = 10
    """Refused uplinks kept as samples, per reason (the newest)."""
    sample_bytes: int = 512
    """Bytes of a sample's payload (and characters of its topic and error) kept."""
    max_counters: int = 1000
    """(edge, reason) counters before new edges are counted as :data:`OTHER_EDGES`."""


@dataclass
class _Window:
    """The log window of one (edge, reason): when its logged refusal came, how many followed unlogged."""

    start: datetime
    more: int = 0


@dataclass(frozen=True)
class _Sample:
    """A refusal kept, cut to size (its payload decoded only if it is still among the newest when written).

    Never the exception itself: its traceback would keep the whole batch of messages alive."""

    at: datetime
    edge: str
    reason: str
    topic: str
    error: str
    payload: bytes
    """Its first bytes."""
    size: int

    def row(self) -> RefusalSampleRow:
        return RefusalSampleRow(0, self.at, self.edge, self.reason, self.topic, self.error,
                                self.payload.decode("utf-8", "replace"), self.size)


@dataclass
class _Pending:
    count: int
    first_at: datetime
    last_at: datetime


@dataclass
class UplinkRefusals:
    """Counts, logs (rate-limited) and samples refused uplinks; see the module docstring."""

    store: Store
    clock: Clock
    site: str
    """The site, as the telemetry points' tag."""
    policy: RefusalPolicy = field(default_factory=RefusalPolicy)
    telemetry: TelemetrySink | None = None
    """Where each flush records its points; none recorded when ``None``."""
    _pending: dict[tuple[str, str], _Pending] = field(default_factory=dict, init=False)
    _samples: dict[str, deque[_Sample]] = field(default_factory=dict, init=False)
    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict, init=False)
    _known: set[tuple[str, str]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self._known = {(row.edge_id, row.reason) for row in self.store.refusal_counts()}

    def refuse(self, topic: str, payload: bytes, exc: Exception) -> str:
        """Account for one refused uplink; its reason key."""
        reason = refusal_reason(exc)
        now = self.clock.now()
        edge = self._counter_edge(_edge_of(topic), reason)
        key = (edge, reason)
        pending = self._pending.get(key)
        if pending is None:
            self._pending[key] = _Pending(1, now, now)
        else:
            pending.count += 1
            pending.last_at = now
        self._log(key, topic, exc, now)
        samples = self._samples.setdefault(reason, deque(maxlen=self.policy.samples_per_reason))
        cut = self.policy.sample_bytes
        samples.append(_Sample(now, edge, reason, topic[:cut], str(exc)[:cut], payload[:cut], len(payload)))
        return reason

    def counts(self) -> dict[str, dict[str, int]]:
        """Refusals ever counted, edge → reason → count (the store's plus those pending)."""
        totals: Counter[tuple[str, str]] = Counter(
            {(row.edge_id, row.reason): row.count for row in self.store.refusal_counts()}
        )
        totals.update({key: p.count for key, p in self._pending.items()})
        return by_edge(totals)

    def samples(self) -> list[RefusalSampleRow]:
        """The kept samples, oldest first (the store's, then those pending); at most the policy's number per reason."""
        by_reason: dict[str, list[RefusalSampleRow]] = {}
        for sample in [*self.store.refusal_samples(), *self._pending_samples()]:
            by_reason.setdefault(sample.reason, []).append(sample)
        keep = self.policy.samples_per_reason
        kept = [s for rows in by_reason.values() for s in rows[-keep:]]
        return sorted(kept, key=lambda s: s.at)

    def flush(self) -> None:
        """Write the pending counts and samples in one transaction; sum up the log windows that are over.

        When the store cannot be written the pending counts stay for the next flush.
        """
        self._close_windows(self.clock.now())
        if not self._pending and not self._samples:
            return
        counts = [RefusalCountRow(edge, reason, p.count, p.first_at, p.last_at)
                  for (edge, reason), p in self._pending.items()]
        samples = self._pending_samples()
        try:
            with self.store.transaction() as tx:
                tx.count_refusals(counts)
                tx.keep_refusal_samples(samples, per_reason=self.policy.samples_per_reason)
        except StoreError as exc:
            log.warning("cannot store %d refused-uplink counters (kept for the next try): %s", len(counts), exc)
            return
        self._pending.clear()
        self._samples.clear()
        if self.telemetry is not None:
            self._record(self.telemetry, counts)

    def _record(self, sink: TelemetrySink, flushed: list[RefusalCountRow]) -> None:
        new = {(c.edge_id, c.reason): c.count for c in flushed}
        now = self.clock.now()
        for row in self.store.refusal_counts():
            added = new.get((row.edge_id, row.reason))
            if added is not None:
                sink.record(uplink_refusals(site=self.site, edge=row.edge_id, reason=row.reason, total=row.count,
                                            new=added, time=now))

    async def run(self) -> None:
        """Flush every interval until cancelled, and once more on the way out."""
        try:
            while True:
                await self.clock.sleep(self.policy.flush_interval_s)
                self.flush()
        finally:
            self.flush()

    def _pending_samples(self) -> list[RefusalSampleRow]:
        return [s.row() for q in self._samples.values() for s in q]

    def _counter_edge(self, edge: str, reason: str) -> str:
        if (edge, reason) in self._known:
            return edge
        if len(self._known) < self.policy.max_counters:
            self._known.add((edge, reason))
            return edge
        self._known.add((OTHER_EDGES, reason))
        return OTHER_EDGES

    def _log(self, key: tuple[str, str], topic: str, exc: Exception, now: datetime) -> None:
        window = self._windows.get(key)
        if window is not None and now - window.start < self.policy.log_window:
            window.more += 1
            return
        if window is not None:
            self._log_more(key, window)
        self._windows[key] = _Window(now)
        log.warning("rejected uplink on %.200r (%s): %.300s", topic, key[1], exc)

    def _close_windows(self, now: datetime) -> None:
        for key, window in list(self._windows.items()):
            if now - window.start >= self.policy.log_window:
                self._log_more(key, window)
                del self._windows[key]

    def _log_more(self, key: tuple[str, str], window: _Window) -> None:
        if window.more:
            log.warning("%d more rejected uplinks from edge %s (%s) since %s", window.more, key[0], key[1],
                        window.start.isoformat(timespec="seconds"))


def by_edge(counts: Mapping[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """(edge, reason) → count as edge → reason → count, both sorted."""
    out: dict[str, dict[str, int]] = {}
    for (edge, reason), count in sorted(counts.items()):
        out.setdefault(edge, {})[reason] = count
    return out


def _edge_of(topic: str) -> str:
    """The edge id a topic names (``xdock/v1/{site}/edge/{edge}/...``), or :data:`UNKNOWN_EDGE`."""
    parts = topic.split("/", 5)
    if len(parts) < 5 or parts[3] != "edge":
        return UNKNOWN_EDGE
    try:
        return check_id("edge id", parts[4])
    except TopicError:
        return UNKNOWN_EDGE

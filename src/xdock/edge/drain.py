"""Which outbox row goes out next: live scans first, the backlog behind them at a bounded rate.

Sans-I/O: the uplink asks :meth:`DrainQueue.take` with the current time (seconds, any monotonic
origin) and publishes what it gets; it reports acknowledgements with :meth:`DrainQueue.acked` and a
lost connection with :meth:`DrainQueue.link_lost`.

Two classes of rows:

- **live**: recorded while the link was up. They go out as soon as the window has room, in
  ``seq`` order.
- **backlog**: recorded while the link was down, left over from a previous run, or not acknowledged
  when the link dropped (whatever was live or in flight then joins the backlog). It goes out in
  ``seq`` order, only when no live row is waiting, and at most ``rate`` rows per second (a token
  bucket holding at most ``burst`` tokens), so an hour of backlog neither starves new scans nor
  floods central.

At most ``window`` rows are in flight (published, not yet acknowledged) at a time.

A row the broker **refused** (:meth:`DrainQueue.refused`: an MQTT 5 PUBACK with a failure reason
code) is held back, ``retry_s`` after its first refusal, twice as long after each further one, at
most ``retry_max_s`` (a :class:`~xdock.transport.backoff.BackoffPolicy`); then it joins the backlog
again. Held rows stay held across a reconnect, so a broker that refuses a topic sees one attempt per
row per back-off period, never a loop.

Ordering guarantees, per edge: live rows leave in ``seq`` order; backlog rows leave in ``seq``
order; a live row may overtake backlog rows. The same holds per device, whose scans are a part of
its edge's sequence. A row is published again after a reconnect if its
acknowledgement never came, so central may see it twice: central keys every scan by
``(edge_id, seq)``, so neither order nor repetition changes what it applies.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable

from xdock.edge.outbox import OutboxRow
from xdock.transport.backoff import BackoffPolicy

__all__ = ["DrainQueue"]


class DrainQueue:
    """Live rows first; the backlog behind them, rate-bounded; a bounded window in flight."""

    def __init__(
        self, *, rate: float, window: int, burst: float | None = None, retry_s: float = 1.0, retry_max_s: float = 60.0,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"drain rate must be positive, got {rate}")
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        if not 0 < retry_s <= retry_max_s:
            raise ValueError(f"refused-row retry must be 0 < retry_s <= retry_max_s, got {retry_s} and {retry_max_s}")
        self.rate = rate
        self.retry_s = retry_s
        self.retry_max_s = retry_max_s
        self._retry = BackoffPolicy(first=retry_s, cap=retry_max_s)
        self.window = window
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst}")
        self._live: deque[OutboxRow] = deque()
        self._backlog: list[int] = []
        self._backlog_rows: dict[int, OutboxRow] = {}
        self._in_flight: dict[int, OutboxRow] = {}
        self._held: dict[int, tuple[float, OutboxRow]] = {}
        self._refusals: dict[int, int] = {}
        self._tokens = self.burst
        self._refilled: float | None = None

    @property
    def live(self) -> int:
        return len(self._live)

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def held(self) -> int:
        """Rows the broker refused, waiting for their next attempt."""
        return len(self._held)

    def add_live(self, row: OutboxRow) -> None:
        self._live.append(row)

    def add_backlog(self, rows: Iterable[OutboxRow]) -> None:
        for row in rows:
            if row.seq not in self._backlog_rows:
                self._backlog_rows[row.seq] = row
                heapq.heappush(self._backlog, row.seq)

    def take(self, now: float) -> OutboxRow | None:
        """The next row to publish now, or ``None`` (window full, nothing due, or waiting for a token)."""
        if len(self._in_flight) >= self.window:
            return None
        self._release(now)
        if self._live:
            row = self._live.popleft()
        else:
            self._refill(now)
            if not self._backlog or self._tokens < 1:
                return None
            self._tokens -= 1
            row = self._backlog_rows.pop(heapq.heappop(self._backlog))
        self._in_flight[row.seq] = row
        return row

    def acked(self, seq: int) -> None:
        self._in_flight.pop(seq, None)
        self._refusals.pop(seq, None)

    def refused(self, seq: int, now: float) -> float:
        """The broker refused row ``seq``: hold it back; return the seconds until it is tried again."""
        row = self._in_flight.pop(seq, None)
        if row is None:
            return 0.0
        refusals = self._refusals[seq] = self._refusals.get(seq, 0) + 1
        delay = self._retry.wait(refusals)
        self._held[seq] = (now + delay, row)
        return delay

    def _release(self, now: float) -> None:
        due = [seq for seq, (at, _row) in self._held.items() if at <= now]
        self.add_backlog(self._held.pop(seq)[1] for seq in due)

    def link_lost(self) -> None:
        """Everything not acknowledged joins the backlog, to be sent again after the reconnect."""
        self.add_backlog(self._in_flight.values())
        self.add_backlog(self._live)
        self._in_flight.clear()
        self._live.clear()

    def next_due(self, now: float) -> float | None:
        """Seconds until :meth:`take` may return a backlog row, when that is only a matter of time."""
        if len(self._in_flight) >= self.window:
            return None
        held = min((at for at, _row in self._held.values()), default=None)
        retry = None if held is None else max(0.0, held - now)
        if self._live or not self._backlog:
            return retry
        self._refill(now)
        drain = max(0.0, (1 - self._tokens) / self.rate)
        return drain if retry is None else min(drain, retry)

    def _refill(self, now: float) -> None:
        if self._refilled is not None and now > self._refilled:
            self._tokens = min(self.burst, self._tokens + (now - self._refilled) * self.rate)
        if self._refilled is None or now > self._refilled:
            self._refilled = now

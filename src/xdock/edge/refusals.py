"""Publishes the broker refused: counted by reason, and the problem they make while one still waits.

A broker on MQTT 5 may refuse an outbox row's publish (PUBACK reason code 0x80 or above, e.g. 0x87
when its ACL does not let this edge publish on the topic). The row stays in the outbox and is tried
again later (:meth:`~xdock.edge.drain.DrainQueue.refused` backs off); here the refusal is counted by
reason for the edge's status, and while any refused row waits the edge reports the latest refusal as
its problem, e.g. ``broker refuses passage: not authorised``. Once every refused row is accepted the
problem is gone (the counts stay: they are cumulative since the agent started).

A broker refusing a topic refuses every message on it, each retried: :meth:`BrokerRefusals.worth_telling`
keeps the log to one line per new problem and one a minute while it lasts.
"""

from __future__ import annotations

from collections import Counter

from xdock.protocol.status_messages import MAX_COUNTERS
from xdock.protocol.topics import TopicError, parse_topic
from xdock.transport.acked import PublishRefusedError

__all__ = ["TELL_EVERY_S", "BrokerRefusals"]

TELL_EVERY_S = 60.0
"""While the same problem lasts, a refusal is logged at most this often (seconds)."""

_WHAT = {"scan": "scan", "passage": "passage", "sensor_reading": "sensor reading"}


def _what(topic: str) -> str:
    try:
        kind = parse_topic(topic).kind
    except TopicError:
        return "message"
    return _WHAT.get(kind, kind)


class BrokerRefusals:
    """The edge's refused publishes: cumulative counts by reason, and the rows still waiting."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        """Refusals since the agent started, by reason name (``not_authorised``...; ``other`` past the
        number of counters a status carries)."""
        self._waiting: dict[int, str] = {}
        self._told: tuple[str, float] | None = None

    def refused(self, seq: int, error: PublishRefusedError) -> str:
        """Row ``seq`` was refused: count it; return the problem it makes (``broker refuses scan: not authorised``)."""
        name = error.name
        if name not in self.counts and len(self.counts) >= MAX_COUNTERS - 1:
            name = "other"  # a status carries at most MAX_COUNTERS counters
        self.counts[name] += 1
        problem = f"broker refuses {_what(error.topic)}: {error.text}"
        self._waiting.pop(seq, None)
        self._waiting[seq] = problem
        return problem

    def accepted(self, seq: int) -> None:
        """Row ``seq`` reached the broker."""
        self._waiting.pop(seq, None)

    def worth_telling(self, problem: str, now: float) -> bool:
        """Whether a refusal making ``problem`` at ``now`` (seconds, any monotonic origin) is worth a log line:
        a new problem, or :data:`TELL_EVERY_S` since the last line."""
        if self._told is not None and self._told[0] == problem and now - self._told[1] < TELL_EVERY_S:
            return False
        self._told = (problem, now)
        return True

    @property
    def waiting(self) -> int:
        """Refused rows not accepted yet."""
        return len(self._waiting)

    @property
    def problem(self) -> str | None:
        """The latest refusal of a row that still waits, or ``None`` when none does."""
        return next(reversed(self._waiting.values()), None)

"""How long a reconnect loop waits before its next attempt, and which attempts it tells the operator about.

Both ends retry a broker that is down or that nobody listens on with one bounded exponential
back-off: ``first`` seconds after the first failure, doubling, never more than ``cap``. The cap
is what a worker pays after the broker returns (central answers again at most ``cap`` seconds
after it is back), so it stays small; the log is what grows with a long outage, so not every
attempt is logged: the first failure, then attempts 2, 4, 8, 16… (one line each, naming the
attempt and how long the broker has been away), and one line when the link is back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

__all__ = ["Backoff", "BackoffPolicy"]


@dataclass(frozen=True)
class BackoffPolicy:
    """The waits between connection attempts."""

    first: float = 0.5
    """Seconds before the first retry."""
    cap: float = 2.0
    """Longest wait between two attempts, in seconds."""

    def __post_init__(self) -> None:
        if not 0 < self.first <= self.cap:
            raise ValueError(f"Invalid back-off: expected 0 < first <= cap, got first={self.first}, cap={self.cap}")


@dataclass
class Backoff:
    """The failed attempts since the link was last up, and the wait before the next one."""

    policy: BackoffPolicy = field(default_factory=BackoffPolicy)
    failures: int = 0
    """Attempts (or sessions) that failed in a row."""
    away_s: float = 0.0
    """Seconds waited since the link was last up (the sum of the waits)."""

    def failed(self) -> float:
        """Count a failed attempt; the seconds to wait before the next one."""
        delay = min(self.policy.cap, self.policy.first * 2.0 ** min(self.failures, 62))
        self.failures += 1
        self.away_s += delay
        return delay

    def succeeded(self) -> int:
        """The link is up: start afresh; how many attempts had failed before."""
        failures, self.failures, self.away_s = self.failures, 0, 0.0
        return failures

    @property
    def worth_logging(self) -> bool:
        """Whether the latest failure is one to log: the first, then the 2nd, 4th, 8th…"""
        return self.failures > 0 and self.failures & (self.failures - 1) == 0

    def log_failure(self, log: logging.Logger, what: str, cause: BaseException | None, delay: float) -> None:
        """One warning for the latest failure of ``what`` (e.g. ``"edge e1: broker mqtt://…"``), if worth it."""
        if not self.worth_logging:
            return
        if self.failures == 1:
            log.warning("%s unreachable or lost (%s); retrying in %.1f s", what, cause, delay)
        else:
            log.warning("%s still unreachable (%s): attempt %d failed, %.1f s so far; retrying every %.1f s at most",
                        what, cause, self.failures, self.away_s - delay, self.policy.cap)

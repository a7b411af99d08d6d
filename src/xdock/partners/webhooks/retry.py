"""When a failed webhook delivery is tried again, and when it is given up as dead.

After ``attempts`` failed attempts (1, 2, ...) the next one waits ``first_delay_s * factor ** (attempts - 1)``,
capped at ``max_delay_s``; after ``max_attempts`` failed attempts the delivery is dead. With the defaults::

    attempt   1   2    3    4    5     6     7     8      9      10     11     12
    then wait 5s  10s  20s  40s  80s   160s  320s  640s   1280s  2560s  3600s  dead

With ``jitter`` (a fraction, e.g. 0.2) each delay is shortened by up to that fraction, by an amount drawn
from the delivery's id and the attempt (SHA-256, no random state): deliveries that failed together
spread out, and the same delivery always waits the same, so tests can assert exact delays.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

__all__ = ["RetryPolicy"]

_UNIT = 2.0**64


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off between delivery attempts, capped, with a last attempt."""

    first_delay_s: float = 5.0
    """Wait after the first failed attempt."""
    factor: float = 2.0
    """Each further wait is this many times the one before (1: constant)."""
    max_delay_s: float = 3600.0
    """No wait is longer."""
    max_attempts: int = 12
    """Attempts in all; a delivery that failed this many times is dead."""
    jitter: float = 0.0
    """Up to this fraction of each wait is taken off, by an amount fixed by the delivery id (0: none)."""

    def __post_init__(self) -> None:
        for name in ("first_delay_s", "max_delay_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"Invalid RetryPolicy.{name} {value!r}: expected a positive number of seconds")
        if not (math.isfinite(self.factor) and self.factor >= 1):
            raise ValueError(f"Invalid RetryPolicy.factor {self.factor!r}: expected a number of at least 1")
        if self.max_delay_s < self.first_delay_s:
            raise ValueError(
                f"Invalid RetryPolicy.max_delay_s {self.max_delay_s!r}: expected at least first_delay_s "
                f"({self.first_delay_s!r})"
            )
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError(
                f"Invalid RetryPolicy.max_attempts {self.max_attempts!r}: expected an integer of at least 1"
            )
        if not (math.isfinite(self.jitter) and 0 <= self.jitter < 1):
            raise ValueError(f"Invalid RetryPolicy.jitter {self.jitter!r}: expected a fraction from 0 up to 1")

    def is_dead(self, attempts: int) -> bool:
        """Whether a delivery that failed ``attempts`` times is given up."""
        _check_attempts(attempts, allow_zero=True)
        return attempts >= self.max_attempts

    def delay_after(self, attempts: int, delivery_id: str = "") -> float:
        """Seconds to wait after ``attempts`` failed attempts before the next; the delivery must not be dead."""
        _check_attempts(attempts, allow_zero=False)
        if self.is_dead(attempts):
            raise ValueError(
                f"Invalid attempts {attempts} for a delay: expected fewer than max_attempts ({self.max_attempts}), "
                "the delivery is dead"
            )
        # Grow step by step and stop at the cap: no factor ** attempts that could overflow.
        delay = self.first_delay_s
        for _ in range(attempts - 1):
            delay *= self.factor
            if delay >= self.max_delay_s:
                break
        delay = min(delay, self.max_delay_s)
        if self.jitter:
            delay *= 1 - self.jitter * _fraction(delivery_id, attempts)
        return delay


def _fraction(delivery_id: str, attempts: int) -> float:
    """A number in [0, 1) fixed by the delivery id and the attempt."""
    digest = hashlib.sha256(f"{delivery_id}\x00{attempts}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _UNIT


def _check_attempts(attempts: int, *, allow_zero: bool) -> None:
    low = 0 if allow_zero else 1
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < low:
        raise ValueError(f"Invalid attempts {attempts!r}: expected an integer of at least {low}")

"""Clocks injected into central, edge and simulators.

Nothing in xdock reads the wall clock directly: every component takes a :class:`Clock`, so a
simulator can run a shift in minutes (:class:`ScaledClock`) and unit tests set the time by hand
(:class:`ManualClock`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "ScaledClock", "SystemClock", "epoch_us"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_us(instant: datetime) -> int:
    """``instant`` (timezone-aware) in whole microseconds since the Unix epoch, exactly (no float rounding);
    LLRP timestamps and tag reads count time this way."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class Clock(Protocol):
    """What a component may ask of time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait for ``seconds`` of this clock's time to pass."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class ScaledClock:
    """Site time that runs ``speed`` times faster than the wall clock, from ``start``."""

    start: datetime
    speed: float = 1.0
    _origin: float = field(default_factory=time.monotonic, init=False)

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError(f"ScaledClock speed must be positive, got {self.speed}")
        if self.start.tzinfo is None:
            raise ValueError("ScaledClock start must be timezone-aware")

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self.speed
        return self.start + timedelta(seconds=elapsed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


@dataclass
class ManualClock:
    """A clock that moves only when told to; for tests of pure logic."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)

"""The demo's site time: the day's engine in scaled wall time, and the clock central and the devices read.

:class:`DayEnvironment` is a :class:`simpy.rt.RealtimeEnvironment` in minutes (one every ``60 / speed`` wall
seconds, ``strict=False``) that says when it is processing an event. :class:`DayClock` is the site clock of
central, the edges and the devices: it runs with the wall clock, scaled, while the engine keeps up, and
never ahead of it:

- while the engine processes the event of minute ``t`` (a policy call hops to central then), it reads ``t``
  exactly, so a trailer the engine departs at its time is departed on time in central's books;
- between events it reads the wall clock's site time, but not past the engine's next event: on a busy
  machine, when the engine falls behind, central's time waits for it instead of running away (and every
  departure coming late in central's eyes), and before the day starts it stays at the day's start.

The two threads share no lock: the clock reads two numbers the engine's thread writes (the current minute and
whether a step is under way) and the first time in its queue, which Python reads whole.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

from simpy.core import Infinity
from simpy.rt import RealtimeEnvironment

__all__ = ["DayClock", "DayEnvironment"]


class DayEnvironment(RealtimeEnvironment):
    """A real-time environment in minutes, ``speed`` times faster than the wall clock, that flags its steps."""

    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        super().__init__(factor=60.0 / speed, strict=False)
        self.speed = speed
        self.stepping = False
        """An event is being processed (its minute is :attr:`now`)."""

    def step(self) -> None:
        evt_time = self.peek()
        if evt_time != Infinity:
            delay = self.real_start + (evt_time - self.env_start) * self.factor - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self.stepping = True
        try:
            super().step()  # the wait is over: processes the event at once
        finally:
            self.stepping = False

    def next_minute(self) -> float:
        """The minute of the next event (``inf`` when none)."""
        try:
            return float(self._queue[0][0])
        except IndexError:
            return float(Infinity)

    def wall_minute(self) -> float:
        """The minute the wall clock says, from the environment's start."""
        return self.env_start + (time.monotonic() - self.real_start) / self.factor


class DayClock:
    """Site time of a demo day starting at ``start`` and played in ``env`` (see the module doc)."""

    def __init__(self, start: datetime, env: DayEnvironment) -> None:
        if start.tzinfo is None:
            raise ValueError("DayClock start must be timezone-aware")
        self.start = start
        self.env = env

    def now(self) -> datetime:
        env = self.env
        minute = float(env.now) if env.stepping else min(env.wall_minute(), env.next_minute())
        return self.start + timedelta(minutes=minute)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.env.speed)

"""The demo's site clock follows the day's engine: never ahead of it, and its exact minute while it steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import simpy

from xdock.demo.day_clock import DayClock, DayEnvironment

START = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_while_a_step_runs_the_clock_reads_its_minute() -> None:
    env = DayEnvironment(speed=600_000.0)  # a minute every 0.1 ms of wall time
    clock = DayClock(START, env)
    seen: list[datetime] = []

    def day() -> simpy.events.ProcessGenerator:
        for minute in (2.5, 10.0):
            yield env.timeout(minute - env.now)
            seen.append(clock.now())

    env.process(day())
    assert clock.now() == START  # the day has not started: site time waits at its start
    env.run(until=20)
    assert seen == [START + timedelta(minutes=2.5), START + timedelta(minutes=10)]


def test_an_engine_behind_the_wall_clock_holds_site_time_at_its_next_event() -> None:
    env = DayEnvironment(speed=60.0)
    env.real_start -= 100 * env.factor  # the wall clock is 100 minutes in, the engine at minute 0
    clock = DayClock(START, env)
    def later() -> simpy.events.ProcessGenerator:
        yield env.timeout(7)

    env.process(later())  # it starts at minute 0
    assert env.wall_minute() >= 100
    assert clock.now() == START
    env.step()  # the process starts at minute 0: its timeout is next, at minute 7
    assert clock.now() == START + timedelta(minutes=7)


def test_a_naive_start_and_a_bad_speed_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^DayClock start must be timezone-aware$"):
        DayClock(datetime(2026, 11, 23, 6, 0), DayEnvironment(30.0))
    with pytest.raises(ValueError, match=r"^speed must be positive, got 0$"):
        DayEnvironment(0)

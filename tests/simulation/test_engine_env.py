"""``run_day`` in an environment it is given (the demo's real-time one), and only from minute 0."""

from __future__ import annotations

import dataclasses

import pytest
import simpy
from tests.simulation.days import two_door_day

from xdock.simulation.engine import EngineError, run_day
from xdock.simulation.policies.fcfs import FcfsPolicy


def test_a_given_environment_runs_the_same_day() -> None:
    env = simpy.Environment()
    given = run_day(two_door_day(), FcfsPolicy(), env=env)
    own = run_day(two_door_day(), FcfsPolicy())
    assert env.now == two_door_day().horizon_min
    assert [dataclasses.astuple(p) for p in given.pallets] == [dataclasses.astuple(p) for p in own.pallets]


def test_an_environment_past_minute_0_is_refused() -> None:
    env = simpy.Environment(initial_time=5)
    with pytest.raises(EngineError) as err:
        run_day(two_door_day(), FcfsPolicy(), env=env)
    assert str(err.value) == "env: the run starts at minute 0, the environment is at 5"

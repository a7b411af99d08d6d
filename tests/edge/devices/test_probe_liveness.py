"""A Modbus probe's online state from its poll outcomes: at once on an answer or a port gone, after three misses."""

from __future__ import annotations

import pytest

from xdock.edge.devices.modbus_sensor import PollOutcome
from xdock.edge.devices.probe_liveness import OFFLINE_AFTER, ProbeLiveness


def changes(liveness: ProbeLiveness, *outcomes: PollOutcome) -> list[bool | None]:
    return [liveness.observe(outcome) for outcome in outcomes]


def test_an_answer_is_online_at_once_and_only_once() -> None:
    liveness = ProbeLiveness()
    assert liveness.online is None
    assert changes(liveness, "ok", "ok", "exception", "bad_value") == [True, None, None, None]
    assert (liveness.online, liveness.missed) == (True, 0)


def test_the_third_miss_in_a_row_is_offline() -> None:
    liveness = ProbeLiveness()
    assert OFFLINE_AFTER == 3
    assert changes(liveness, "ok", "timeout", "crc_error", "timeout", "timeout") == [True, None, None, False, None]
    assert (liveness.online, liveness.missed) == (False, 4)
    assert changes(liveness, "ok") == [True]
    assert liveness.missed == 0


def test_an_answer_between_misses_starts_the_count_again() -> None:
    liveness = ProbeLiveness()
    outcomes: list[PollOutcome] = ["ok", "timeout", "timeout", "exception", "timeout", "timeout"]
    assert changes(liveness, *outcomes) == [True, None, None, None, None, None]
    assert (liveness.online, liveness.missed) == (True, 2)


def test_a_port_gone_is_offline_at_once() -> None:
    liveness = ProbeLiveness()
    assert changes(liveness, "ok", "disconnected", "disconnected", "ok") == [True, False, None, True]


def test_a_probe_that_never_answers_is_offline_from_its_third_miss_or_first_port_error() -> None:
    missing = ProbeLiveness()
    assert changes(missing, "disconnected") == [False]
    mute = ProbeLiveness()
    assert changes(mute, "timeout", "timeout") == [None, None]
    assert mute.online is None
    assert changes(mute, "timeout") == [False]


def test_offline_after_one_makes_every_miss_an_outage() -> None:
    liveness = ProbeLiveness(offline_after=1)
    assert changes(liveness, "ok", "crc_error", "ok", "timeout") == [True, False, True, False]


def test_offline_after_below_one_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"^ProbeLiveness offline_after must be >= 1, got 0$"):
        ProbeLiveness(offline_after=0)

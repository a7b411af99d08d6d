from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from xdock.edge.report_policy import DEFAULT_RULES, ReportPolicy, ReportRule, Silence
from xdock.protocol.clock import ManualClock

START = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def test_temperature_on_change_and_every_interval(clock: ManualClock) -> None:
    policy = ReportPolicy(clock, {"temperature": ReportRule(deadband=0.5, max_interval_s=60, stale_after_s=120)})
    reasons = []
    for value in [4.0, 4.2, 4.4, 4.5, 4.5, 4.0, 4.0]:  # one reading every 10 s
        reasons.append(policy.offer("t1", "temperature", value).reason)
        clock.advance(10)
    # 4.5 is 0.5 above the last *reported* 4.0 (drift adds up); 4.0 is 0.5 below the reported 4.5
    assert reasons == ["first", "unchanged", "unchanged", "changed", "unchanged", "changed", "unchanged"]
    clock.advance(30)  # t=100 s: the last report (4.0 at t=50 s) is 50 s old
    assert policy.offer("t1", "temperature", 4.1).reason == "unchanged"
    clock.advance(10)  # now 60 s old
    assert policy.offer("t1", "temperature", 4.1).reason == "interval"
    clock.advance(10)
    assert policy.offer("t1", "temperature", 4.1).reason == "unchanged"


def test_state_kinds_report_every_change(clock: ManualClock) -> None:
    policy = ReportPolicy(clock)
    reasons = [policy.offer("door-d1", "door_contact", v).reason for v in [0.0, 0.0, 1.0, 1.0, 0.0]]
    assert reasons == ["first", "unchanged", "changed", "unchanged", "changed"]
    assert [policy.offer("door-d1", "door_contact", v).report for v in [0.0, 1.0]] == [False, True]


def test_sensors_are_independent(clock: ManualClock) -> None:
    policy = ReportPolicy(clock)
    assert policy.offer("t1", "temperature", 4.0).reason == "first"
    assert policy.offer("t2", "temperature", 9.0).reason == "first"
    assert policy.offer("h1", "humidity", 50.0).reason == "first"
    assert policy.offer("h1", "humidity", 51.9).reason == "unchanged"
    assert policy.offer("h1", "humidity", 52.0).reason == "changed"
    assert policy.offer("t1", "temperature", 4.0).reason == "unchanged"


def test_no_data_differs_from_no_change(clock: ManualClock) -> None:
    rule = ReportRule(deadband=0.5, max_interval_s=60, stale_after_s=30)
    policy = ReportPolicy(clock, {"temperature": rule})
    policy.offer("quiet", "temperature", 4.0)
    policy.offer("steady", "temperature", 4.0)
    for _ in range(3):  # "steady" keeps reading the same value every 10 s; "quiet" says nothing
        clock.advance(10)
        assert policy.offer("steady", "temperature", 4.0).reason == "unchanged"
    assert policy.silences() == [Silence("quiet", "temperature", START)]
    assert policy.silences() == []  # told once
    assert policy.is_silent("quiet")
    assert not policy.is_silent("steady")
    clock.advance(5)
    assert policy.offer("quiet", "temperature", 4.0).reason == "resumed"
    assert not policy.is_silent("quiet")
    clock.advance(30)
    assert policy.silences() == [
        Silence("quiet", "temperature", START + timedelta(seconds=35)),
        Silence("steady", "temperature", START + timedelta(seconds=30)),
    ]


def test_silence_is_never_filled_by_the_old_value(clock: ManualClock) -> None:
    policy = ReportPolicy(clock, {"temperature": ReportRule(deadband=0.5, max_interval_s=10, stale_after_s=5)})
    policy.offer("t1", "temperature", 4.0)
    clock.advance(600)
    assert [s.sensor_id for s in policy.silences()] == ["t1"]
    assert policy.offer("t1", "temperature", 4.0).reason == "resumed"
    clock.advance(1)
    assert policy.offer("t1", "temperature", 4.0).reason == "unchanged"


def test_is_silent_unknown_sensor(clock: ManualClock) -> None:
    assert not ReportPolicy(clock).is_silent("nobody")


def test_defaults_cover_every_kind() -> None:
    assert set(DEFAULT_RULES) == {"temperature", "humidity", "door_contact", "trailer_presence"}
    assert DEFAULT_RULES["door_contact"].deadband == 0.0


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((-0.1, 60, 30), "ReportRule deadband must be >= 0, got -0.1"),
        ((0.5, 0, 30), "ReportRule max_interval_s must be > 0, got 0"),
        ((0.5, 60, float("nan")), "ReportRule stale_after_s must be > 0, got nan"),
    ],
)
def test_rule_refused_naming_the_field(args: tuple[float, float, float], text: str) -> None:
    with pytest.raises(ValueError, match=f"^{text}$"):
        ReportRule(*args)

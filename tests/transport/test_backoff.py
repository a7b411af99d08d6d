"""The reconnect loops' back-off: bounded exponential waits, and which failures are logged."""

from __future__ import annotations

import logging

import pytest

from xdock.transport.backoff import Backoff, BackoffPolicy


def test_the_waits_double_from_first_up_to_the_cap_and_start_afresh_once_connected() -> None:
    backoff = Backoff(BackoffPolicy(first=0.5, cap=2.0))
    assert [backoff.failed() for _ in range(6)] == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    assert (backoff.failures, backoff.away_s) == (6, 9.5)
    assert backoff.succeeded() == 6
    assert (backoff.failures, backoff.away_s, backoff.failed()) == (0, 0.0, 0.5)


def test_a_long_outage_never_overflows_the_wait() -> None:
    backoff = Backoff(BackoffPolicy(first=0.5, cap=30.0))
    assert {backoff.failed() for _ in range(2000)} >= {30.0}
    assert backoff.failed() == 30.0


def test_only_the_first_failure_and_then_attempts_2_4_8_16_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.backoff")
    backoff = Backoff(BackoffPolicy(first=0.5, cap=2.0))
    with caplog.at_level(logging.WARNING, logger="test.backoff"):
        for _ in range(20):
            delay = backoff.failed()
            backoff.log_failure(log, "broker mqtt://127.0.0.1:1", ConnectionRefusedError("refused"), delay)
    assert [r.getMessage() for r in caplog.records] == [
        "broker mqtt://127.0.0.1:1 unreachable or lost (refused); retrying in 0.5 s",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 2 failed, 0.5 s so far; "
        "retrying every 2.0 s at most",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 4 failed, 3.5 s so far; "
        "retrying every 2.0 s at most",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 8 failed, 11.5 s so far; "
        "retrying every 2.0 s at most",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 16 failed, 27.5 s so far; "
        "retrying every 2.0 s at most",
    ]


@pytest.mark.parametrize(("first", "cap"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0)])
def test_a_policy_that_cannot_wait_is_refused(first: float, cap: float) -> None:
    with pytest.raises(ValueError, match="Invalid back-off: expected 0 < first <= cap") as info:
        BackoffPolicy(first=first, cap=cap)
    assert str(info.value) == f"Invalid back-off: expected 0 < first <= cap, got first={first}, cap={cap}"

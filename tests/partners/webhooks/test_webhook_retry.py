"""The webhook retry schedule: exact delays, the cap, death after the last attempt, deterministic jitter."""

from __future__ import annotations

import hashlib
import re

import pytest

from xdock.partners.webhooks import RetryPolicy


def test_the_default_schedule_doubles_from_five_seconds_up_to_an_hour_and_dies_after_twelve_attempts() -> None:
    policy = RetryPolicy()
    assert [policy.delay_after(n) for n in range(1, 12)] == [
        5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0, 1280.0, 2560.0, 3600.0,
    ]
    assert [policy.is_dead(n) for n in (0, 1, 11, 12, 13)] == [False, False, False, True, True]


def test_a_policy_of_its_own_caps_each_delay() -> None:
    policy = RetryPolicy(first_delay_s=1.5, factor=3.0, max_delay_s=30.0, max_attempts=6)
    assert [policy.delay_after(n) for n in range(1, 6)] == [1.5, 4.5, 13.5, 30.0, 30.0]
    assert policy.is_dead(6)


def test_a_dead_delivery_has_no_next_delay() -> None:
    with pytest.raises(ValueError, match=r"^Invalid attempts 3 for a delay: expected fewer than max_attempts \(3\), "
                                         r"the delivery is dead$"):
        RetryPolicy(max_attempts=3).delay_after(3)
    with pytest.raises(ValueError, match=r"^Invalid attempts 0: expected an integer of at least 1$"):
        RetryPolicy().delay_after(0)


def test_jitter_shortens_each_delay_by_a_fraction_fixed_by_the_delivery_id() -> None:
    policy = RetryPolicy(jitter=0.5)

    def expected(delivery_id: str, attempts: int, base: float) -> float:
        digest = hashlib.sha256(f"{delivery_id}\x00{attempts}".encode()).digest()
        return base * (1 - 0.5 * int.from_bytes(digest[:8], "big") / 2**64)

    delays = [policy.delay_after(n, "msg_1") for n in (1, 2, 3)]
    assert delays == [expected("msg_1", 1, 5.0), expected("msg_1", 2, 10.0), expected("msg_1", 3, 20.0)]
    assert delays == [policy.delay_after(n, "msg_1") for n in (1, 2, 3)]
    assert policy.delay_after(1, "msg_2") != delays[0]
    assert all(2.5 < d <= 5.0 for d in (policy.delay_after(1, f"msg_{i}") for i in range(100)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_delay_s": 0.0}, "Invalid RetryPolicy.first_delay_s 0.0: expected a positive number of seconds"),
        ({"factor": 0.5}, "Invalid RetryPolicy.factor 0.5: expected a number of at least 1"),
        ({"max_delay_s": 4.0}, "Invalid RetryPolicy.max_delay_s 4.0: expected at least first_delay_s (5.0)"),
        ({"max_attempts": 0}, "Invalid RetryPolicy.max_attempts 0: expected an integer of at least 1"),
        ({"jitter": 1.0}, "Invalid RetryPolicy.jitter 1.0: expected a fraction from 0 up to 1"),
    ],
)
def test_a_policy_that_cannot_work_is_refused(fields: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        RetryPolicy(**fields)  # type: ignore[arg-type]

"""Latency buckets: each duration counted once, in the first bucket whose bound holds it."""

from __future__ import annotations

import pytest

from xdock.observability.latency import Latencies


def test_durations_fall_in_the_first_bucket_whose_bound_holds_them() -> None:
    latencies = Latencies((0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 2.0, -1.0):
        latencies.observe(seconds)
    assert latencies.cumulative() == [("0.1", 3), ("1.0", 4), ("+Inf", 5)]
    assert (latencies.count, latencies.sum_s) == (5, 2.65)


@pytest.mark.parametrize("bounds", [(), (1.0, 0.5), (0.5, 0.5), (1.0, float("inf"))])
def test_bounds_must_be_finite_and_increasing(bounds: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match=r"^Invalid latency bounds .*: expected finite seconds, strictly increasing$"):
        Latencies(bounds)

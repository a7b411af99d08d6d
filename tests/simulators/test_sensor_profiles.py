"""Simulated sensor values: base, noise and drift sampled into a node's value script; switching states."""

from __future__ import annotations

import random

import pytest

from xdock.simulators.sensor_profiles import MAX_STEPS, Profile, measured, switching


def test_a_drift_starts_at_its_offset_and_values_stay_in_range() -> None:
    profile = Profile(3.0, drift_per_min=1.0, drift_after_s=120.0, high=5.0)
    script = measured(profile, random.Random(1), sample_s=60.0, horizon_s=300.0)
    assert list(script.steps) == [(0.0, 3.0), (30.0, 3.0), (90.0, 3.0), (150.0, 4.0), (210.0, 5.0), (270.0, 5.0)]
    assert script.value_at(59.0) == 3.0
    assert script.value_at(200.0) == 4.0


def test_noise_is_drawn_from_the_seeded_random_and_rounded_to_tenths() -> None:
    one = measured(Profile(4.0, noise=0.5), random.Random(7), sample_s=10.0, horizon_s=100.0)
    two = measured(Profile(4.0, noise=0.5), random.Random(7), sample_s=10.0, horizon_s=100.0)
    assert one == two
    values = [value for _, value in one.steps]
    assert len(values) == 11
    assert all(3.5 <= v <= 4.5 and round(v, 1) == v for v in values)
    assert len(set(values)) > 1


def test_a_long_horizon_is_capped() -> None:
    script = measured(Profile(4.0), random.Random(1), sample_s=0.001, horizon_s=1e9)
    assert len(script.steps) == MAX_STEPS


def test_switching_flips_at_each_offset() -> None:
    script = switching(False, [10.0, 25.0])
    assert list(script.steps) == [(0.0, 0.0), (10.0, 1.0), (25.0, 0.0)]
    assert switching(True, []).value_at(1e6) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"base": 200.0}, "Profile base 200.0: expected -60 to 100"),
        ({"base": 1.0, "noise": -1.0}, "Profile noise and drift_after_s: expected >= 0, got -1.0, 0.0"),
        ({"base": float("nan")}, "Profile base: expected a finite number, got nan"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_field(kwargs: dict[str, float], error: str) -> None:
    with pytest.raises(ValueError, match=r"^" + error.replace("(", r"\(").replace(")", r"\)") + "$"):
        Profile(**kwargs)

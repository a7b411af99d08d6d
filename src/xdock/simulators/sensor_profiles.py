"""Simulated dock sensor values: a base, some noise, an optional drift (a reefer whose compressor fails).

:func:`measured` turns a :class:`Profile` into the
:class:`~xdock.firmware_mocks.mqtt_sensor_node.ValueScript` of a sensor node: one step every
``sample_s`` up to ``horizon_s``, each value ``base + drift + noise`` rounded to tenths and kept in
the kind's range. :func:`switching` is a state sensor (door contact, trailer presence) that changes
at given offsets. Random draws come from the caller's seeded ``random.Random``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from xdock.firmware_mocks.mqtt_sensor_node import ValueScript

__all__ = ["MAX_STEPS", "Profile", "measured", "switching"]

MAX_STEPS = 100_000
"""Steps a script holds at most: its value holds after the last one."""


@dataclass(frozen=True)
class Profile:
    """How a measured value moves: ``base``, ± ``noise`` (uniform), then ``drift_per_min`` after ``drift_after_s``."""

    base: float
    noise: float = 0.0
    drift_per_min: float = 0.0
    """Change per minute once drifting (positive: warming up)."""
    drift_after_s: float = 0.0
    """Seconds after start the drift begins."""
    low: float = -60.0
    high: float = 100.0
    """The range values are kept in (the kind's range: -60 to 100 °C, 0 to 100 %RH)."""

    def __post_init__(self) -> None:
        for name in ("base", "noise", "drift_per_min", "drift_after_s"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"Profile {name}: expected a finite number, got {getattr(self, name)}")
        if self.noise < 0 or self.drift_after_s < 0:
            raise ValueError(f"Profile noise and drift_after_s: expected >= 0, got {self.noise}, {self.drift_after_s}")
        if not self.low <= self.base <= self.high:
            raise ValueError(f"Profile base {self.base}: expected {self.low:g} to {self.high:g}")

    def value_at(self, t: float, rng: random.Random) -> float:
        """The value ``t`` seconds after start, with one noise draw from ``rng``."""
        drift = max(0.0, t - self.drift_after_s) / 60 * self.drift_per_min
        noise = rng.uniform(-self.noise, self.noise) if self.noise else 0.0
        return round(min(self.high, max(self.low, self.base + drift + noise)), 1)


def measured(profile: Profile, rng: random.Random, *, sample_s: float, horizon_s: float) -> ValueScript:
    """``profile`` sampled every ``sample_s`` from 0 to ``horizon_s`` (at most :data:`MAX_STEPS` steps).

    The value of ``k * sample_s`` holds from half a sample before to half a sample after it, so a
    node sampling a little late or early still reads the value meant for its ``k``-th sample.
    """
    if not sample_s > 0:
        raise ValueError(f"sample_s: expected > 0, got {sample_s}")
    steps = min(MAX_STEPS, int(max(0.0, horizon_s) // sample_s) + 1)
    return ValueScript([(max(0.0, (k - 0.5) * sample_s), profile.value_at(k * sample_s, rng)) for k in range(steps)])


def switching(initial: bool, changes: Sequence[float]) -> ValueScript:
    """A state (1 or 0) that starts ``initial`` and flips at each offset of ``changes`` (seconds, increasing)."""
    steps = [(0.0, float(initial))]
    state = initial
    for offset in changes:
        state = not state
        if offset <= 0:
            steps = [(0.0, float(state))]
            continue
        steps.append((offset, float(state)))
    return ValueScript(steps)

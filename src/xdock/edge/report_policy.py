"""Which sensor readings an edge reports: on change, and at least every N seconds.

A poller reads a probe every couple of seconds; central wants far fewer messages, but it must
still tell "the value has not moved" from "the sensor has gone quiet". :class:`ReportPolicy` is the
pure decision (no I/O, time from the injected clock):

* every reading goes through :meth:`ReportPolicy.offer`, which returns a :class:`Verdict`:
  ``first`` (never reported), ``changed`` (moved by at least the kind's deadband since the last
  *reported* value, so a slow drift is reported once it adds up), ``interval`` (unchanged, but the
  last report is ``max_interval_s`` old: a heartbeat that proves the value is live), ``resumed``
  (data again after a silence), or ``unchanged`` (not reported);
* :meth:`ReportPolicy.silences` returns, once per silence, the sensors that gave no reading for
  ``stale_after_s``: "no data" is reported as such, never by repeating an old value.

The state kinds (door contact, trailer presence) have a deadband of 0: any change is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from xdock.protocol.clock import Clock
from xdock.protocol.sensors import SensorKind

__all__ = ["DEFAULT_RULES", "ReportPolicy", "ReportRule", "Silence", "Verdict", "VerdictReason"]

VerdictReason = Literal["first", "changed", "interval", "resumed", "unchanged"]


@dataclass(frozen=True)
class ReportRule:
    """How one kind of sensor is reported."""

    deadband: float
    """A reading is a change when it differs from the last reported value by at least this (and by more than 0)."""
    max_interval_s: float
    """An unchanged value is reported again once the last report is this old."""
    stale_after_s: float
    """No reading for this long is a silence ("no data")."""

    def __post_init__(self) -> None:
        if not self.deadband >= 0:
            raise ValueError(f"ReportRule deadband must be >= 0, got {self.deadband}")
        if not self.max_interval_s > 0:
            raise ValueError(f"ReportRule max_interval_s must be > 0, got {self.max_interval_s}")
        if not self.stale_after_s > 0:
            raise ValueError(f"ReportRule stale_after_s must be > 0, got {self.stale_after_s}")


DEFAULT_RULES: Mapping[SensorKind, ReportRule] = {
    "temperature": ReportRule(deadband=0.5, max_interval_s=300.0, stale_after_s=30.0),
    "humidity": ReportRule(deadband=2.0, max_interval_s=300.0, stale_after_s=30.0),
    "door_contact": ReportRule(deadband=0.0, max_interval_s=60.0, stale_after_s=30.0),
    "trailer_presence": ReportRule(deadband=0.0, max_interval_s=60.0, stale_after_s=30.0),
}
"""Cold-chain defaults: half a degree, two points of humidity, every state change."""


@dataclass(frozen=True)
class Verdict:
    """What to do with one reading."""

    reason: VerdictReason

    @property
    def report(self) -> bool:
        return self.reason != "unchanged"


@dataclass(frozen=True)
class Silence:
    """A sensor that gave no reading for its kind's ``stale_after_s``."""

    sensor_id: str
    kind: SensorKind
    last_reading_at: datetime


@dataclass
class _Track:
    kind: SensorKind
    reported_value: float
    reported_at: datetime
    read_at: datetime
    silent: bool = False


@dataclass
class ReportPolicy:
    """Report-on-change with a maximum interval, per sensor, over an injected clock."""

    clock: Clock
    rules: Mapping[SensorKind, ReportRule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    _tracks: dict[str, _Track] = field(default_factory=dict, init=False)

    def offer(self, sensor_id: str, kind: SensorKind, value: float) -> Verdict:
        """Take one reading of ``sensor_id`` at the clock's now; say whether to report it and why."""
        now = self.clock.now()
        rule = self.rules[kind]
        track = self._tracks.get(sensor_id)
        if track is None or track.kind != kind:
            self._tracks[sensor_id] = _Track(kind, value, now, now)
            return Verdict("first")
        track.read_at = now
        if track.silent:
            reason: VerdictReason = "resumed"
            track.silent = False
        else:
            moved = abs(value - track.reported_value)
            if moved > 0 and moved >= rule.deadband:
                reason = "changed"
            elif (now - track.reported_at).total_seconds() >= rule.max_interval_s:
                reason = "interval"
            else:
                return Verdict("unchanged")
        track.reported_value, track.reported_at = value, now
        return Verdict(reason)

    def silences(self) -> list[Silence]:
        """Sensors newly silent at the clock's now (each reported once until a reading comes back)."""
        now = self.clock.now()
        found = []
        for sensor_id, track in self._tracks.items():
            quiet = (now - track.read_at).total_seconds()
            if not track.silent and quiet >= self.rules[track.kind].stale_after_s:
                track.silent = True
                found.append(Silence(sensor_id, track.kind, track.read_at))
        return found

    def is_silent(self, sensor_id: str) -> bool:
        """Whether ``sensor_id`` is in a silence that :meth:`silences` has reported."""
        track = self._tracks.get(sensor_id)
        return track is not None and track.silent

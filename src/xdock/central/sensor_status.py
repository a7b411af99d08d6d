"""What the supervisor sees of each dock sensor: its last value and a status (pure, no I/O).

Statuses, first match wins:

``no_data``
    central never had a reading of the sensor.
``stale``
    the last reading is older than two report periods: the sensor (or its edge) stopped reporting.
    An edge reports a value on change *and* again at least once a period when it does not move, so
    a quiet but live sensor is never stale: "no change" is not "no data".
``breach``
    a temperature above its limit, or a door contact open with no trailer present at its door (the
    alert conditions of :mod:`xdock.central.sensors`, before their grace).
``ok``
    anything else.

Report periods: the v1 contract's longest gap between two reports of an unchanged value
(``max_interval_s`` of the edge's report policy and of the sensor nodes): 300 s for temperature and
humidity, 60 s for door contacts and trailer presence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from xdock.central.sensor_config import SensorConfig
from xdock.protocol.sensors import SensorReading

__all__ = ["REPORT_PERIOD_S", "SensorStatus", "SensorView", "sensor_view"]

SensorStatus = Literal["ok", "breach", "stale", "no_data"]

REPORT_PERIOD_S: Final[Mapping[str, float]] = {
    "temperature": 300.0,
    "humidity": 300.0,
    "door_contact": 60.0,
    "trailer_presence": 60.0,
}
"""Longest gap between two reports of a live sensor, by kind."""

STALE_PERIODS: Final = 2
"""Report periods without a reading after which a sensor is stale."""


@dataclass(frozen=True)
class SensorView:
    """One configured sensor as the dashboard shows it."""

    sensor: SensorConfig
    limit_c: float | None
    """The temperature limit, ``None`` for other kinds and for ambient areas."""
    reading: SensorReading | None
    """The newest reading, ``None`` when none came."""
    report_period_s: float
    status: SensorStatus


def sensor_view(
    sensor: SensorConfig, limit_c: float | None, latest: Mapping[str, SensorReading],
    others: Mapping[str, SensorConfig], now: datetime,
) -> SensorView:
    """``sensor``'s view at ``now`` from the latest readings by sensor id; ``others``: the site's sensors by id."""
    period = REPORT_PERIOD_S[sensor.kind]
    reading = latest.get(sensor.id)
    status: SensorStatus
    if reading is None:
        status = "no_data"
    elif (now - reading.at).total_seconds() > STALE_PERIODS * period:
        status = "stale"
    elif _breach(sensor, reading, limit_c, latest, others):
        status = "breach"
    else:
        status = "ok"
    return SensorView(sensor, limit_c, reading, period, status)


def _breach(
    sensor: SensorConfig, reading: SensorReading, limit_c: float | None, latest: Mapping[str, SensorReading],
    others: Mapping[str, SensorConfig],
) -> bool:
    if sensor.kind == "temperature":
        return limit_c is not None and reading.value > limit_c
    if sensor.kind == "door_contact" and reading.value == 1.0:
        return not any(
            s.kind == "trailer_presence" and s.door == sensor.door
            and (r := latest.get(s.id)) is not None and r.value == 1.0
            for s in others.values()
        )
    return False

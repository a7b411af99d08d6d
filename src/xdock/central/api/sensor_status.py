"""What the supervisor sees of each dock sensor: its last value and a status (pure, no I/O).

Statuses, first match wins:

``no_data``
    central never had a reading of the sensor.
``stale``
    the sensor's readings cannot be believed now, and ``reason`` says why:

    - what reported its last reading is known offline (central's liveness, :mod:`xdock.central.edges.liveness`):
      its edge, or the MQTT sensor node that is its own edge — at once, without waiting;
    - or the last reading is older than two report periods: the sensor (or its edge) stopped
      reporting. An edge reports a value on change *and* again at least once a period when it does
      not move, so a quiet but live sensor is never stale: "no change" is not "no data".
``breach``
    a temperature above its limit, or a door contact open with no trailer present at its door (the
    alert conditions of :mod:`xdock.central.sensors.service`, before their grace).
``ok``
    anything else.

Report period: the sensor's ``report_s`` in the site file, else its kind's default
(:data:`~xdock.central.site_file.sensors.DEFAULT_REPORT_S`: 300 s for temperature and humidity, 60 s
for door contacts and trailer presence).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from xdock.central.edges.liveness import EdgeLiveness
from xdock.central.sensors.service import trailer_present
from xdock.central.site_file.sensors import DEFAULT_REPORT_S, SensorConfig
from xdock.protocol.sensors import SensorReading

__all__ = ["REPORT_PERIOD_S", "STALE_PERIODS", "SensorStatus", "SensorView", "offline_sources", "sensor_view"]

SensorStatus = Literal["ok", "breach", "stale", "no_data"]

REPORT_PERIOD_S: Final = DEFAULT_REPORT_S
"""Longest gap between two reports of a live sensor, by kind, when its ``report_s`` is not given."""

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
    reason: str | None = None
    """Why the sensor is stale (``None`` for the other statuses)."""


def offline_sources(edges: Mapping[str, EdgeLiveness]) -> dict[str, str]:
    """The reporting ids (a reading's ``edge_id``) known offline, each with why, from central's liveness.

    An edge is offline when its status says so; an MQTT sensor node is its own edge (its device id is
    its edge id) and is offline when its device status says so.
    """
    offline: dict[str, str] = {}
    for edge in edges.values():
        if edge.online is False:
            offline[edge.id] = f"edge {edge.id} offline"
            continue
        node = edge.devices.get(edge.id)
        if node is not None and not node.online:
            name = "sensor node" if node.kind == "sensor_node" else node.kind
            offline[edge.id] = f"{name} {node.id} offline" + (f": {node.detail}" if node.detail else "")
    return offline


def sensor_view(
    sensor: SensorConfig, limit_c: float | None, latest: Mapping[str, SensorReading],
    others: Mapping[str, SensorConfig], now: datetime, offline: Mapping[str, str] | None = None,
) -> SensorView:
    """``sensor``'s view at ``now`` from the latest readings by sensor id; ``others``: the site's sensors by id;
    ``offline``: the reporting ids known offline, with why (see :func:`offline_sources`)."""
    period = sensor.report_period_s
    reading = latest.get(sensor.id)
    if reading is None:
        return SensorView(sensor, limit_c, reading, period, "no_data")
    gone = (offline or {}).get(reading.edge_id)
    if gone is not None:
        return SensorView(sensor, limit_c, reading, period, "stale", gone)
    age_s = (now - reading.at).total_seconds()
    if age_s > STALE_PERIODS * period:
        reason = f"no reading for {math.ceil(age_s)} s (reports at least every {period:g} s)"
        return SensorView(sensor, limit_c, reading, period, "stale", reason)
    status: SensorStatus = "breach" if _breach(sensor, reading, limit_c, latest, others) else "ok"
    return SensorView(sensor, limit_c, reading, period, status)


def _breach(
    sensor: SensorConfig, reading: SensorReading, limit_c: float | None, latest: Mapping[str, SensorReading],
    others: Mapping[str, SensorConfig],
) -> bool:
    if sensor.kind == "temperature":
        return limit_c is not None and reading.value > limit_c
    if sensor.kind == "door_contact" and reading.value == 1.0:
        return not trailer_present(sensor.door, latest, others)
    return False

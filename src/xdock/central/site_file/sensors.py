"""The site file's ``sensors:`` section: what each dock sensor watches, and the alert thresholds.

Example::

    sensors:
      - {id: T-LYON-1-TEMP, kind: temperature, trailer: T-LYON-1, grace_s: 300}
      - {id: STG-A-TEMP, kind: temperature, area: STG-A, max_c: 6.0}
      - {id: D12-DOOR, kind: door_contact, door: D12, grace_s: 120, report_s: 300}
      - {id: D12-PRESENCE, kind: trailer_presence, door: D12}
    staging_dwell_minutes: 240

A temperature sensor watches one trailer or one area; its limit is ``max_c`` when given, else the
site's ``rules.chilled_max_c`` for a reefer trailer or a chilled area, ``rules.frozen_max_c`` for a
frozen area, and no limit (readings are kept, no alert) for an ambient one. Door contacts and
trailer presence sensors watch one door. Humidity sensors may watch a trailer or an area and raise
no alert.

``report_s`` is the sensor's report period: the longest gap between two reports of an unchanged
value (it reports on change and at least every ``report_s`` seconds: the edge's report policy for a
probe, the node's own schedule for an MQTT sensor node). It is optional, a number of seconds above
0 and at most 86,400; the default by kind is :data:`DEFAULT_REPORT_S` (300 s for temperature and
humidity, 60 s for door contacts and trailer presence). Central calls a sensor ``stale`` after two
report periods without a reading (see :mod:`xdock.central.api.sensor_status`), so a sensor that
reports less often than its kind's default needs its ``report_s`` (and one that reports more often
may set it to be missed sooner); a bad value is refused naming ``sensors[i].report_s``.

References are checked against the site's doors, trailers and areas by :func:`check_sensor_refs`;
a bad entry is refused naming ``sensors[i].<field>``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xdock.protocol.identifiers import Id

__all__ = ["DEFAULT_REPORT_S", "SensorConfig", "check_sensor_refs"]

DEFAULT_REPORT_S: Final[Mapping[str, float]] = MappingProxyType({
    "temperature": 300.0,
    "humidity": 300.0,
    "door_contact": 60.0,
    "trailer_presence": 60.0,
})
"""A sensor's report period when the site file gives none, by kind: the ``max_interval_s`` of the
edge's report policy and of the sensor nodes in the v1 contract."""


class SensorConfig(BaseModel):
    """One dock sensor of the site file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Id
    """The sensor id its readings carry (``sensor_id``)."""
    kind: Literal["temperature", "humidity", "door_contact", "trailer_presence"]
    trailer: Id | None = None
    """The trailer a temperature/humidity logger rides in."""
    area: Id | None = None
    """The staging area a temperature/humidity logger watches."""
    door: Id | None = None
    """The dock door a door contact or trailer presence sensor watches."""
    max_c: Annotated[float, Field(ge=-60, le=100)] | None = None
    """Temperature limit in °C; default from the trailer's or area's temperature class."""
    grace_s: Annotated[float, Field(ge=0, le=86_400)] = 300.0
    """How long the condition must last before the alert is raised."""
    report_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] | None = None
    """Longest gap between two reports of an unchanged value, in seconds; default by kind
    (:data:`DEFAULT_REPORT_S`)."""

    @property
    def report_period_s(self) -> float:
        """``report_s``, or its kind's default."""
        return self.report_s if self.report_s is not None else DEFAULT_REPORT_S[self.kind]

    @model_validator(mode="after")
    def _watches_one(self) -> SensorConfig:
        if self.kind in ("temperature", "humidity"):
            if self.door is not None:
                raise ValueError(f"door: a {self.kind} sensor watches a trailer or an area, not a door")
            if (self.trailer is None) == (self.area is None):
                raise ValueError(f"trailer: a {self.kind} sensor watches exactly one trailer or one area")
        else:
            if self.door is None:
                raise ValueError(f"door: a {self.kind} sensor must name the door it watches")
            if self.trailer is not None or self.area is not None:
                raise ValueError(f"door: a {self.kind} sensor watches a door only")
            if self.max_c is not None:
                raise ValueError(f"max_c: only temperature sensors have a limit, not {self.kind}")
        if self.kind == "humidity" and self.max_c is not None:
            raise ValueError("max_c: only temperature sensors have a limit, not humidity")
        return self


def check_sensor_refs(
    sensors: Sequence[SensorConfig], *, doors: Collection[str], trailers: Collection[str], areas: Collection[str]
) -> None:
    """Raise ``ValueError`` naming ``sensors[i].<field>`` for a duplicate id or an unknown door/trailer/area."""
    seen: set[str] = set()
    for i, sensor in enumerate(sensors):
        if sensor.id in seen:
            raise ValueError(f"sensors[{i}].id: duplicate id {sensor.id!r}")
        seen.add(sensor.id)
        for name, known in (("door", doors), ("trailer", trailers), ("area", areas)):
            ref = getattr(sensor, name)
            if ref is not None and ref not in known:
                raise ValueError(f"sensors[{i}].{name}: unknown {name} {ref!r} ({name}s: {_list(known)})")


def _list(ids: Collection[str]) -> str:
    return ", ".join(sorted(ids)) if ids else "none"

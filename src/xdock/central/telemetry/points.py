"""Telemetry points: one measurement, its tags, its fields and its time (pure, no I/O).

A point maps one-to-one onto a line of InfluxDB line protocol. The builders name the four kinds
central records: sensor readings, read rates, device health, KPIs and refused uplinks. Measurement, tag and field
names are fixed here so that every writer and the local store agree on them.

``to_line`` encodes a point as InfluxDB line protocol: ``measurement,tag=v field=1.5,n=3i,ok=true,s="x" <ns>``,
tags sorted by key, with commas, spaces and equals signs escaped as the protocol requires.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

__all__ = [
    "FieldValue",
    "PointError",
    "TelemetryPoint",
    "device_health",
    "kpi",
    "read_rate",
    "sensor_reading",
    "to_line",
    "uplink_refusals",
]

FieldValue = float | int | bool | str


class PointError(ValueError):
    """A point that line protocol cannot carry (names the bad part)."""


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class TelemetryPoint:
    """One telemetry sample.

    ``time`` must be timezone-aware; it is written with nanosecond precision.
    """

    measurement: str
    tags: Mapping[str, str]
    fields: Mapping[str, FieldValue]
    time: datetime

    def __post_init__(self) -> None:
        if not self.measurement:
            raise PointError("measurement: must not be empty")
        if self.time.tzinfo is None:
            raise PointError(f"{self.measurement}.time: must be timezone-aware, got {self.time.isoformat()}")
        if not self.fields:
            raise PointError(f"{self.measurement}.fields: at least one field is required")
        for key, value in self.tags.items():
            if not key or not isinstance(value, str) or not value:
                raise PointError(f"{self.measurement}.tags[{key!r}]: expected a non-empty string, got {value!r}")
        for key, val in self.fields.items():
            if not key:
                raise PointError(f"{self.measurement}.fields: empty field name")
            if isinstance(val, float) and not math.isfinite(val):
                raise PointError(f"{self.measurement}.fields[{key!r}]: expected a finite number, got {val!r}")
        object.__setattr__(self, "tags", _frozen(self.tags))
        object.__setattr__(self, "fields", _frozen(self.fields))

    @property
    def time_ns(self) -> int:
        """The point's time in integer nanoseconds since the Unix epoch (exact, no float rounding)."""
        seconds = int(self.time.timestamp() // 1)
        return seconds * 1_000_000_000 + self.time.microsecond * 1_000


def _escape(text: str, specials: str) -> str:
    out = text
    for char in specials:
        out = out.replace(char, "\\" + char)
    return out


def _field_value(value: FieldValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_line(point: TelemetryPoint) -> str:
    """The point as one line of InfluxDB line protocol, time in nanoseconds."""
    head = _escape(point.measurement, ", ")
    tags = "".join(f",{_escape(key, ',= ')}={_escape(point.tags[key], ',= ')}" for key in sorted(point.tags))
    fields = ",".join(f"{_escape(key, ',= ')}={_field_value(val)}" for key, val in point.fields.items())
    return f"{head}{tags} {fields} {point.time_ns}"


def sensor_reading(
    *, site: str, edge: str, sensor: str, kind: str, value: float, unit: str, time: datetime
) -> TelemetryPoint:
    """A sensor's reported value (temperature °C, humidity %RH, door contact, trailer presence)."""
    return TelemetryPoint(
        "sensor_reading",
        {"site": site, "edge": edge, "sensor": sensor, "kind": kind, "unit": unit},
        {"value": float(value)},
        time,
    )


def read_rate(*, site: str, edge: str, device: str, reads_per_s: float, time: datetime) -> TelemetryPoint:
    """How many reads (scans or tag reads) a device delivered per second over the last period."""
    return TelemetryPoint(
        "read_rate", {"site": site, "edge": edge, "device": device}, {"per_s": float(reads_per_s)}, time
    )


def device_health(
    *, site: str, edge: str, device: str, online: bool, time: datetime, backlog: int | None = None,
    kind: str | None = None, counters: Mapping[str, int] | None = None,
) -> TelemetryPoint:
    """An edge's or a device's liveness, with the edge's outbox backlog (when known), tagged with the device's
    ``kind`` when given; each of a device's ``counters`` becomes an integer field of its own name."""
    tags = {"site": site, "edge": edge, "device": device} | ({"kind": kind} if kind is not None else {})
    fields: dict[str, FieldValue] = {"online": online}
    if backlog is not None:
        fields["backlog"] = backlog
    for name, count in (counters or {}).items():
        if name in fields:
            raise PointError(f"device_health.fields[{name!r}]: a counter cannot take the place of the {name} field")
        fields[name] = count
    return TelemetryPoint("device_health", tags, fields, time)


def kpi(*, site: str, figures: Mapping[str, float | int], time: datetime) -> TelemetryPoint:
    """The supervisor's KPIs at one moment (one field per figure, e.g. ``pallets_per_hour``)."""
    return TelemetryPoint("kpi", {"site": site}, dict(figures), time)


def uplink_refusals(*, site: str, edge: str, reason: str, total: int, new: int, time: datetime) -> TelemetryPoint:
    """Uplinks of one edge refused for one reason: ``total`` ever, ``new`` since the last point."""
    return TelemetryPoint("uplink_refusals", {"site": site, "edge": edge, "reason": reason},
                          {"total": total, "new": new}, time)

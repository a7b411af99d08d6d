"""Sensor readings of the v1 contract: uplink on ``.../edge/{edge}/sensor/{sensor}/reading``.

An edge reads the dock's sensors (Modbus RTU probes, MQTT sensor nodes) and reports each reading
it decides to keep (see :mod:`xdock.edge.report_policy`) as one :class:`SensorReading`. Like a
scan, a reading carries the idempotency key ``(edge_id, seq)`` so central stores it exactly once.

Kinds, their one unit, and the values they allow:

=================  ===========  =====================================
kind               unit         value
=================  ===========  =====================================
temperature        ``C``        degrees Celsius, -60 to 100
humidity           ``%RH``      relative humidity, 0 to 100
door_contact       ``open``     1 the dock door is open, 0 it is closed
trailer_presence   ``present``  1 a trailer is at the door, 0 none
=================  ===========  =====================================

A reading whose unit does not belong to its kind, or whose value is outside the kind's range, is
refused by :func:`~xdock.protocol.messages.decode` with a :class:`~xdock.protocol.messages.MessageError`
naming the field (``field 'unit': ...``, ``field 'value': ...``).
"""

from __future__ import annotations

import math
from typing import Final, Literal

from pydantic import AwareDatetime, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from xdock.protocol.messages import Id, Seq, _Message

__all__ = ["KIND_UNITS", "SensorKind", "SensorReading", "is_binary"]

SensorKind = Literal["temperature", "humidity", "door_contact", "trailer_presence"]

KIND_UNITS: Final[dict[str, str]] = {
    "temperature": "C",
    "humidity": "%RH",
    "door_contact": "open",
    "trailer_presence": "present",
}
"""The one unit each kind is reported in."""

_RANGES: Final[dict[str, tuple[float, float]]] = {
    "temperature": (-60.0, 100.0),
    "humidity": (0.0, 100.0),
}


def is_binary(kind: SensorKind) -> bool:
    """Whether ``kind`` reports a state (0 or 1) rather than a measurement."""
    return kind in {"door_contact", "trailer_presence"}


class SensorReading(_Message):
    """One sensor reading, uplink on ``.../edge/{edge}/sensor/{sensor}/reading``."""

    edge_id: Id
    seq: Seq
    sensor_id: Id
    kind: SensorKind
    value: float
    """The measurement in ``unit``; 0 or 1 for the state kinds (``door_contact``, ``trailer_presence``)."""
    unit: str
    at: AwareDatetime
    """When the sensor was read (the edge's clock)."""

    @field_validator("value")
    @classmethod
    def _value_in_range(cls, value: float, info: ValidationInfo) -> float:
        kind = info.data.get("kind")
        if not math.isfinite(value):
            raise PydanticCustomError("sensor_value", "value must be a finite number")
        if kind is None:
            return value
        if is_binary(kind):
            if value not in {0.0, 1.0}:
                raise PydanticCustomError(
                    "sensor_value", "a {kind} reading must be 0 or 1, got {found}", {"kind": kind, "found": value}
                )
            return value
        low, high = _RANGES[kind]
        if not low <= value <= high:
            raise PydanticCustomError(
                "sensor_value",
                "a {kind} reading must be within {low} to {high}, got {found}",
                {"kind": kind, "low": low, "high": high, "found": value},
            )
        return value

    @field_validator("unit")
    @classmethod
    def _unit_of_kind(cls, unit: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is not None and unit != KIND_UNITS[kind]:
            raise PydanticCustomError(
                "sensor_unit",
                "a {kind} reading is in '{expected}', got '{found}'",
                {"kind": kind, "expected": KIND_UNITS[kind], "found": unit[:16]},
            )
        return unit

    @property
    def key(self) -> tuple[str, int]:
        """The idempotency key."""
        return (self.edge_id, self.seq)

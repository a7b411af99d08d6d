"""Liveness messages of the v1 contract: the retained status of an edge, of a device behind it, of central.

An online edge republishes its :class:`EdgeStatus` and the :class:`DeviceStatus` of each device
every ``heartbeat_s`` seconds. A device status may carry ``counters``: cumulative counts since the
device's driver started (so a counter that goes down means the driver restarted), e.g.

================  ========================================================================
``rfid_reader``   ``reads``, ``reports``, ``bad_frames``, ``reconnects``, ``clock_rebased``
``modbus_sensor`` ``polls``, ``timeouts``, ``crc_errors``, ``exceptions``
``serial_scanner`` ``scans``, ``bad_lines``
================  ========================================================================

An edge status may carry ``refused``: the edge's publishes the broker refused (an MQTT 5 PUBACK reason
code of 0x80 or above) since the agent started, by reason (``not_authorised``, ``quota_exceeded``...,
see :data:`xdock.transport.acked.REFUSALS`), and ``problem``: while a refused message still waits to
be accepted, what the latest refusal was (``broker refuses passage: not authorised``).

Counter names are short snake_case words (:data:`COUNTER_NAME`), at most :data:`MAX_COUNTERS`
of them, each a non-negative integer that fits a signed 64-bit column.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from xdock.protocol._message_base import INT64_MAX, Id, PlanVersion, _Message

__all__ = ["COUNTER_NAME", "MAX_COUNTERS", "CentralStatus", "DeviceKind", "DeviceStatus", "EdgeStatus"]

DeviceKind = Literal["serial_scanner", "sensor_node", "rfid_reader", "modbus_sensor"]
COUNTER_NAME = r"^[a-z][a-z0-9_]{0,31}$"
"""A counter's name: a lower-case snake_case word of at most 32 characters."""
MAX_COUNTERS = 16

CounterName = Annotated[str, StringConstraints(pattern=COUNTER_NAME)]
Count = Annotated[int, Field(ge=0, le=INT64_MAX)]


class EdgeStatus(_Message):
    """Retained liveness of an edge agent (also its Last Will, with ``online`` false).

    An online edge republishes it every ``heartbeat_s`` seconds; central considers the edge gone
    when two periods pass without one.
    """

    edge_id: Id
    online: bool
    door: Id | None = None
    at: AwareDatetime | None = None
    version: str | None = None
    heartbeat_s: Annotated[float, Field(gt=0, le=3600)] | None = None
    backlog: Annotated[int, Field(ge=0)] | None = None
    """Scans recorded in the edge's outbox and not yet acknowledged by the broker."""
    refused: Annotated[dict[CounterName, Count], Field(max_length=MAX_COUNTERS)] | None = None
    """Publishes the broker refused since the agent started, by reason (see the module docstring)."""
    problem: Annotated[str, Field(max_length=200)] | None = None
    """While a refused message waits to be accepted: the latest refusal (``broker refuses scan: not authorised``)."""


class DeviceStatus(_Message):
    """Retained liveness of one device behind an edge."""

    edge_id: Id
    device_id: Id
    device_kind: DeviceKind
    online: bool
    at: AwareDatetime
    detail: str = ""
    heartbeat_s: Annotated[float, Field(gt=0, le=3600)] | None = None
    """An online device's status is republished every ``heartbeat_s`` seconds."""
    counters: Annotated[dict[CounterName, Count], Field(max_length=MAX_COUNTERS)] | None = None
    """Cumulative counts since the device's driver started (see the module docstring)."""


class CentralStatus(_Message):
    """Retained liveness of central (also its Last Will, with ``online`` false), on ``.../central/status``."""

    online: bool
    at: AwareDatetime | None = None
    plan_version: PlanVersion | None = None
    leader: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    """The central that leads the site (its ``--central-id``), when several share one store."""
    epoch: Annotated[int, Field(ge=0)] | None = None
    """The leader's epoch: a newer leader has a higher one."""

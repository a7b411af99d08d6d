"""Modbus probes at the edge: poll, keep the readings worth reporting, hand them on as SensorReadings.

A probe is configured as ``ID=PORT@UNIT`` (``--modbus t-d1=/dev/ttyUSB0@3``; ``@UNIT`` defaults to
the probe's Modbus device id 1): its temperature is sensor ``ID-temp``, its humidity ``ID-rh``.
:class:`ProbeReporter` runs the :class:`~xdock.edge.devices.modbus_sensor.ModbusSensorPoller`,
offers each sample to the edge's :class:`~xdock.edge.report_policy.ReportPolicy` ("on change and at
least every N s") and awaits ``send(sensor_id, kind, value, at)`` for each reading to report — the
agent numbers it from the outbox and submits it through the uplink, so a reading is kept until the
broker has it. Every ``poll_interval_s`` it also asks the policy for silences: a probe that gave no
reading for its ``stale_after_s`` is counted and logged once ("no data"), never papered over by
repeating its last value. ``on_status(online)`` hears at once when the probe comes online or goes
offline (:mod:`xdock.edge.devices.probe_liveness`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from xdock.edge.devices.modbus_sensor import ModbusSensorConfig, ModbusSensorPoller, PollResult, sample_readings
from xdock.edge.report_policy import ReportPolicy
from xdock.protocol.clock import Clock
from xdock.protocol.sensors import SensorKind
from xdock.protocol.topics import check_id

__all__ = ["ModbusProbe", "ProbeReporter", "ReporterStats", "SendReading"]

log = logging.getLogger(__name__)

SendReading = Callable[[str, SensorKind, float, datetime], Awaitable[None]]


@dataclass(frozen=True)
class ModbusProbe:
    """One probe as given on the command line."""

    probe_id: str
    port: str
    unit: int = 1

    @classmethod
    def parse(cls, spec: str) -> ModbusProbe:
        """``ID=PORT`` or ``ID=PORT@UNIT``; a bad spec raises ``ValueError`` naming the part."""
        probe_id, sep, rest = spec.partition("=")
        if not sep or not rest:
            raise ValueError(f"Invalid Modbus probe {spec!r}: expected ID=PORT[@UNIT]")
        port, at, unit_text = rest.rpartition("@") if "@" in rest else (rest, "", "")
        if at and not unit_text.isdigit():
            raise ValueError(f"Invalid Modbus probe {spec!r}: unit: expected 1-247, got {unit_text!r}")
        unit = int(unit_text) if at else 1
        if not 1 <= unit <= 247:
            raise ValueError(f"Invalid Modbus probe {spec!r}: unit: expected 1-247, got {unit}")
        if not port:
            raise ValueError(f"Invalid Modbus probe {spec!r}: port: empty")
        try:
            check_id("sensor id", f"{probe_id}-temp")
        except ValueError as exc:
            raise ValueError(f"Invalid Modbus probe {spec!r}: id: {exc}") from exc
        return cls(probe_id, port, unit)

    def config(self, **options: float) -> ModbusSensorConfig:
        """The poller's config; ``options`` sets its timings (``timeout_s``, ``poll_interval_s``, ...)."""
        return ModbusSensorConfig(port=self.port, temperature_id=f"{self.probe_id}-temp",
                                  humidity_id=f"{self.probe_id}-rh", device_id=self.unit, **options)  # type: ignore[arg-type]


@dataclass
class ReporterStats:
    offered: int = 0
    """Readings taken from good samples."""
    reported: int = 0
    """Readings handed to ``send``."""
    silences: int = 0


@dataclass
class ProbeReporter:
    """Polls one probe and reports its readings through ``send``; see the module docstring."""

    config: ModbusSensorConfig
    clock: Clock
    send: SendReading
    policy: ReportPolicy | None = None
    on_status: Callable[[bool], None] | None = None
    """Hears at once when the probe comes online or goes offline."""
    stats: ReporterStats = field(default_factory=ReporterStats, init=False)

    def __post_init__(self) -> None:
        if self.policy is None:
            self.policy = ReportPolicy(self.clock)
        self._results: asyncio.Queue[PollResult] = asyncio.Queue()
        self.poller = ModbusSensorPoller(self.config, self.clock, on_result=self._results.put_nowait,
                                         on_status=self.on_status)

    def due(self, result: PollResult) -> list[tuple[str, SensorKind, float]]:
        """The readings of ``result`` to report now (none unless it is a good sample)."""
        assert self.policy is not None
        if result.sample is None:
            return []
        readings = sample_readings(self.config, result.sample)
        self.stats.offered += len(readings)
        return [r for r in readings if self.policy.offer(*r).report]

    async def run(self) -> None:
        """Poll and report until cancelled (the port is closed on the way out)."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.poller.run(), name=f"modbus-{self.config.port}")
            tasks.create_task(self._watch_silences(), name=f"modbus-silences-{self.config.port}")
            while True:
                result = await self._results.get()
                for sensor_id, kind, value in self.due(result):
                    await self.send(sensor_id, kind, value, result.at)
                    self.stats.reported += 1

    async def _watch_silences(self) -> None:
        assert self.policy is not None
        while True:
            await self.clock.sleep(self.config.poll_interval_s)
            for silence in self.policy.silences():
                self.stats.silences += 1
                log.warning("sensor %s (%s) silent since %s: no data", silence.sensor_id, silence.kind,
                            silence.last_reading_at.isoformat())

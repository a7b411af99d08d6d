"""Where central's telemetry goes: InfluxDB when configured, else the local ring."""

from __future__ import annotations

from typing import Protocol

from xdock.central.telemetry.config import TelemetryConfig
from xdock.central.telemetry.local_store import LocalTelemetry
from xdock.central.telemetry.points import TelemetryPoint
from xdock.central.telemetry.writer import TelemetryWriter

__all__ = ["TelemetrySink", "open_sink"]


class TelemetrySink(Protocol):
    """Takes points without blocking; ``close()`` releases what it holds."""

    def record(self, point: TelemetryPoint) -> None: ...

    def close(self) -> None: ...


def open_sink(config: TelemetryConfig | None, *, local_limit: int = 10_000) -> TelemetrySink:
    """A started ``TelemetryWriter`` for ``config``, or a ``LocalTelemetry`` ring when ``None``."""
    if config is None:
        return LocalTelemetry(local_limit)
    writer = TelemetryWriter(config)
    writer.start()
    return writer

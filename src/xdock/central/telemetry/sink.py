"""Where central's telemetry goes: always into the local ring, and to InfluxDB as well when configured.

The ring (:class:`LocalTelemetry`) is what the API and the dashboard read, so recent telemetry is
there in both set-ups; InfluxDB, when configured, keeps the long history.
"""

from __future__ import annotations

from typing import Protocol

from xdock.central.telemetry.config import TelemetryConfig
from xdock.central.telemetry.local_store import LocalTelemetry
from xdock.central.telemetry.points import TelemetryPoint
from xdock.central.telemetry.writer import TelemetryWriter

__all__ = ["TelemetrySink", "TelemetryTee", "open_sink"]


class TelemetrySink(Protocol):
    """Takes points without blocking; ``close()`` releases what it holds."""

    def record(self, point: TelemetryPoint) -> None: ...

    def close(self) -> None: ...


class TelemetryTee:
    """Keeps every point in ``recent`` and hands it on to ``writer`` when there is one."""

    def __init__(self, recent: LocalTelemetry, writer: TelemetrySink | None = None) -> None:
        self.recent = recent
        """The last points, for the API and the dashboard."""
        self.writer = writer
        """Where points go for good (InfluxDB), or ``None``."""

    def record(self, point: TelemetryPoint) -> None:
        """Keep ``point`` locally, then pass it to the writer."""
        self.recent.record(point)
        if self.writer is not None:
            self.writer.record(point)

    def close(self) -> None:
        """Close the writer (it writes what it still holds); the ring stays readable."""
        if self.writer is not None:
            self.writer.close()
        self.recent.close()


def open_sink(config: TelemetryConfig | None, *, local_limit: int = 10_000) -> TelemetryTee:
    """A ring of ``local_limit`` points, teed to a started ``TelemetryWriter`` when ``config`` is given."""
    recent = LocalTelemetry(local_limit)
    if config is None:
        return TelemetryTee(recent)
    writer = TelemetryWriter(config)
    writer.start()
    return TelemetryTee(recent, writer)

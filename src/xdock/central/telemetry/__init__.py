"""Central's telemetry: points for sensor readings, read rates, device health, KPIs and refused uplinks, written to
InfluxDB's v2 write API (batched, retried, bounded) when configured, and always kept locally (recent points).
"""

from xdock.central.telemetry.config import TOKEN_ENV, TelemetryConfig, TelemetryConfigError
from xdock.central.telemetry.local_store import LocalTelemetry
from xdock.central.telemetry.points import (
    FieldValue,
    PointError,
    TelemetryPoint,
    device_health,
    kpi,
    read_rate,
    sensor_reading,
    to_line,
    uplink_refusals,
)
from xdock.central.telemetry.sink import TelemetrySink, open_sink
from xdock.central.telemetry.writer import TelemetryWriter, WriterStats

__all__ = [
    "TOKEN_ENV",
    "FieldValue",
    "LocalTelemetry",
    "PointError",
    "TelemetryConfig",
    "TelemetryConfigError",
    "TelemetryPoint",
    "TelemetrySink",
    "TelemetryWriter",
    "WriterStats",
    "device_health",
    "kpi",
    "open_sink",
    "read_rate",
    "sensor_reading",
    "to_line",
    "uplink_refusals",
]

"""Recent telemetry kept in memory (always: also when InfluxDB is configured), queryable by the API.

A ring of at most ``limit`` points: when full, the oldest point makes room for the newest and is
counted in ``evicted``. Safe to call from any thread; each call only takes a short lock.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from datetime import datetime

from xdock.central.telemetry.points import TelemetryPoint

__all__ = ["LocalTelemetry"]


class LocalTelemetry:
    """The last ``limit`` telemetry points, in arrival order."""

    def __init__(self, limit: int = 10_000) -> None:
        if limit < 1:
            raise ValueError(f"local telemetry limit: expected a positive integer, got {limit}")
        self._lock = threading.Lock()
        self._ring: deque[TelemetryPoint] = deque(maxlen=limit)
        self._evicted = 0

    def record(self, point: TelemetryPoint) -> None:
        """Keep ``point``; the oldest one goes when the ring is full."""
        with self._lock:
            if len(self._ring) == self._ring.maxlen:
                self._evicted += 1
            self._ring.append(point)

    @property
    def evicted(self) -> int:
        """Points that made room for newer ones so far."""
        with self._lock:
            return self._evicted

    def query(
        self,
        measurement: str | None = None,
        *,
        since: datetime | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> list[TelemetryPoint]:
        """Kept points of ``measurement`` (any when ``None``), at or after ``since``, carrying all ``tags``."""
        with self._lock:
            points = list(self._ring)
        wanted = dict(tags or {})
        return [
            p
            for p in points
            if (measurement is None or p.measurement == measurement)
            and (since is None or p.time >= since)
            and all(p.tags.get(k) == v for k, v in wanted.items())
        ]

    def close(self) -> None:
        """Nothing to release; present so both sinks close alike."""

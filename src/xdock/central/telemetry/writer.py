"""The InfluxDB writer: batches points, retries with back-off, and bounds what it keeps.

``record()`` only appends to a queue under a lock and wakes the worker, so it is safe (and cheap)
to call from central's event loop; every request to the server happens on the writer's own
thread (``telemetry-writer``), through influxdb-client's synchronous write API (InfluxDB v2
``/api/v2/write``, line protocol, nanosecond precision).

**Bound.** At most ``config.buffer_limit`` points wait in the queue, plus at most one batch
(``config.batch_size`` points) being written. When a point arrives at a full queue the oldest
waiting point is dropped; drops are counted (``stats().dropped``) and logged: a warning when
losses start, and the total when the server takes points again. With the defaults (100,000
points, about 100 bytes each) that is some 10 MB and, at 100 points/s, about 17 minutes of
absence before anything is lost.

InfluxDB's client (and what it imports) is loaded when a writer is made, so a central without a
telemetry URL never pays for it at start.

**Retry.** A write refused with 429 or 5xx, or not answered (connection refused, timeout), is
retried, same batch first, after ``retry_initial_s`` doubling up to ``retry_max_s``. A batch the
server refuses for good (another 4xx: bad token, unknown bucket, malformed) is dropped and counted
as ``rejected`` so one bad batch never stalls the rest.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass

from urllib3.exceptions import HTTPError

from xdock.central.telemetry.config import TelemetryConfig
from xdock.central.telemetry.points import TelemetryPoint, to_line
from xdock.transport.backoff import Backoff, BackoffPolicy

__all__ = ["TelemetryWriter", "WriterStats"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriterStats:
    """What the writer did so far."""

    written: int
    """Points the server accepted."""
    dropped: int
    """Points dropped because the queue was full (oldest first)."""
    rejected: int
    """Points in batches the server refused for good (4xx other than 429)."""
    failed_attempts: int
    """Write attempts that failed and were retried."""
    pending: int
    """Points waiting in the queue."""
    in_flight: int
    """Points in the batch being written (0 or up to ``batch_size``)."""


class TelemetryWriter:
    """Writes telemetry points to an InfluxDB v2 write API from a worker thread."""

    def __init__(self, config: TelemetryConfig) -> None:
        self._config = config
        self._cond = threading.Condition()
        self._queue: deque[TelemetryPoint] = deque()
        self._in_flight = 0
        self._written = 0
        self._dropped = 0
        self._dropped_in_outage = 0
        self._rejected = 0
        self._failed = 0
        self._closing = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        from influxdb_client.client.influxdb_client import InfluxDBClient  # noqa: PLC0415  (heavy, only when used)
        from influxdb_client.client.write_api import SYNCHRONOUS  # noqa: PLC0415

        self._client = InfluxDBClient(
            url=config.url, token=config.token, org=config.org, timeout=int(config.timeout_s * 1000), retries=False
        )
        self._write_api = self._client.write_api(write_options=SYNCHRONOUS)

    def start(self) -> None:
        """Start the worker thread (once)."""
        if self._thread is not None:
            raise RuntimeError("telemetry writer already started")
        self._thread = threading.Thread(target=self._run, name="telemetry-writer")
        self._thread.start()

    def record(self, point: TelemetryPoint) -> None:
        """Queue ``point`` for writing; never blocks on the network."""
        with self._cond:
            if self._closing:
                raise RuntimeError("telemetry writer is closed")
            if len(self._queue) >= self._config.buffer_limit:
                self._queue.popleft()
                self._dropped += 1
                self._dropped_in_outage += 1
                if self._dropped_in_outage == 1:
                    _log.warning(
                        "telemetry buffer full (%d points): dropping the oldest until %s takes points again",
                        self._config.buffer_limit,
                        self._config.url,
                    )
            self._queue.append(point)
            if len(self._queue) >= self._config.batch_size or len(self._queue) == 1:
                self._cond.notify()

    def stats(self) -> WriterStats:
        """A consistent snapshot of the counters."""
        with self._cond:
            return WriterStats(
                written=self._written,
                dropped=self._dropped,
                rejected=self._rejected,
                failed_attempts=self._failed,
                pending=len(self._queue),
                in_flight=self._in_flight,
            )

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (one attempt per batch, no back-off), stop the thread, close the client.

        Points still unwritten after that are counted as dropped and logged.
        """
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError(f"telemetry writer did not stop within {timeout} s")
        self._client.close()  # type: ignore[no-untyped-call]  # influxdb-client leaves close() unannotated

    # -- worker thread ---------------------------------------------------------------------------

    def _next_batch(self) -> list[TelemetryPoint] | None:
        """Wait for a full batch, the flush interval, or closing; ``None`` when closed and empty."""
        cfg = self._config
        with self._cond:
            while not self._queue and not self._closing:
                self._cond.wait()
            if not self._queue:
                return None
            # a partial batch waits up to flush_interval_s for more points
            self._cond.wait_for(
                lambda: self._closing or len(self._queue) >= cfg.batch_size, timeout=cfg.flush_interval_s
            )
            size = min(cfg.batch_size, len(self._queue))
            batch = [self._queue.popleft() for _ in range(size)]
            self._in_flight = size
            return batch

    def _run(self) -> None:
        backoff = Backoff(BackoffPolicy(first=self._config.retry_initial_s, cap=self._config.retry_max_s))
        batch: list[TelemetryPoint] | None = None
        while True:
            if batch is None:
                batch = self._next_batch()
                if batch is None:
                    return
            outcome = self._write(batch)
            if outcome == "retry" and not self._stop.is_set():
                with self._cond:
                    self._failed += 1
                self._stop.wait(backoff.failed())  # woken early only by close()
                continue
            with self._cond:
                if outcome == "ok":
                    self._written += len(batch)
                    if self._dropped_in_outage:
                        _log.warning(
                            "telemetry: %s takes points again; %d dropped meanwhile",
                            self._config.url,
                            self._dropped_in_outage,
                        )
                        self._dropped_in_outage = 0
                elif outcome == "rejected":
                    self._rejected += len(batch)
                else:  # retry while closing: give up on the batch and the rest of the queue
                    lost = len(batch) + len(self._queue)
                    self._dropped += lost
                    self._queue.clear()
                    _log.warning("telemetry: %s unreachable at close; %d points dropped", self._config.url, lost)
                self._in_flight = 0
                backoff.succeeded()
            batch = None

    def _write(self, batch: list[TelemetryPoint]) -> str:
        from influxdb_client.domain.write_precision import WritePrecision  # noqa: PLC0415  (loaded by __init__)
        from influxdb_client.rest import ApiException  # noqa: PLC0415

        try:
            self._write_api.write(
                bucket=self._config.bucket,
                org=self._config.org,
                record="\n".join(to_line(p) for p in batch),
                write_precision=WritePrecision.NS,  # type: ignore[arg-type]  # annotated as str, takes the enum
            )
        except ApiException as exc:
            status = exc.status or 0
            if status == 429 or status >= 500:
                _log.info("telemetry write to %s refused with %d; retrying", self._config.url, status)
                return "retry"
            _log.error(
                "telemetry write to %s refused for good (%d %s): %d points dropped",
                self._config.url,
                status,
                exc.reason,
                len(batch),
            )
            return "rejected"
        except (HTTPError, OSError) as exc:
            _log.info("telemetry write to %s failed (%s); retrying", self._config.url, exc)
            return "retry"
        return "ok"

"""A real VictoriaMetrics on a free loopback port for telemetry tests (Debian's ``victoria-metrics``).

It speaks InfluxDB's v2 write API (``/api/v2/write``); points are read back through its export API,
one series per ``{measurement}_{field}`` with the tags as labels and millisecond timestamps.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from xdock.testing.servers import free_port, wait_for_port

__all__ = ["Series", "VictoriaMetrics"]

BINARY = "victoria-metrics"


@dataclass(frozen=True)
class Series:
    """One exported series: its labels (``__name__`` included) and its (ms, value) samples."""

    labels: dict[str, str]
    samples: list[tuple[int, float]]


class VictoriaMetrics:
    """Start, stop and restart one VictoriaMetrics keeping its data in ``data_dir`` on one port."""

    def __init__(self, data_dir: Path) -> None:
        binary = shutil.which(BINARY)
        if binary is None:
            raise RuntimeError(f"{BINARY} not found; ./dev test installs Debian's victoria-metrics package")
        self._binary = binary
        self.data_dir = data_dir
        self.port = free_port()
        self.log = data_dir.parent / "victoria-metrics.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL for influxdb-client."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and return once it listens."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                [
                    self._binary,
                    f"-httpListenAddr=127.0.0.1:{self.port}",
                    f"-storageDataPath={self.data_dir}",
                    "-retentionPeriod=100y",
                    "-search.latencyOffset=0s",
                    "-loggerLevel=WARN",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, timeout=20.0, proc=self._proc)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); harmless when already stopped."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def export(self, metric_regex: str) -> list[Series]:
        """Every series whose name matches ``metric_regex``, after flushing recent writes to search."""
        urllib.request.urlopen(f"{self.url}/internal/force_flush", timeout=10).close()
        query = urllib.parse.urlencode({"match[]": f'{{__name__=~"{metric_regex}"}}', "start": "0"})
        with urllib.request.urlopen(f"{self.url}/api/v1/export?{query}", timeout=10) as resp:
            lines = resp.read().decode().splitlines()
        out = []
        for line in lines:
            row = json.loads(line)
            out.append(Series(dict(row["metric"]), list(zip(row["timestamps"], row["values"], strict=True))))
        return out

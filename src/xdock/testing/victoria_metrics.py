"""A real VictoriaMetrics (Debian's ``victoria-metrics``) on a free loopback port, scraping ``/metrics`` endpoints.

It takes central's telemetry through InfluxDB's v2 write API (``/api/v2/write``; one series per
``{measurement}_{field}``, the tags as labels) and scrapes the targets given, as
``deploy/victoriametrics/scrape.yml`` has it on a site, every ``scrape_interval`` seconds; each scraped
series carries the labels ``job`` and ``instance`` (``host:port``). :meth:`VictoriaMetrics.export`
reads series back with every sample, :meth:`VictoriaMetrics.query` evaluates an instant query.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xdock.testing.servers import free_port, wait_for_port

__all__ = ["Series", "VictoriaMetrics"]

BINARY = "victoria-metrics"


@dataclass(frozen=True)
class Series:
    """One exported series: its labels (``__name__`` included) and its (ms, value) samples, oldest first."""

    labels: dict[str, str]
    samples: list[tuple[int, float]]


def scrape_config(jobs: Mapping[str, Sequence[str]], interval_s: float) -> str:
    """A promscrape config (YAML, written as JSON) scraping each job's ``host:port`` targets' ``/metrics``."""
    config = {
        "global": {"scrape_interval": f"{int(interval_s * 1000)}ms"},
        "scrape_configs": [
            {"job_name": job, "metrics_path": "/metrics", "static_configs": [{"targets": list(targets)}]}
            for job, targets in jobs.items()
        ],
    }
    return json.dumps(config, indent=2) + "\n"


class VictoriaMetrics:
    """Start and stop one VictoriaMetrics keeping its data in ``folder``; ``scrape``: job name → targets."""

    def __init__(
        self, folder: Path, scrape: Mapping[str, Sequence[str]] | None = None, *, scrape_interval: float = 1.0,
    ) -> None:
        binary = shutil.which(BINARY)
        if binary is None:
            raise RuntimeError(f"{BINARY} not found; ./dev test installs Debian's victoria-metrics package")
        self._binary = binary
        self.folder = folder
        self.port = free_port()
        self.log = folder / "victoria-metrics.log"
        self._scrape = scrape
        self._scrape_interval = scrape_interval
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL (central's ``--telemetry-url``)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and return once it listens."""
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [
            self._binary, f"-httpListenAddr=127.0.0.1:{self.port}", f"-storageDataPath={self.folder / 'data'}",
            "-retentionPeriod=100y", "-search.latencyOffset=0s", "-loggerLevel=WARN",
        ]
        if self._scrape is not None:
            config = self.folder / "scrape.yml"
            config.write_text(scrape_config(self._scrape, self._scrape_interval))
            args.append(f"-promscrape.config={config}")
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(self.port, timeout=20.0, proc=self._proc)
        except BaseException:
            self.stop()
            raise

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

    def __enter__(self) -> VictoriaMetrics:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _get(self, path: str, params: Mapping[str, str]) -> bytes:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as response:
            body: bytes = response.read()
            return body

    def flush(self) -> None:
        """Make every sample taken so far visible to searches."""
        urllib.request.urlopen(f"{self.url}/internal/force_flush", timeout=10).close()

    def export(self, selector: str) -> list[Series]:
        """Every series matching ``selector`` (e.g. ``{__name__=~"xdock_.*"}``), all samples, after a flush."""
        self.flush()
        out = []
        for line in self._get("/api/v1/export", {"match[]": selector, "start": "0"}).decode().splitlines():
            row = json.loads(line)
            samples = sorted(zip(row["timestamps"], row["values"], strict=True))
            out.append(Series(dict(row["metric"]), samples))
        return out

    def query(self, expr: str) -> list[tuple[dict[str, str], float]]:
        """An instant query's vector now: each series' labels and value."""
        self.flush()
        answer: dict[str, Any] = json.loads(self._get("/api/v1/query", {"query": expr}))
        if answer.get("status") != "success":
            raise RuntimeError(f"VictoriaMetrics query {expr!r} failed: {answer}")
        return [(dict(row["metric"]), float(row["value"][1])) for row in answer["data"]["result"]]

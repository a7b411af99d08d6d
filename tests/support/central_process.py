"""``xdock central`` run as a real process by a test, killable with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from support.mosquitto import free_port
from xdock.protocol.broker_url import BrokerUrl


class CentralProcess:
    def __init__(self, site_file: Path, broker: BrokerUrl, db: Path, *, sim_start: str | None = None) -> None:
        self.site_file = site_file
        self.broker = broker
        self.db = db
        self.sim_start = sim_start
        self.api_port = free_port()
        self.log = db.with_suffix(".log")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [
            sys.executable, "-m", "xdock", "--log-level", "INFO", "central", "--site", str(self.site_file),
            "--broker", str(self.broker), "--db", str(self.db), "--api-port", str(self.api_port),
        ]
        if self.sim_start:
            args += ["--sim-start", self.sim_start]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"central exited with {self.proc.returncode}: {self.log.read_text()}")
            try:
                if self.get("/api/v1/site"):
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"central API not up after 20 s: {self.log.read_text()}")

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}{path}", timeout=5) as response:
            return json.loads(response.read())

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as in a power cut or an OOM kill."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

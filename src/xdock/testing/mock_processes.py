"""The project's device mocks as processes, as a site hour runs them: an LLRP portal reader and an MQTT sensor node.

:class:`LlrpReaderProcess` is ``xdock mock llrp-reader`` on a free loopback port, carrying a stream
of pallets through its portal (``--pallets``, their clock starting when the edge first connects).
:class:`SensorNodeProcess` is ``xdock mock sensor-node`` over TLS with the node's certificate; the
mock has no reconnect loop (a node's firmware reboots instead), so it exits when its broker goes
away, and its owner starts it again. Each reading the node prints was acknowledged by the broker
(QoS 1); :meth:`SensorNodeProcess.published` counts them over every run, from its output file. The reader
prints each tag an antenna starts reading, which it does only while a client (the edge) is connected:
:meth:`LlrpReaderProcess.carried` tells the pallets an edge was shown pass both antennas.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from xdock.protocol.broker_url import BrokerUrl
from xdock.testing.servers import _ChildProcess, free_port

__all__ = ["LlrpReaderProcess", "SensorNodeProcess"]


class _MockProcess(_ChildProcess):
    """A ``python -m xdock mock ...`` process whose output is appended to ``out``."""

    def __init__(self, args: list[str], out: Path) -> None:
        self.args = [sys.executable, "-m", "xdock", "mock", *args]
        self.out = out
        self.starts = 0

    def spawn(self, extra: list[str]) -> None:
        if self.proc is not None:
            raise RuntimeError(f"{self.args[4]} already running")
        with self.out.open("ab") as out:
            self.proc = subprocess.Popen(
                [*self.args, *extra], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.starts += 1

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def reap(self) -> int | None:
        """Forget a process that ended by itself; answer its exit code (``None`` if it still runs)."""
        if self.proc is None or self.proc.poll() is None:
            return None
        code, self.proc = self.proc.returncode, None
        return code


class LlrpReaderProcess(_MockProcess):
    """``xdock mock llrp-reader`` carrying ``pallets`` pallets of ``company_prefix`` in through its portal,
    one every ``every_s`` seconds from ``first_s`` after the edge connects (antenna 1 outside, 2 inside), on a
    site clock running ``speed`` times the wall clock."""

    def __init__(
        self, folder: Path, *, pallets: int, every_s: float, first_s: float, company_prefix: str, speed: float,
    ) -> None:
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(
            ["llrp-reader", "--port", str(self.port), "--pallets", str(pallets), "--every", str(every_s),
             "--first", str(first_s), "--direction", "in", "--company-prefix", company_prefix,
             "--sim-speed", str(speed)],
            folder / f"llrp-{self.port}.out",
        )
        self._read = re.compile(r"^read \S+  SSCC (\d{18})  antenna (\d+) ", re.MULTILINE)

    def carried(self) -> list[str]:
        """SSCCs of the pallets the reader showed a connected client on both portal antennas, in order."""
        seen: dict[str, set[str]] = {}
        try:
            text = self.out.read_text(errors="replace")
        except FileNotFoundError:
            return []
        for sscc, antenna in self._read.findall(text):
            seen.setdefault(sscc, set()).add(antenna)
        return [sscc for sscc, antennas in seen.items() if antennas >= {"1", "2"}]

    def boot(self, sim_start: str, timeout: float = 20.0) -> None:
        """Start the reader with its clock at ``sim_start`` (the site's time now); return once it listens.

        Told by its banner line, not by connecting: the first client to connect starts the pallets' clock."""
        size = self.out.stat().st_size if self.out.exists() else 0
        self.spawn(["--sim-start", sim_start])
        try:
            self._wait_banner(size, time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_banner(self, size: int, deadline: float) -> None:
        while "LLRP reader on " not in (out := self.out.read_text(errors="replace")[size:]):
            if self.proc is None or self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"LLRP reader mock not listening on port {self.port}:\n{out}")
            time.sleep(0.05)


class SensorNodeProcess(_MockProcess):
    """``xdock mock sensor-node`` ``node_id`` watching ``target`` (temperature and humidity) over ``broker``'s TLS
    listener with the node's certificate; ``sample_s`` and ``speed`` are on the site clock."""

    def __init__(
        self, folder: Path, *, site: str, node_id: str, target: str, broker: BrokerUrl, tls: tuple[Path, Path, Path],
        sample_s: float, speed: float,
    ) -> None:
        ca, cert, key = tls
        folder.mkdir(parents=True, exist_ok=True)
        self.node_id, self.target = node_id, target
        super().__init__(
            ["sensor-node", "--broker", str(broker), "--broker-ca", str(ca), "--broker-cert", str(cert),
             "--broker-key", str(key), "--site", site, "--node-id", node_id, "--target", target,
             "--kind", "temperature", "--kind", "humidity", "--sample", str(sample_s),
             "--seq-file", str(folder / f"{node_id}.seq"), "--sim-speed", str(speed)],
            folder / f"{node_id}.out",
        )
        self._reading = re.compile(rf"^{re.escape(target)}-(TEMP|RH) ", re.MULTILINE)

    def boot(self, sim_start: str) -> None:
        """Start the node with its clock at ``sim_start`` (ISO 8601 with offset: the site's time now)."""
        self.spawn(["--sim-start", sim_start])

    def published(self) -> int:
        """Readings the broker acknowledged, over every run of the node."""
        try:
            return len(self._reading.findall(self.out.read_text(errors="replace")))
        except FileNotFoundError:
            return 0

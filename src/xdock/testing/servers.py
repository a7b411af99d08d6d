"""Real servers a benchmark starts for itself: a Mosquitto broker, ``xdock central`` and ``xdock edge`` as processes.

Both run in their own session (``start_new_session``), so a Ctrl-C at the terminal reaches only the
benchmark, which then stops them in order; a stop or a kill ends every process left in the session (a
central's re-plan worker). ``stop()`` is idempotent; use them as context managers.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

from xdock.protocol.broker_url import BrokerUrl

__all__ = ["CentralProcess", "EdgeProcess", "Mosquitto", "free_port", "wait_for_port"]


_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 10_000
"""Ports handed out lie between this and the start of the kernel's ephemeral range."""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now.

    Drawn at random below the kernel's ephemeral range, where it never hands out the local port of
    an outgoing connection: a port from that range (what binding port 0 gives) may be taken by any
    client connecting between this call and the server's bind, and the server then fails with
    "Address already in use".
    """
    below = _ephemeral_start()
    if below > _LOWEST + 1000:
        randomly = random.SystemRandom()
        for _ in range(200):
            port = randomly.randrange(_LOWEST, below)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        found: int = sock.getsockname()[1]
        return found


def _ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (0 where it cannot be read: not Linux)."""
    try:
        return int(_EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def wait_for_port(port: int, timeout: float = 10.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Return once something accepts connections on ``127.0.0.1:port``; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL what is left of the session ``proc`` leads (started with ``start_new_session``): processes it
    started and left behind when it ended or was killed."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _stop(proc: subprocess.Popen[bytes], grace: float) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Mosquitto:
    """One Mosquitto on a free loopback port, configured in ``folder``; stoppable and restartable.

    ``tcp_nodelay`` sends each MQTT packet at once (``set_tcp_nodelay``); Mosquitto's default holds
    small packets back (Nagle) until the previous one is acknowledged, up to 40 ms with delayed ACKs.
    ``persistence`` keeps sessions and queued messages in ``folder`` across a restart.
    ``password_file`` / ``acl_file``: log-ins required (no anonymous client) and the ACL enforced.
    ``tls``: (certificate, key) PEM files; the listener then speaks TLS only and ``url`` is ``mqtts://``.
    ``conf``: run this ``mosquitto.conf`` untouched instead (e.g. one ``xdock broker-config`` wrote), which
    listens on ``127.0.0.1:port``; the other options are then unused and Mosquitto's stderr goes to the log.
    """

    def __init__(
        self, folder: Path, *, tcp_nodelay: bool = True, persistence: bool = False,
        password_file: Path | None = None, acl_file: Path | None = None, tls: tuple[Path, Path] | None = None,
        conf: Path | None = None, port: int | None = None,
    ) -> None:
        self.exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "mosquitto.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._stderr_to_log = conf is not None
        if conf is not None:
            if port is None:
                raise ValueError("Mosquitto: a given conf needs the port it listens on")
            self.conf, self.port, self.url = conf, port, BrokerUrl("127.0.0.1", port)
            return
        self.port = free_port()
        self.url = BrokerUrl("127.0.0.1", self.port, tls=tls is not None)
        self.conf = folder / "mosquitto.conf"
        persisted = (
            f"persistence true\npersistence_location {folder}/\nautosave_interval 1\n" if persistence
            else "persistence false\n"
        )
        # Started as root, Mosquitto drops to the user "mosquitto", which may not write to ``folder``
        # (persistence file, log); it keeps the user that started it when told to.
        self.conf.write_text(
            f"user {getpass.getuser()}\n"
            f"listener {self.port} 127.0.0.1\n"
            + (f"certfile {tls[0]}\nkeyfile {tls[1]}\n" if tls is not None else "")
            + f"allow_anonymous {'false' if password_file is not None else 'true'}\n"
            + (f"password_file {password_file}\n" if password_file is not None else "")
            + (f"acl_file {acl_file}\n" if acl_file is not None else "")
            + f"{persisted}"
            f"set_tcp_nodelay {'true' if tcp_nodelay else 'false'}\n"
            "max_queued_messages 100000\n"
            "max_inflight_messages 100\n"
            f"log_dest file {self.log}\n"
            "log_type error\nlog_type warning\n"
        )

    def start(self) -> None:
        if self.proc is not None:
            raise RuntimeError("mosquitto already running")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [self.exe, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                stderr=log if self._stderr_to_log else subprocess.DEVNULL, start_new_session=True,
            )
        try:
            wait_for_port(self.port, proc=self.proc)
        except (TimeoutError, RuntimeError) as exc:
            self.stop()
            raise RuntimeError(f"mosquitto did not start: {exc}\n{_tail(self.log)}") from exc
        except BaseException:  # Ctrl-C while waiting: no broker left behind
            self.stop()
            raise

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            _stop(proc, grace=5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Mosquitto:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ChildProcess:
    """A child process with a clean stop (SIGTERM, then SIGKILL after a grace) and a hard kill."""

    proc: subprocess.Popen[bytes] | None = None
    exit_code: int | None = None
    """How the latest run ended (``-9``: killed), once it did and was stopped, killed or waited for."""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            _stop(proc, grace=10)
            self.exit_code = proc.returncode
            _kill_group(proc)

    def kill(self) -> None:
        """SIGKILL to the process and every process it started (its session's group: a re-plan worker, say),
        as in a power cut of its machine."""
        proc, self.proc = self.proc, None
        if proc is not None:
            _kill_group(proc)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            self.exit_code = proc.wait(timeout=10)

    def wait_exit(self, timeout: float) -> int:
        """Wait for the process to end by itself; answer its exit code (``TimeoutError`` if it still runs)."""
        if self.proc is None:
            raise RuntimeError("process not running")
        proc = self.proc
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"process {proc.pid} still runs after {timeout} s") from exc
        self.proc, self.exit_code = None, code
        _kill_group(proc)
        return code

    def start(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class CentralProcess(_ChildProcess):
    """``python -m xdock central`` with its API on a free port; ready once the API answers.

    ``password_file``: the broker password (``--broker-password-file``), for the user named in ``broker``;
    ``options``: more options of ``xdock central`` (e.g. ``--log-format json``); ``db``: an SQLite file
    (the log beside it unless ``log`` names one) or a ``postgresql://`` URL (``log`` then required).
    """

    def __init__(
        self, site_file: Path, broker: BrokerUrl, db: Path | str, *, sim_start: str | None = None,
        log_level: str = "WARNING", password_file: Path | None = None, options: Sequence[str] = (),
        log: Path | None = None,
    ) -> None:
        self.api_port = free_port()
        if log is None and not isinstance(db, Path):
            raise ValueError(f"A central on {db!r} needs a log file (log=)")
        self.log = log or Path(db).with_suffix(".log")
        self.args = [
            sys.executable, "-m", "xdock", "--log-level", log_level, "central", "--site", str(site_file),
            "--broker", str(broker), "--db", str(db), "--api-port", str(self.api_port),
        ]
        if password_file is not None:
            self.args += ["--broker-password-file", str(password_file)]
        if sim_start is not None:
            self.args += ["--sim-start", sim_start]
        self.args += options
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at: float | None = None
        """``time.monotonic()`` (the event loop's clock) just before the latest start forked the process."""

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def start(self, timeout: float = 30.0, *, standby: bool = False) -> None:
        """Start central; return once its API serves the site, or with ``standby`` once its API says it stands
        by (a central of a shared store that another central leads)."""
        if self.proc is not None:
            raise RuntimeError("central already running")
        with self.log.open("ab") as log:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        try:
            self._wait_ready(self.proc, timeout, "standby" if standby else None)
        except BaseException:  # not ready, or Ctrl-C while waiting: no central left behind
            self.stop()
            raise

    def _wait_ready(self, proc: subprocess.Popen[bytes], timeout: float, role: str | None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"central exited with {proc.returncode}:\n{_tail(self.log)}")
            try:
                ready = self._answers(role)
            except OSError:
                ready = False
            if ready:
                return
            time.sleep(0.05)
        raise RuntimeError(f"central API not up{'' if role is None else ' as ' + role} after {timeout} s:\n"
                           f"{_tail(self.log)}")

    def _answers(self, role: str | None) -> bool:
        """Whether the API serves the site (``role`` ``None``) or says this central's role is ``role``."""
        if role is not None:
            return self.role() == role
        self.get("/api/v1/site")
        return True

    def role(self) -> str:
        """``leader`` or ``standby``, as its ``GET /api/v1/leadership`` answers (``OSError`` if it does not)."""
        return str(self.get("/api/v1/leadership")["role"])

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}{path}", timeout=5) as response:
            return json.loads(response.read())


class EdgeProcess(_ChildProcess):
    """``python -m xdock edge`` for one door, reading scanners at the given ports (e.g. pty links).

    :meth:`start` returns once the process runs; it is ready when its scanners answer (the caller's
    check, since an edge has no API). Its log goes to ``log``. ``password_file``: as for :class:`CentralProcess`;
    ``options``: more options of ``xdock edge`` (e.g. ``--reader ID=HOST:PORT``, ``--metrics-port``).
    """

    def __init__(
        self, site: str, edge_id: str, door: str, scanners: dict[str, Path], broker: BrokerUrl, state_dir: Path,
        *, sim_start: str | None = None, log_level: str = "WARNING", password_file: Path | None = None,
        options: Sequence[str] = (),
    ) -> None:
        self.edge_id = edge_id
        state_dir.mkdir(parents=True, exist_ok=True)
        self.log = state_dir / f"{edge_id}.log"
        self.args = [
            sys.executable, "-m", "xdock", "--log-level", log_level, "edge", "--site-id", site, "--edge-id", edge_id,
            "--door", door, "--broker", str(broker), "--state-dir", str(state_dir),
        ]
        for device_id, port in scanners.items():
            self.args += ["--scanner", f"{device_id}={port}"]
        if password_file is not None:
            self.args += ["--broker-password-file", str(password_file)]
        if sim_start is not None:
            self.args += ["--sim-start", sim_start]
        self.args += options
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def start(self) -> None:
        if self.proc is not None:
            raise RuntimeError(f"edge {self.edge_id} already running")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )

    def check_running(self) -> None:
        """Raise with the log's tail if the process has exited."""
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise RuntimeError(f"edge {self.edge_id} is not running (exit code {code}):\n{_tail(self.log)}")


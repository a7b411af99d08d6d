"""The live demo screen: log lines go to the work folder's file and the frame's Events box, never to stderr."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xdock.demo.runner import LOG_NAME, DemoOptions, run_demo

CLEAR = "\x1b[H\x1b[2J"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (WARNING|ERROR|CRITICAL) [\w.]+: (.*)$")
BOX_ROW = re.compile(r"^│ \d\d:\d\d:\d\d  (.*?) +│$")


def _shows(row: str, text: str) -> bool:
    """Whether a box row shows ``text`` (cut to the box with ``…`` when too long)."""
    return row == text or (row.endswith("…") and text.startswith(row[:-1]))


def test_a_live_run_logs_to_its_file_and_shows_the_warnings_in_the_frame(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    cli_handler = logging.StreamHandler(sys.stderr)  # as ``xdock``'s logging.basicConfig sets the root up
    root.addHandler(cli_handler)
    out = io.StringIO()
    try:
        asyncio.run(run_demo(DemoOptions(duration=9.0, speed=120.0, api_port=0, workdir=tmp_path, live=True,
                                         misload_chance=0.3), out))
    finally:
        root.removeHandler(cli_handler)
    assert capfd.readouterr().err == ""

    log_file = tmp_path / LOG_NAME
    text = out.getvalue()
    banner, *frames = text.split(CLEAR)
    assert banner.splitlines()[0].endswith(f", store {tmp_path / 'central.db'}, log {log_file}")
    assert len(frames) >= 10
    last = frames[-1].splitlines()
    assert f"full log: {log_file}" in last
    # The reefer of T-PARIS-2 fails 3 min in: its cold chain alert is logged, and shown in a frame.
    logged = [m.group(2) for line in log_file.read_text(encoding="utf-8").splitlines() if (m := LOG_LINE.match(line))]
    breach = [line for line in logged if line.startswith("alert ") and "cold chain breach: T-PARIS-2 at " in line]
    assert len(breach) == 1, logged
    shown = [m.group(1) for frame in frames for line in frame.splitlines() if (m := BOX_ROW.match(line))]
    assert any(_shows(row, breach[0]) for row in shown), shown
    # The last frame's box holds up to five warnings that follow one another in the file, oldest first (more
    # may come after the last redraw, while the demo stops).
    top = next(i for i, line in enumerate(last) if line.startswith("┌─ Events "))
    rows = [m.group(1) for line in last[top + 1:top + 6] if (m := BOX_ROW.match(line))]
    assert 1 <= len(rows) <= 5, last
    assert any(
        all(_shows(row, text) for row, text in zip(rows, logged[i:i + len(rows)], strict=True))
        for i in range(len(logged) - len(rows) + 1)
    ), (rows, logged)


def test_xdock_demo_on_a_terminal_writes_nothing_to_stderr() -> None:
    """``xdock demo`` with its stdout on a terminal (a pty): the live screen there, not a byte on stderr."""
    master, slave = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "xdock", "demo", "--duration", "6", "--speed", "120", "--api-port", "0",
         "--misload-chance", "0.3"],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE,
    ) as demo:
        os.close(slave)
        screen = bytearray()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # a guard against a hung demo, not a timing assert
            if not select.select([master], [], [], 1.0)[0]:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the demo ended: the terminal's other side is closed
                break
            if not chunk:
                break
            screen += chunk
        else:
            demo.kill()
        os.close(master)
        assert demo.stderr is not None
        err = demo.stderr.read()
        assert demo.wait(10) == 0
    text = screen.decode("utf-8", errors="replace")
    assert err == b""
    banner = re.search(r"^xdock demo: .*, store (\S+)/central\.db, log (\S+)\r?$", text, re.M)
    assert banner is not None, text[:500]
    assert banner.group(2) == f"{banner.group(1)}/{LOG_NAME}"
    assert CLEAR in text
    assert "┌─ Events " in text
    assert re.search(r"^RFID loads \d+  misloads \d+  STOP shown \d+  sensor readings \d+  ", text, re.M)

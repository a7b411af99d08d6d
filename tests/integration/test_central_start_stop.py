"""``xdock central`` in a terminal: its start line names the API port it bound, and Ctrl-C stops it cleanly.

The terminal sends Ctrl-C (SIGINT) to the whole process group, so the re-plan worker process gets it
too; it ignores it (central stops it), and nothing prints a traceback.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from support.waiting import eventually
from xdock.testing import free_port
from xdock.testing.stream_site import site_yaml

SITE = "ctrlc"


def site_of(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/site", timeout=5) as response:
        site: str = json.loads(response.read())["site"]
    return site


@pytest.mark.timeout(90)
async def test_ctrl_c_stops_central_and_its_replan_worker_without_a_traceback(tmp_path: Path) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text(site_yaml(SITE, 1, 10))
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    args = [
        sys.executable, "-m", "xdock", "--log-level", "INFO", "central", "--site", str(site_file),
        "--broker", f"mqtt://127.0.0.1:{free_port()}", "--db", str(tmp_path / "c.db"), "--api-port", "0",
        "--replan-interval", "0.2", "--replan-budget", "0.5",
    ]
    proc = await asyncio.to_thread(_start, args, out, err)
    try:
        await eventually(lambda: "xdock central:" in out.read_text(), 30, "the start line")
        start = out.read_text().splitlines()[0]
        found = re.fullmatch(
            rf"xdock central: site {SITE}, broker mqtt://127\.0\.0\.1:\d+, store {tmp_path / 'c.db'}, "
            r"API http://127\.0\.0\.1:(\d+)/api/v1", start,
        )
        assert found is not None, start
        port = int(found.group(1))
        assert port > 0
        # A round has run: the re-plan worker process is up (it stays up between rounds).
        await eventually(lambda: "xdock.central.planning.planning_loop: plan v" in err.read_text(), 60, "a re-plan")
        await eventually(lambda: _answers(port), 30, "the API on the announced port")
        assert await asyncio.to_thread(site_of, port) == SITE
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole group
        code = await asyncio.to_thread(proc.wait, 30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    logged = err.read_text()
    assert code == 0, logged
    assert "Traceback" not in logged
    assert "KeyboardInterrupt" not in logged


def _start(args: list[str], out: Path, err: Path) -> subprocess.Popen[bytes]:
    """``args`` in a process group of its own (as a terminal's foreground job), its output to files."""
    with out.open("wb") as stdout, err.open("wb") as stderr:
        return subprocess.Popen(args, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, start_new_session=True)


def _answers(port: int) -> bool:
    try:
        site_of(port)
    except OSError:
        return False
    return True

"""``xdock demo --duration 10`` on the embedded broker, as a newcomer runs it."""

from __future__ import annotations

import re
import subprocess
import sys


def test_demo_runs_for_its_duration_and_answers_every_scan() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xdock", "demo", "--duration", "10", "--api-port", "0", "--plain"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^xdock demo: broker mqtt://127\.0\.0\.1:\d+, 2 edge agents", out, re.M)
    assert re.search(r"^API: http://127\.0\.0\.1:\d+/api/v1/pallets$", out, re.M)
    summary = re.search(r"^scans (\d+)  assigned (\d+)  refused (\d+)  no answer (\d+)  ", out, re.M)
    assert summary is not None, out
    scans, assigned, refused, unanswered = map(int, summary.groups())
    assert scans >= 10
    assert assigned > 0
    assert refused > 0  # the stream holds damaged labels and destinations without a trailer
    assert unanswered == 0
    assert scans == assigned + refused
    assert "→ D1" in out
    assert "Traceback" not in result.stderr

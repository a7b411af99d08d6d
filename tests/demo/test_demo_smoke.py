"""``xdock demo --duration 10`` on the embedded broker, as a newcomer runs it: the demo scenario's first minutes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def test_demo_runs_for_its_duration_and_answers_every_scan(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "xdock", "demo", "--duration", "10", "--api-port", "0", "--plain",
         "--workdir", str(work)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^xdock demo: scenario demo \(seed 7\), broker mqtt://127\.0\.0\.1:\d+, 4 edge agents, "
                     r"RFID portals at D12, D13, "
                     r"5 MQTT sensor nodes, Modbus probe B1P, store ", out, re.M)
    assert re.search(r"^API: http://127\.0\.0\.1:\d+/api/v1/pallets$", out, re.M)
    summary = re.search(r"^scans (\d+)  assigned (\d+)  refused (\d+)  no answer (\d+)  ", out, re.M)
    assert summary is not None, out
    scans, assigned, refused, unanswered = map(int, summary.groups())
    assert scans >= 10
    assert assigned > 0  # a refused scan is a worker's slip (a product code, a damaged label) before the label
    assert unanswered == 0
    assert scans == assigned + refused
    assert "→ D1" in out  # sent to a trailer at an outbound door (D11 to D16)
    devices = re.search(r"^RFID loads (\d+)  misloads (\d+)  STOP shown (\d+)  sensor readings (\d+)  ", out, re.M)
    assert devices is not None, out
    _loads, misloads, stops, readings = map(int, devices.groups())
    assert stops <= misloads  # pallets loaded at D12/D13 go through the portal there, once the forklifts get there
    assert readings >= 12  # every sensor of the site file reports at start
    assert re.search(r"^departures \d+  on time \d+  late \d+  late pallets \d+  truck wait p90 ", out, re.M), out
    assert "Traceback" not in result.stderr
    assert (work / "central.db").is_file()  # --workdir keeps the store and the edges' state after the run
    assert (work / "edge-D1").is_dir()

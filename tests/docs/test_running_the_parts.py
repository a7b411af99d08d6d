"""docs/running-the-parts.md, run as a newcomer runs it: every command of its recipes, in its own process.

The commands are read from the document itself; only what must differ on a test machine is moved:
the broker (the test's own Mosquitto), ports (free ones), ``/tmp/`` (the test's folder) and the
``xdock`` command (this interpreter). A recipe edited in the document is what runs here.
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from xdock.testing import Mosquitto
from xdock.testing.servers import free_port

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "running-the-parts.md"
WAIT_S = 90.0
"""Generous: the condition is polled, so a fast machine does not wait for it."""

LYON = "376130321109103420"
PORTAL_PALLETS = ("037613032100000011", "037613032100000028", "037613032100000035")


def recipe_lines() -> list[str]:
    """The shell lines of the document's ``sh`` blocks, comments left out."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]


def table_rows() -> list[tuple[str, str]]:
    """(label, what the scanner shows) from the document's label table."""
    rows = re.findall(r"^\| `([^`]+)`[^|]*\| (good|error) beep, `([^`]+)`", DOC.read_text(encoding="utf-8"), re.M)
    return [(label, f"BEEP {beep}\nDISPLAY {display}") for label, beep, display in rows]


class Floor:
    """The recipes' processes, started from the document's lines with the test's broker and folder."""

    def __init__(self, tmp: Path, broker: Mosquitto) -> None:
        self.tmp = tmp
        self.api_port = free_port()
        self.reader_port = free_port()
        self.broker = broker
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        [self.start_line] = [line for line in recipe_lines() if line.startswith("START=")]

    def command(self, *words: str) -> str:
        """The document's one ``xdock`` line containing all ``words``, moved to this test's machine."""
        xdock = [line for line in recipe_lines() if line.startswith(".venv/bin/xdock")]
        [line] = [line for line in xdock if all(w in line for w in words)]
        # the document's own paths and ports first: what is put in next may hold "/tmp/" itself
        line = line.replace("/tmp/", f"{self.tmp}/").replace("5084", str(self.reader_port))
        line = line.replace(".venv/bin/xdock", f"{shlex.quote(sys.executable)} -m xdock")
        line = line.replace("mqtt://127.0.0.1:1883", f"mqtt://127.0.0.1:{self.broker.port}")
        line = line.replace("deploy/site.sample.yaml", shlex.quote(str(ROOT / "deploy" / "site.sample.yaml")))
        if " central " in line:
            line += f" --api-port {self.api_port}"
        if "mock sensor-node" in line:
            line += f" --broker mqtt://127.0.0.1:{self.broker.port}"
        return line

    def start(self, name: str, *words: str, stdin: bool = False) -> subprocess.Popen[bytes]:
        script = f"{self.start_line}\nexec {self.command(*words)}"
        proc = subprocess.Popen(
            ["bash", "-c", script], cwd=self.tmp, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=(self.tmp / f"{name}.out").open("wb"), stderr=(self.tmp / f"{name}.err").open("wb"),
        )
        self.procs[name] = proc
        return proc

    def output(self, name: str) -> str:
        return (self.tmp / f"{name}.out").read_text(encoding="utf-8", errors="replace")

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/api/v1{path}", timeout=10) as answer:
            return json.load(answer)

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not _holds(condition):
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    err = (self.tmp / f"{name}.err").read_text(errors="replace")
                    pytest.fail(f"{name} exited with {proc.returncode} while waiting for {what}:\n{err[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{what} not seen within {WAIT_S} s")
            time.sleep(0.1)

    def type_label(self, label: str) -> None:
        scanner = self.procs["scanner"]
        assert scanner.stdin is not None
        scanner.stdin.write(f"{label}\n".encode())
        scanner.stdin.flush()

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _holds(condition: Callable[[], bool]) -> bool:
    try:
        return condition()
    except (OSError, KeyError, ValueError):
        return False


@pytest.fixture
def floor(tmp_path: Path, mosquitto: Mosquitto) -> Iterator[Floor]:
    floor = Floor(tmp_path, mosquitto)
    try:
        yield floor
    finally:
        floor.stop()


def _device_online(floor: Floor, edge_id: str, device_id: str) -> bool:
    edges = {e["id"]: e for e in floor.api("/edges")}
    return any(d["id"] == device_id and d["online"] for d in edges[edge_id]["devices"])


@pytest.mark.timeout(600)
def test_the_recipes_run_as_written(floor: Floor) -> None:
    floor.start("central", "central")
    floor.wait(lambda: floor.api("/site")["site"] == "lyon-nord", "central's API")
    floor.start("scanner", "mock scanner", stdin=True)
    floor.wait(lambda: "scanner ready" in floor.output("scanner"), "the mock scanner")
    floor.start("edge-d1", "--edge-id edge-d1 ")
    floor.wait(lambda: _device_online(floor, "edge-d1", "s1"), "scanner s1 of edge-d1 online at central")

    rows = table_rows()
    assert [label for label, _ in rows] == [
        f"00{LYON}<GS>42069001", "00376130321109103437<GS>42006000", "00376130321109103421<GS>42069001",
    ]
    for label, shown in rows:
        floor.type_label(label)
        floor.wait(lambda shown=shown: shown in floor.output("scanner"), f"{shown!r} on the scanner")
    for sscc in PORTAL_PALLETS:
        floor.type_label(f"00{sscc}<GS>42069001")
        floor.wait(lambda sscc=sscc: floor.api(f"/pallets/{sscc}")["trailer"] == "T-LYON-1", f"{sscc} → T-LYON-1")

    floor.start("reader", "mock llrp-reader")
    floor.wait(lambda: "LLRP reader on" in floor.output("reader"), "the reader emulator listening")
    floor.start("edge-d12", "--edge-id edge-d12")

    def loaded() -> dict[str, tuple[str, str | None]]:
        return {p["sscc"]: (p["state"], p.get("confirmed_by")) for p in floor.api("/pallets?trailer=T-LYON-1")}

    floor.wait(lambda: all(loaded().get(s, ("",))[0] == "loaded" for s in PORTAL_PALLETS), "the portal's loads")
    assert loaded() == {**dict.fromkeys(PORTAL_PALLETS, ("loaded", "rfid")), LYON: ("assigned", None)}
    assert floor.api("/alerts?open=true") == []

    floor.start("sensor-node", "mock sensor-node")
    floor.start("probe", "mock modbus-sensor")
    floor.wait(lambda: "probe" in floor.output("probe"), "the Modbus probe's port")
    floor.start("edge-b1", "--edge-id edge-b1")

    def values() -> dict[str, float | None]:
        return {s["id"]: s.get("value") for s in floor.api("/sensors")}

    names = ("T-LYON-2-TEMP", "T-LYON-2-RH", "b1-temp", "b1-rh")
    floor.wait(lambda: all(values().get(n) is not None for n in names), "the four sensors' readings")
    assert 2.0 <= (values()["T-LYON-2-TEMP"] or 0) <= 4.0
    assert 3.5 <= (values()["b1-temp"] or 0) <= 5.5
    # Every reading is stamped on the site clock the recipe starts at 07:00, the sensor node's too.
    start = datetime.fromisoformat(subprocess.run(
        ["bash", "-c", f"{floor.start_line}\necho $START"], capture_output=True, text=True, check=True,
    ).stdout.strip())
    stamps = {s["id"]: datetime.fromisoformat(s["at"]) for s in floor.api("/sensors") if s["id"] in names}
    assert all(start <= at <= start + timedelta(hours=1) for at in stamps.values()), (start, stamps)

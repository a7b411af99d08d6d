"""``xdock mock llrp-reader``: a reader on a TCP port that the edge's LLRP driver reads, and its refusals."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from xdock.cli import main
from xdock.edge.devices.llrp_reader import LlrpReaderConfig, LlrpReaderDriver
from xdock.edge.tag_reads import TagRead
from xdock.protocol.clock import Clock, ScaledClock, SystemClock

PALLET_1 = "037613032100000011"
PALLET_2 = "037613032100000028"


async def _read_until(
    port: int, wanted: int, deadline_s: float, times: list[datetime] | None = None, clock: Clock | None = None,
) -> set[tuple[str, int]]:
    """The (SSCC, antenna) pairs read, once ``wanted`` of them were; each read's time goes to ``times``."""
    seen: set[tuple[str, int]] = set()
    done = asyncio.Event()

    def on_reads(reads: list[TagRead]) -> None:
        seen.update((r.sscc, r.antenna_id) for r in reads)
        if times is not None:
            times.extend(r.seen_at for r in reads)
        if len(seen) >= wanted:
            done.set()

    driver = LlrpReaderDriver(LlrpReaderConfig("127.0.0.1", port), clock=clock or SystemClock(), on_reads=on_reads)
    task = asyncio.create_task(driver.run())
    try:
        await asyncio.wait_for(done.wait(), deadline_s)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return seen


def test_the_edge_driver_reads_the_scripted_pallets() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "xdock", "mock", "llrp-reader", "--port", "0", "--pallets", "2", "--first", "0.5",
         "--every", "1", "--duration", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        banner = re.fullmatch(r"LLRP reader on 127\.0\.0\.1:(\d+): 4 antennas, 4 tag passes scripted\n", first)
        assert banner is not None, first
        seen = asyncio.run(_read_until(int(banner.group(1)), 4, 3.5))
        rest, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert seen == {(PALLET_1, 1), (PALLET_1, 2), (PALLET_2, 1), (PALLET_2, 2)}
    lines = rest.splitlines()
    client = re.fullmatch(r"client (127\.0\.0\.1:\d+) connected", lines[0])
    assert client is not None, rest
    assert lines[1:6] == [
        f"read 314D66B4B110000001000000  SSCC {PALLET_1}  antenna 2  -50 dBm",
        f"read 314D66B4B110000001000000  SSCC {PALLET_1}  antenna 1  -50 dBm",
        f"read 314D66B4B110000002000000  SSCC {PALLET_2}  antenna 2  -50 dBm",
        f"read 314D66B4B110000002000000  SSCC {PALLET_2}  antenna 1  -50 dBm",
        f"client {client.group(1)} disconnected",
    ]
    stopped = re.fullmatch(r"reader stopped: 1 connections, (\d+) reports", lines[6])
    assert stopped is not None, rest
    assert int(stopped.group(1)) >= 4
    assert len(lines) == 7


def test_on_a_site_clock_the_reads_and_the_passes_run_on_site_time() -> None:
    """At 20 times the wall clock, pallets 20 site seconds apart pass 1 s apart, and an edge on the same site
    clock sees their reads 20 s apart (not 20 times further, as on a reader running on the wall clock)."""
    start = datetime.fromisoformat("2026-11-23T06:00:00+00:00")
    with subprocess.Popen(
        [sys.executable, "-m", "xdock", "mock", "llrp-reader", "--port", "0", "--pallets", "2", "--first", "10",
         "--every", "20", "--duration", "4", "--sim-start", start.isoformat(), "--sim-speed", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        assert proc.stdout is not None
        banner = re.fullmatch(r"LLRP reader on 127\.0\.0\.1:(\d+): .*\n", proc.stdout.readline())
        assert banner is not None
        times: list[datetime] = []
        seen = asyncio.run(_read_until(int(banner.group(1)), 4, 3.5, times, ScaledClock(start, 20)))
        proc.communicate(timeout=10)
    assert seen == {(PALLET_1, 1), (PALLET_1, 2), (PALLET_2, 1), (PALLET_2, 2)}
    # reads on the edge's site clock: the first pallet 10 site seconds after the edge connected, the second 20 later
    assert start + timedelta(seconds=10) <= min(times) < start + timedelta(seconds=60)
    assert timedelta(seconds=20) <= max(times) - min(times) < timedelta(seconds=25)


def test_a_script_file_sets_the_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "tags.txt"
    script.write_text(f"# start end antenna tag rssi\n0 0.2 3 {PALLET_1} -70   # a cross-read\n", encoding="utf-8")
    assert main(["mock", "llrp-reader", "--port", "0", "--script", str(script), "--duration", "0.2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"LLRP reader on 127\.0\.0\.1:\d+: 4 antennas, 1 tag passes scripted", out[0])
    assert out[1:] == ["reader stopped: 0 connections, 0 reports"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--port", "70000"], "--port must be 0 to 65535, got 70000"),
        (["--antennas", "0"], "--antennas must be 1 to 65535, got 0"),
        (["--report-interval", "0"], "--report-interval must be positive, got 0.0"),
        (["--duration", "-1"], "--duration must be positive, got -1.0"),
        (["--every", "nan"], "--every must be positive, got nan"),
        (["--pallets", "-2"], "--pallets must be 0 to 100000, got -2"),
        (["--company-prefix", "12ab"], "--company-prefix must be 6 to 12 digits, got '12ab'"),
        (["--portal-antennas", "2/2"],
         "--portal-antennas must be OUTSIDE/INSIDE, two different antennas, e.g. 1/2; got '2/2'"),
        (["--portal-antennas", "1/5"], "--portal-antennas must be 1 to 4, got 5"),
        (["--sim-start", "2026-11-23T06:00:00+00:00", "--sim-speed", "0"], "--sim-speed must be positive, got 0.0"),
    ],
)
def test_bad_options_are_refused_naming_the_option(
    args: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", "llrp-reader", *args]) == 2
    assert capsys.readouterr().err == f"xdock: error: {error}\n"


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("1 2 3", "line 1: expected START_S END_S ANTENNA TAG [RSSI_DBM], got '1 2 3'"),
        ("a 2 1 037613032100000011", "line 1: START_S 'a' is not a number"),
        ("1 2 x 037613032100000011", "line 1: ANTENNA 'x' is not a whole number"),
        ("1 2 1 037613032100000011 loud", "line 1: RSSI_DBM 'loud' is not a whole number from -128 to 127"),
        ("2 1 1 037613032100000011", "line 1: TagPass end_s 1.0: expected at least start_s 2.0"),
        ("1 2 1 037613032100000012",
         "line 1: Invalid SSCC check digit for '037613032100000012': expected 1, got 2"),
        ("1 2 9 037613032100000011", "antennas [9] beyond --antennas 4"),
    ],
)
def test_a_bad_script_line_is_refused_naming_line_and_field(
    tmp_path: Path, line: str, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "tags.txt"
    script.write_text(line + "\n", encoding="utf-8")
    assert main(["mock", "llrp-reader", "--script", str(script)]) == 2
    assert capsys.readouterr().err == f"xdock: error: --script {script}: {error}\n"

"""``xdock mock modbus-sensor``: a probe on a pty that the edge's Modbus poller reads, and its refusals."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xdock.cli import main
from xdock.edge.devices.modbus_sensor import ModbusSensorConfig, ModbusSensorPoller
from xdock.protocol.clock import SystemClock
from xdock.protocol.modbus_probe import ProbeSample


async def _poll(link: Path, unit: int) -> list[ProbeSample | None]:
    config = ModbusSensorConfig(port=str(link), temperature_id="p-temp", humidity_id="p-rh", device_id=unit)
    poller = ModbusSensorPoller(config, SystemClock())
    try:
        assert await poller.connect()
        return [(await poller.poll_once()).sample for _ in range(2)]
    finally:
        poller.close()


def test_the_edge_poller_reads_the_probe_on_its_link(tmp_path: Path) -> None:
    link = tmp_path / "probe-s1"
    with subprocess.Popen(
        [sys.executable, "-m", "xdock", "mock", "modbus-sensor", "--link", str(link), "--unit", "3", "--temp", "5.5",
         "--rh", "41.2", "--duration", "2.5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        samples = asyncio.run(_poll(link, 3))
        rest, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert re.fullmatch(
        rf"Modbus RTU probe, unit 3, on /dev/pts/\d+ \(link {re.escape(str(link))}\): 5\.5 °C, 41\.2 %RH\n", first
    ), first
    assert samples == [ProbeSample(5.5, 41.2), ProbeSample(5.5, 41.2)]
    assert rest == "probe stopped: 2 replies\n"
    assert not link.exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--unit", "0"], "--unit must be 1 to 247, got 0"),
        (["--temp", "95"], "--temp must be -40 to 80, got 95"),
        (["--rh", "101"], "--rh must be 0 to 100, got 101"),
        (["--step", "0"], "--step must be positive, got 0.0"),
        (["--link", "/nonexistent-folder/probe"], "--link: folder /nonexistent-folder does not exist"),
    ],
)
def test_bad_options_are_refused_naming_the_option(
    args: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", "modbus-sensor", *args]) == 2
    assert capsys.readouterr().err == f"xdock: error: {error}\n"


def test_a_link_that_cannot_be_made_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "probe"
    taken.mkdir()
    assert main(["mock", "modbus-sensor", "--link", str(taken), "--duration", "1"]) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: --link: cannot open the probe's port at {taken}: Is a directory\n"
    )

"""Every ``xdock mock`` device has its help."""

from __future__ import annotations

import pytest

from xdock.cli import main


@pytest.mark.parametrize(
    ("device", "option"),
    [("llrp-reader", "--portal-antennas OUTSIDE/INSIDE"), ("sensor-node", "--drift CELSIUS_PER_MIN"),
     ("modbus-sensor", "--link LINK")],
)
def test_each_device_has_help(device: str, option: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["mock", device, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: xdock mock {device} ")
    assert option in out


def test_the_mock_command_lists_its_devices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["mock", "--help"])
    lines = capsys.readouterr().out.splitlines()
    devices = [line.split()[0] for line in lines if line.startswith("    ") and not line.startswith("     ")]
    assert devices == ["scanner", "llrp-reader", "sensor-node", "modbus-sensor"]

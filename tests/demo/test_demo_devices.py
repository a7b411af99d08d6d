"""A short demo run with its devices: RFID portals confirm loads and catch mis-loads, sensors reach central."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from xdock.cli import main
from xdock.demo.rfid import wrong_door_first
from xdock.demo.runner import DemoOptions, run_demo
from xdock.demo.screen import DeviceTally

SEED = 7
CHANCE = 0.3
NEIGHBOUR = {"D12": "D13", "D13": "D12"}
SENSORS = {
    "T-LYON-2-TEMP", "T-LYON-2-RH", "T-PARIS-2-TEMP", "T-PARIS-2-RH", "S2-TEMP", "S2-RH",
    "D12-DOOR", "D12-PRESENCE", "D13-DOOR", "D13-PRESENCE", "B1P-temp", "B1P-rh",
}


def _run(tmp_path: Path) -> tuple[str, DeviceTally]:
    out = io.StringIO()
    options = DemoOptions(duration=9.0, speed=120.0, seed=SEED, api_port=None, workdir=tmp_path, live=False,
                          misload_chance=CHANCE)
    log = asyncio.run(run_demo(options, out))
    assert log.devices is not None
    return out.getvalue(), log.devices


def test_portals_and_sensors_report_to_central(tmp_path: Path) -> None:
    out, devices = _run(tmp_path)
    assert out.startswith("xdock demo: scenario demo (seed 7), broker mqtt://127.0.0.1:")
    assert ", 4 edge agents, RFID portals at D12, D13, 5 MQTT sensor nodes, Modbus probe B1P, store " in out

    # RFID: every pallet central loaded at a portal door went through that door's portal; each load counted once.
    assert devices.rfid_loaded >= 1
    assert devices.rfid_loaded == len(devices.loaded_pallets)
    carried = dict(devices.carried)
    assert set(devices.loaded_pallets) <= set(carried)
    # Which pallets go through the wrong door first is the seed's choice, pallet by pallet.
    wrong = dict(devices.wrong_door)
    for sscc, door in carried.items():
        assert (wrong.get(sscc) == NEIGHBOUR[door]) == wrong_door_first(SEED, sscc, CHANCE)
    # A carried pallet that went through the wrong door first raised a mis-load there and a STOP on its display.
    misled = {sscc: door for sscc, door in carried.items() if sscc in wrong}
    assert misled, devices
    for sscc, door in misled.items():
        assert f"{sscc}@{NEIGHBOUR[door]}" in devices.misload_alerts, devices
        assert f"{NEIGHBOUR[door]}: STOP {NEIGHBOUR[door]} -> {door}" in devices.stop_texts
    assert set(devices.misload_alerts) <= {f"{sscc}@{door}" for sscc, door in wrong.items()}
    # Central counts a mis-load with its alert; the STOP reaches the display just after (the run may end between).
    assert devices.misloads == len(devices.misload_alerts)
    assert len(devices.stop_texts) <= devices.stops_shown <= devices.misloads

    # Sensors: every sensor of the site file was heard; the doors are open with their trailers there.
    latest = dict(devices.latest)
    assert set(latest) == SENSORS
    assert devices.sensor_readings >= len(SENSORS)
    assert (latest["D12-DOOR"], latest["D12-PRESENCE"]) == ("1 open", "1 present")
    assert (latest["D13-DOOR"], latest["D13-PRESENCE"]) == ("1 open", "1 present")
    assert (latest["B1P-temp"], latest["B1P-rh"]) == ("14.5 C", "55 %RH")
    # T-PARIS-2's reefer fails 3 min in: by 18 min of site time it is past 8 °C for longer than its grace.
    assert float(latest["T-PARIS-2-TEMP"].split()[0]) > 8.0
    assert devices.sensor_alerts == ("cold_chain_breach T-PARIS-2-TEMP",)
    summary = next(line for line in out.splitlines() if line.startswith("RFID loads "))
    assert summary == (
        f"RFID loads {devices.rfid_loaded}  misloads {devices.misloads}  STOP shown {devices.stops_shown}  "
        f"sensor readings {devices.sensor_readings}  sensor alerts 1: cold_chain_breach T-PARIS-2-TEMP"
    )


def test_without_devices_only_the_scanners_run(tmp_path: Path) -> None:
    out = io.StringIO()
    log = asyncio.run(run_demo(DemoOptions(duration=2.0, api_port=None, workdir=tmp_path, live=False,
                                           devices=False), out))
    assert log.devices is None
    assert ", 2 edge agents, no devices, store " in out.getvalue()
    assert "RFID loads" not in out.getvalue()


def test_a_bad_misload_chance_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--misload-chance", "1.5"]) == 2
    assert capsys.readouterr().err == "xdock: error: --misload-chance must be 0 to 1, got 1.5\n"


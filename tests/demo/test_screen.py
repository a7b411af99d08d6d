"""The demo's summary and frame with the devices' counts."""

from __future__ import annotations

from xdock.demo.screen import DemoLog, DeviceTally, render_summary


def _tally(alerts: tuple[str, ...] = ()) -> DeviceTally:
    return DeviceTally(
        rfid_loaded=12, misloads=2, stops_shown=1, sensor_readings=40, sensor_alerts=alerts,
        latest=(("D12-DOOR", "1 open"), ("S2-TEMP", "4.1 C")), stop_texts=("D13: STOP D13 -> D12",),
    )


def test_the_summary_has_a_devices_line_when_devices_run() -> None:
    log = DemoLog()
    assert render_summary(log) == "scans 0  assigned 0  refused 0  no answer 0  answer p50 0.0 ms  p99 0.0 ms"
    log.devices = _tally()
    assert render_summary(log).splitlines()[1] == (
        "RFID loads 12  misloads 2  STOP shown 1  sensor readings 40  sensor alerts 0"
    )
    log.devices = _tally(("cold_chain_breach T-PARIS-2-TEMP", "door_open_no_trailer D13"))
    assert render_summary(log).splitlines()[1] == (
        "RFID loads 12  misloads 2  STOP shown 1  sensor readings 40  "
        "sensor alerts 2: cold_chain_breach T-PARIS-2-TEMP, door_open_no_trailer D13"
    )

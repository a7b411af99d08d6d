from __future__ import annotations

from pathlib import Path

import pytest

from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.edge.sensor_probes import ModbusProbe
from xdock.protocol.broker_url import BrokerUrl


def test_scanner_spec() -> None:
    assert ScannerPort.parse("s1=/dev/ttyACM0") == ScannerPort("s1", "/dev/ttyACM0", 9600)
    assert ScannerPort.parse("s2=/dev/ttyUSB0@115200") == ScannerPort("s2", "/dev/ttyUSB0", 115200)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("/dev/ttyACM0", "Invalid scanner '/dev/ttyACM0': expected ID=PATH (e.g. s1=/dev/ttyACM0)"),
        ("s1=/dev/x@fast", "Invalid scanner 's1=/dev/x@fast': baud rate 'fast' is not a number"),
        ("s/1=/dev/x", "Invalid scanner device id 's/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ("s1=", "Scanner 's1': empty port path"),
    ],
)
def test_bad_scanner_spec(spec: str, message: str) -> None:
    with pytest.raises(ValueError) as err:  # noqa: PT011 - exact message below
        ScannerPort.parse(spec)
    assert str(err.value) == message


def config(**changes: object) -> EdgeConfig:
    fields: dict[str, object] = {
        "site": "lyon", "edge_id": "e1", "door": "D1", "broker": BrokerUrl("127.0.0.1"),
        "scanners": (ScannerPort("s1", "/dev/x"),), "state_dir": Path("state"),
    }
    fields.update(changes)
    return EdgeConfig(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scanners": ()}, "An edge needs at least one scanner (--scanner ID=PATH) or reader (--reader ID=HOST:PORT)"),
        ({"scanners": (ScannerPort("s1", "/a"), ScannerPort("s1", "/b"))}, "Scanner ids must be unique, got s1, s1"),
        ({"door": "D 1"}, "Invalid door id 'D 1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        ({"answer_timeout": 0}, "answer_timeout must be positive, got 0"),
        ({"heartbeat_s": -1.0}, "heartbeat_s must be positive, got -1.0"),
        ({"heartbeat_s": 7200.0}, "heartbeat_s must be at most 3600, got 7200.0"),
        ({"drain_rate": 0.0}, "drain_rate must be positive, got 0.0"),
        ({"window": 0}, "window must be at least 1, got 0"),
        ({"keep_sent": -1}, "keep_sent and keep_sent_s must not be negative, got -1, 3600.0"),
        ({"probes": (ModbusProbe("s1", "/dev/ttyUSB0"),)},
         "Scanner, reader and Modbus probe ids must be unique, got s1, s1"),
        ({"reader_clock_tolerance_s": -2.0},
         "reader_clock_tolerance_s must be a finite number of seconds >= 0, got -2.0"),
        ({"reader_silence_s": 0.5}, "reader_silence_s must be a finite number of seconds >= 1, got 0.5"),
        ({"reader_silence_s": float("inf")}, "reader_silence_s must be a finite number of seconds >= 1, got inf"),
    ],
)
def test_bad_config(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as err:  # noqa: PT011 - exact message below
        config(**changes)
    assert str(err.value) == message

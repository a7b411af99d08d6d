"""``xdock mock sensor-node`` against a real Mosquitto: what it prints is what the broker got."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiomqtt
import pytest

from xdock.cli import main
from xdock.protocol.messages import DeviceStatus, decode
from xdock.protocol.sensors import SensorReading
from xdock.testing import Mosquitto

NODE = ["mock", "sensor-node", "--site", "demo", "--node-id", "N1", "--target", "T-PARIS-2"]
STATUS = "xdock/v1/demo/edge/N1/device/N1/status"


async def _run_node(broker: Mosquitto, args: list[str]) -> tuple[str, list[SensorReading], DeviceStatus]:
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="test-watch") as watch:
        await watch.subscribe("xdock/v1/demo/edge/N1/sensor/+/reading", qos=1)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "xdock", *NODE, "--broker", f"mqtt://127.0.0.1:{broker.port}", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err.decode()
        readings: list[SensorReading] = []
        expected = out.decode().count(" C\n") + out.decode().count("%RH\n") + out.decode().count(" open\n") + (
            out.decode().count(" present\n"))
        async with asyncio.timeout(5):
            async for message in watch.messages:
                readings.append(decode(SensorReading, bytes(message.payload)))
                if len(readings) == expected:
                    break
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="test-status") as probe:
        await probe.subscribe(STATUS, qos=1)
        async with asyncio.timeout(5):
            message = await anext(aiter(probe.messages))
    return out.decode(), readings, decode(DeviceStatus, bytes(message.payload))


def test_the_node_publishes_its_profile_and_says_goodbye(mosquitto: Mosquitto, tmp_path: Path) -> None:
    out, readings, status = asyncio.run(_run_node(mosquitto, [
        "--kind", "temperature", "--kind", "humidity", "--kind", "door_contact", "--kind", "trailer_presence",
        "--sample", "0.25", "--count", "4", "--door-cycle", "0.5", "--drift", "6", "--seed", "1",
        "--seq-file", str(tmp_path / "n1.seq"),
    ]))
    assert out.splitlines() == [
        f"sensor node N1 on mqtt://127.0.0.1:{mosquitto.port}, site demo: T-PARIS-2-TEMP temperature, "
        "T-PARIS-2-RH humidity, T-PARIS-2-DOOR door_contact, T-PARIS-2-PRESENCE trailer_presence "
        f"(Last Will: offline on {STATUS})",
        "T-PARIS-2-TEMP temperature 3.9 C",
        "T-PARIS-2-RH humidity 60.0 %RH",
        "T-PARIS-2-DOOR door_contact 0 open",
        "T-PARIS-2-PRESENCE trailer_presence 1 present",
        "T-PARIS-2-TEMP temperature 4.2 C",
        "T-PARIS-2-RH humidity 60.1 %RH",
        "T-PARIS-2-DOOR door_contact 1 open",
        "T-PARIS-2-TEMP temperature 4.0 C",
        "T-PARIS-2-RH humidity 59.8 %RH",
        "node N1 stopped: 9 readings published",
    ]
    assert [(r.sensor_id, r.value, r.unit, r.edge_id) for r in readings] == [
        ("T-PARIS-2-TEMP", 3.9, "C", "N1"), ("T-PARIS-2-RH", 60.0, "%RH", "N1"),
        ("T-PARIS-2-DOOR", 0.0, "open", "N1"), ("T-PARIS-2-PRESENCE", 1.0, "present", "N1"),
        ("T-PARIS-2-TEMP", 4.2, "C", "N1"), ("T-PARIS-2-RH", 60.1, "%RH", "N1"),
        ("T-PARIS-2-DOOR", 1.0, "open", "N1"),
        ("T-PARIS-2-TEMP", 4.0, "C", "N1"), ("T-PARIS-2-RH", 59.8, "%RH", "N1"),
    ]
    assert [r.seq for r in readings] == list(range(1, 10))
    assert (status.device_kind, status.online, status.detail) == ("sensor_node", False, "shut down")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--sample", "0"], "--sample must be positive, got 0.0"),
        (["--noise", "-1"], "--noise must be 0 to 100, got -1"),
        (["--base-temp", "120"], "--base-temp must be -60 to 100, got 120"),
        (["--count", "0"], "--count must be 1 to 100000, got 0"),
        (["--door-cycle", "-5"], "--door-cycle must be 0 to 86400, got -5"),
        (["--target", "T 1"], "Invalid --target 'T 1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
        (["--broker-cert", "n1.pem", "--broker-key", "n1.key"],
         "--broker-cert n1.pem: the broker mqtt://127.0.0.1:1883 is not TLS; write mqtts://"),
    ],
)
def test_bad_options_are_refused_naming_the_option(
    args: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*NODE, *args]) == 2
    assert capsys.readouterr().err == f"xdock: error: {error}\n"


def test_an_unreachable_broker_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*NODE, "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--seq-file", str(tmp_path / "n.seq")]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "xdock: error: --broker: cannot reach mqtt://127.0.0.1:1: [Errno 111] Connection refused\n"
    )


def test_a_damaged_seq_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seq = tmp_path / "n.seq"
    seq.write_text("abc\n", encoding="ascii")
    assert main([*NODE, "--count", "1", "--seq-file", str(seq)]) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: --seq-file: seq file {seq}: expected a positive integer, got 'abc'\n"
    )

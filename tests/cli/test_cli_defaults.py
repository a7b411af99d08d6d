"""Every option a command leaves out takes the default of the configuration class it fills: one place each."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from xdock.central.config import DEFAULT_DB, CentralConfig
from xdock.central.site_file.config import load_site
from xdock.cli import build_parser, central_cmd, demo_cmd, edge_cmd
from xdock.demo.options import DemoOptions
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.llrp_reader_config import ReaderConfig
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.llrp import LLRP_PORT
from xdock.protocol.modbus_probe import DEFAULT_DEVICE_ID
from xdock.transport.broker import DEFAULT_LINK

SAMPLE_SITE = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
LOCAL = BrokerUrl("127.0.0.1")


@pytest.fixture(autouse=True)
def _no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDOCK_BROKER_PASSWORD", raising=False)


def differing(got: Any, expected: Any) -> dict[str, tuple[object, object]]:
    """The fields (by name) where ``got`` differs from ``expected``, with both values: a failure names the option."""
    return {
        f.name: (getattr(got, f.name), getattr(expected, f.name)) for f in dataclasses.fields(expected)
        if getattr(got, f.name) != getattr(expected, f.name)
    }


def test_xdock_edge_without_options_is_edge_config_with_its_defaults(tmp_path: Path) -> None:
    args = build_parser("edge").parse_args(
        ["edge", "--site-id", "s", "--edge-id", "e1", "--door", "D1", "--scanner", "s1=/dev/ttyACM0"]
    )
    expected = EdgeConfig(
        site="s", edge_id="e1", door="D1", broker=LOCAL, scanners=(ScannerPort("s1", "/dev/ttyACM0"),),
        state_dir=Path("xdock-edge-state"),
    )
    assert differing(edge_cmd.config_from(args), expected) == {}


def test_xdock_central_without_options_is_central_config_with_its_defaults() -> None:
    args = build_parser("central").parse_args(["central", "--site", str(SAMPLE_SITE)])
    config = central_cmd.config_from(args, args.site)
    assert differing(config, CentralConfig(site=load_site(SAMPLE_SITE), broker=LOCAL, db=DEFAULT_DB)) == {}
    assert config.broker_link == DEFAULT_LINK


def test_xdock_central_user_opens_the_same_store_as_central() -> None:
    args = build_parser("central").parse_args(["central", "user", "list"])
    assert args.user_db == DEFAULT_DB == build_parser("central").parse_args(["central"]).db


def test_xdock_demo_without_options_is_demo_options_with_its_defaults_but_centrals_port() -> None:
    args = build_parser("demo").parse_args(["demo"])
    # The command serves central's API where ``xdock central`` does; the options alone take any free port.
    assert differing(demo_cmd.options_from(args, live=True), DemoOptions(api_port=CentralConfig.api_port)) == {}


def test_the_mock_devices_take_their_defaults_from_the_devices_they_play() -> None:
    llrp = build_parser("mock").parse_args(["mock", "llrp-reader"])
    assert (llrp.port, llrp.antennas, llrp.report_interval) == (
        LLRP_PORT, ReaderConfig().antennas, ReaderConfig().report_interval_s
    )
    modbus = build_parser("mock").parse_args(["mock", "modbus-sensor"])
    assert modbus.unit == DEFAULT_DEVICE_ID
    node = build_parser("mock").parse_args(["mock", "sensor-node", "--site", "s", "--node-id", "n", "--target", "T"])
    assert (node.max_interval, node.deadband) == (NodeSensor.max_interval_s, NodeSensor.deadband)

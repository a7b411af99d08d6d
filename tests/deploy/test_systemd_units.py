"""The systemd units of ``deploy/systemd/``: systemd accepts them, and their command lines are ones ``xdock`` takes.

``systemd-analyze verify`` loads each unit as systemd would and refuses an unknown setting, a bad value or
an ``ExecStart=`` program that does not exist. xdock is not installed under ``/opt/xdock`` on a test machine,
so each unit is verified from a copy in a temporary folder whose ``ExecStart=`` program is a stub script
there; every other line is the unit's own. The template is verified as an instance (``edge-D1``).

The command line is then expanded as systemd expands it (specifiers, the example environment file's
variables) and parsed by ``xdock``'s own argparse parser: an option the CLI does not have, or a value it
refuses, fails here rather than at a site's first start.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from support.systemd_units import STATE_ROOT, SYSTEMD_DIR, Unit, read_environment_file
from xdock.cli import build_parser
from xdock.cli.unknown_options import unknown_option
from xdock.edge.config import ScannerPort
from xdock.edge.portals import PortalReader
from xdock.edge.sensor_probes import ModbusProbe
from xdock.protocol.broker_url import BrokerUrl

PROGRAM = "/opt/xdock/venv/bin/xdock"
"""Where docs/deploying.md installs xdock, the program of every unit's ``ExecStart=``."""

CENTRAL = Unit.read(SYSTEMD_DIR / "xdock-central.service")
EDGE = Unit.read(SYSTEMD_DIR / "xdock-edge@.service", name="xdock-edge@edge-D1.service")
CENTRAL_ENV = read_environment_file(SYSTEMD_DIR / "central.env.example")
EDGE_ENV = read_environment_file(SYSTEMD_DIR / "edge.env.example")


def analyzer() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze not found: `./dev test` installs it (Debian package systemd)")
    return found


@pytest.mark.parametrize(("source", "installed_as"), [
    ("xdock-central.service", "xdock-central.service"),
    ("xdock-edge@.service", "xdock-edge@edge-D1.service"),
])
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path, source: str, installed_as: str) -> None:
    stub = tmp_path / "xdock"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    text = (SYSTEMD_DIR / source).read_text(encoding="utf-8")
    assert text.count(f"ExecStart={PROGRAM} ") == 1
    unit = tmp_path / installed_as
    unit.write_text(text.replace(f"ExecStart={PROGRAM} ", f"ExecStart={stub} "))

    result = subprocess.run(
        [analyzer(), "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60, check=False,
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_verify_refuses_the_unit_when_its_program_is_missing(tmp_path: Path) -> None:
    """The check above has teeth: the same unit with its real, absent program fails verification."""
    unit = tmp_path / "xdock-central.service"
    shutil.copy(SYSTEMD_DIR / "xdock-central.service", unit)

    result = subprocess.run(
        [analyzer(), "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60, check=False,
    )

    assert result.returncode == 1
    assert f"Command {PROGRAM} is not executable: No such file or directory" in result.stderr


def parse(unit: Unit, environment: dict[str, str]) -> tuple[str, argparse.Namespace]:
    """The unit's command as systemd runs it, parsed by ``xdock``'s parser: (the subcommand, its options)."""
    argv = unit.exec_start(environment)
    assert argv[0] == PROGRAM
    command = next(word for word in argv if word in {"central", "edge"})
    parser = build_parser(command)
    assert unknown_option(parser, argv[1:]) is None
    return command, parser.parse_args(argv[1:])


def test_every_variable_of_the_units_is_in_its_example_environment_file_and_no_other() -> None:
    assert CENTRAL.exec_start_variables() == set(CENTRAL_ENV)
    assert EDGE.exec_start_variables() == set(EDGE_ENV)


def test_central_command_line_is_one_xdock_central_takes() -> None:
    command, args = parse(CENTRAL, CENTRAL_ENV)

    assert command == "central"
    assert args.log_level == "INFO"
    assert args.site == Path("/etc/xdock/site.yaml")
    assert args.broker == BrokerUrl("127.0.0.1", 1883, username="central")
    assert args.broker_password_file == Path("/run/credentials/xdock-central.service/broker-password")
    assert args.db == Path("/var/lib/xdock/central/central.db")
    assert (args.api_host, args.api_port) == ("0.0.0.0", 8080)
    assert (args.replan_interval, args.replan_budget) == (30.0, 2.0)
    assert args.sim_start is None


def test_edge_command_line_is_one_xdock_edge_takes_with_the_instance_as_edge_id() -> None:
    command, args = parse(EDGE, EDGE_ENV)

    assert command == "edge"
    assert (args.site_id, args.edge_id, args.door) == ("lyon-nord", "edge-D1", "D1")
    assert args.broker == BrokerUrl("broker.dock", 1883, username="edge-D1")
    assert args.broker_password_file == Path("/run/credentials/xdock-edge@edge-D1.service/broker-password")
    assert args.state_dir == Path("/var/lib/xdock/edge-edge-D1")
    assert args.scanner == [ScannerPort.parse("s1=/dev/ttyACM0")]
    assert args.reader == [PortalReader.parse("r1=192.0.2.21:5084@D1")]
    assert args.modbus == [ModbusProbe.parse("b1=/dev/ttyUSB0@1")]
    assert (args.answer_timeout, args.heartbeat) == (3.0, 5.0)
    assert (args.metrics_port, args.metrics_host, args.log_format) == (9101, "192.0.2.11", "json")


@pytest.mark.parametrize(("unit", "environment", "path_option"), [
    (CENTRAL, CENTRAL_ENV, "db"),
    (EDGE, EDGE_ENV, "state_dir"),
])
def test_the_store_is_in_the_units_own_state_directory(
    unit: Unit, environment: dict[str, str], path_option: str
) -> None:
    """The one writable place under ``ProtectSystem=strict`` is the ``StateDirectory=`` systemd makes the user's."""
    _, args = parse(unit, environment)
    state = Path(STATE_ROOT) / unit.specifiers(unit.value("Service", "StateDirectory"))

    assert Path(getattr(args, path_option)).is_relative_to(state)
    assert unit.value("Service", "ProtectSystem") == "strict"
    assert unit.values("Service", "ReadWritePaths") == []


@pytest.mark.parametrize(("unit", "environment", "secret"), [
    (CENTRAL, CENTRAL_ENV, "/etc/xdock/central.secret"),
    (EDGE, EDGE_ENV, "/etc/xdock/edge-D1.secret"),
])
def test_the_broker_password_comes_from_the_units_credential(
    unit: Unit, environment: dict[str, str], secret: str
) -> None:
    _, args = parse(unit, environment)

    assert unit.specifiers(unit.value("Service", "LoadCredential")) == f"broker-password:{secret}"
    assert args.broker_password_file == Path(f"/run/credentials/{unit.name}/broker-password")


@pytest.mark.parametrize("unit", [CENTRAL, EDGE])
def test_the_unit_runs_as_the_xdock_user_hardened_and_restarts_on_failure(unit: Unit) -> None:
    settings = {key: unit.value("Service", key) for key in (
        "User", "Restart", "RestartPreventExitStatus", "NoNewPrivileges", "ProtectHome", "PrivateTmp",
        "CapabilityBoundingSet",
    )}

    assert settings == {
        "User": "xdock", "Restart": "on-failure", "RestartPreventExitStatus": "2", "NoNewPrivileges": "yes",
        "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "",
    }
    assert unit.values("Service", "SystemCallFilter") == ["@system-service", "~@privileged @resources"]


def test_only_the_edge_reaches_serial_devices() -> None:
    assert EDGE.value("Service", "SupplementaryGroups") == "dialout"
    assert EDGE.value("Service", "DevicePolicy") == "closed"
    assert EDGE.values("Service", "DeviceAllow") == ["char-ttyACM rw", "char-ttyUSB rw", "char-ttyS rw"]
    assert CENTRAL.value("Service", "PrivateDevices") == "yes"
    assert CENTRAL.values("Service", "SupplementaryGroups") == []


def test_systemd_sysusers_makes_the_user_the_units_run_as(tmp_path: Path) -> None:
    """``xdock.sysusers.conf`` is read by ``systemd-sysusers`` itself, on an empty root in dry-run mode."""
    sysusers = shutil.which("systemd-sysusers")
    assert sysusers is not None, "systemd-sysusers not found: `./dev test` installs it (Debian package systemd)"
    (tmp_path / "etc").mkdir()

    result = subprocess.run(
        [sysusers, f"--root={tmp_path}", "--dry-run", str(SYSTEMD_DIR / "xdock.sysusers.conf")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    said = (result.stdout + result.stderr).splitlines()

    assert result.returncode == 0
    created = [line for line in said if line.startswith("Creating user")]
    # The UID is the highest free system UID of the empty root, systemd's choice: not checked.
    assert [line.partition(" with UID ")[0] for line in created] == [
        "Creating user 'xdock' (xdock cross-dock services)"
    ]
    assert {CENTRAL.value("Service", "User"), EDGE.value("Service", "User")} == {"xdock"}


def test_the_commented_postgresql_options_run_a_central_on_the_shared_store() -> None:
    commented = [line.removeprefix("# ") for line in (SYSTEMD_DIR / "central.env.example").read_text().splitlines()
                 if line.startswith("# XDOCK_CENTRAL_OPTIONS=--db postgresql://")]
    assert len(commented) == 1
    options = commented[0].split("=", 1)[1]
    _, args = parse(CENTRAL, {**CENTRAL_ENV, "XDOCK_CENTRAL_OPTIONS": options})

    assert args.db == "postgresql://xdock@db.site.lan/xdock"  # the later --db replaces the unit's file
    assert args.db_password_file == Path("/run/credentials/xdock-central.service/db-password")
    assert (args.central_id, args.advertise_api) == ("central-a", "http://central-a.site.lan:8080")
    assert "RestartPreventExitStatus=2" in (SYSTEMD_DIR / "xdock-central.service").read_text()

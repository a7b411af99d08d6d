from __future__ import annotations

import socket
from pathlib import Path

import pytest

from xdock.cli import build_parser, main
from xdock.cli._common import broker_with_password
from xdock.cli.edge_cmd import config_from, devices_line
from xdock.protocol.broker_url import BrokerUrl

SAMPLE_SITE = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        ([], "usage: xdock"),
        (["central"], "usage: xdock central"),
        (["edge"], "usage: xdock edge"),
        (["demo"], "usage: xdock demo"),
        (["mock", "scanner"], "usage: xdock mock scanner"),
    ],
)
def test_every_command_has_help(argv: list[str], expect: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(expect)


def test_optimise_cdap_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["optimise", "cdap", "--help"])
    assert done.value.code == 0
    assert "--time-limit" in capsys.readouterr().out


def test_central_refuses_a_bad_site_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("site: x\ndoors: []\n")
    assert main(["central", "--site", str(site), "--no-api"]) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: {site}: doors: List should have at least 1 item after validation, not 0\n"
    )


def test_bad_broker_url_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["central", "--site", "x.yaml", "--broker", "http://b"])
    assert done.value.code == 2
    assert "argument --broker: Invalid broker URL 'http://b': expected scheme mqtt:// or mqtts://, got 'http'" in (
        capsys.readouterr().err
    )


def test_edge_refuses_a_bad_scanner(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["edge", "--site-id", "s", "--edge-id", "e", "--door", "D1", "--scanner", "/dev/ttyACM0"])
    assert done.value.code == 2
    assert "argument --scanner: Invalid scanner '/dev/ttyACM0': expected ID=PATH" in capsys.readouterr().err


def test_demo_refuses_a_negative_duration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--duration", "-1"]) == 2
    assert capsys.readouterr().err == "xdock: error: --duration must be positive, got -1.0\n"


def test_demo_refuses_a_workdir_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "central.db").write_bytes(b"")
    assert main(["demo", "--workdir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: --workdir {tmp_path}: not empty; give a new or empty folder (a demo starts from a fresh "
        "store)\n"
    )
    assert main(["demo", "--workdir", str(tmp_path / "central.db")]) == 2
    assert capsys.readouterr().err == f"xdock: error: --workdir {tmp_path / 'central.db'}: not a folder\n"


def test_sim_start_needs_an_offset(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["central", "--site", "x.yaml", "--sim-start", "2026-11-23T06:00:00"])
    assert "invalid instant '2026-11-23T06:00:00': give a UTC offset, e.g. +01:00" in capsys.readouterr().err


def test_broker_password_comes_from_a_file_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = BrokerUrl.parse("mqtt://edge-d1@127.0.0.1:1883")
    monkeypatch.delenv("XDOCK_BROKER_PASSWORD", raising=False)
    assert broker_with_password(broker, None) == broker
    monkeypatch.setenv("XDOCK_BROKER_PASSWORD", "from-env")
    assert broker_with_password(broker, None).password == "from-env"
    secret = tmp_path / "edge-d1.password"
    secret.write_text("from-file\n", encoding="utf-8")
    withpw = broker_with_password(broker, secret)
    assert (withpw.username, withpw.password, withpw.port) == ("edge-d1", "from-file", 1883)


@pytest.mark.parametrize("command", ["central", "edge"])
def test_central_and_edge_take_a_broker_password_file(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--broker-password-file" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["central", "--sitee", "site.yaml"], "xdock central: error: unknown option --sitee (did you mean --site?)"),
        (["edge", "--site-id", "s", "--scaner", "s1=/dev/x"],
         "xdock edge: error: unknown option --scaner (did you mean --scanner?)"),
        (["central", "user", "list", "--bogus"],
         "xdock central user list: error: unknown option --bogus; see xdock central user list --help"),
        (["demo", "--api-port=0", "--speeed", "3"],
         "xdock demo: error: unknown option --speeed (did you mean --speed?)"),
    ],
)
def test_an_unknown_option_is_named(argv: list[str], expect: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == expect


def test_option_values_and_unique_prefixes_are_not_unknown_options(capsys: pytest.CaptureFixture[str]) -> None:
    # "--duration -1" is a value, not an option; "--misload" is the unique prefix of --misload-chance
    assert main(["demo", "--duration", "-1", "--misload", "0.2"]) == 2
    assert capsys.readouterr().err == "xdock: error: --duration must be positive, got -1.0\n"


@pytest.mark.parametrize("command", ["central", "demo"])
def test_an_api_port_in_use_is_one_line(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = {
            "central": ["central", "--site", str(SAMPLE_SITE), "--db", str(tmp_path / "c.db")],
            "demo": ["demo", "--plain", "--duration", "5", "--no-devices"],
        }[command]
        assert main([*argv, "--api-port", str(port)]) == 2
    hint = " or --no-api" if command == "central" else ""
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"xdock: error: cannot serve the API on 127.0.0.1:{port}: port in use; "
        f"choose another with --api-port (0 for any free port){hint}"
    )


def test_the_edge_start_line_names_each_kind_of_device() -> None:
    base = ["edge", "--site-id", "s", "--edge-id", "e", "--door", "D12"]
    probes_only = config_from(build_parser().parse_args([*base, "--modbus", "b1=/tmp/probe-b1@3"]))
    assert devices_line(probes_only) == "Modbus probe b1=/tmp/probe-b1@3"
    mixed = config_from(build_parser().parse_args([
        *base, "--scanner", "s1=/tmp/scanner-d1", "--reader", "r1=127.0.0.1:5084", "--reader", "r2=127.0.0.1:5085@D13",
    ]))
    assert devices_line(mixed) == "scanner s1=/tmp/scanner-d1; readers r1=127.0.0.1:5084@D12, r2=127.0.0.1:5085@D13"

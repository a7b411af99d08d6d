"""The broker link's options of ``xdock central`` and ``xdock edge``: password, CA file, MQTT version."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.certs import LocalCa
from xdock.cli import build_parser, main
from xdock.cli.edge_cmd import config_from
from xdock.transport.broker import BrokerLink, MqttVersion

EDGE = ["edge", "--site-id", "s", "--edge-id", "e1", "--door", "D1", "--scanner", "s1=/dev/null"]


@pytest.mark.parametrize("command", [["central", "--site", "x.yaml"], EDGE])
def test_a_password_in_the_broker_url_is_refused(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--broker", "mqtt://edge-d1:s3cret@127.0.0.1:1883"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "error: argument --broker: Invalid broker URL mqtt://edge-d1@127.0.0.1:1883: no password in the URL (every "
        "user of the machine can read a command line); give it with --broker-password-file or "
        "$XDOCK_BROKER_PASSWORD\n"
    )
    assert "s3cret" not in err


def test_the_edge_speaks_mqtt_5_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDOCK_BROKER_PASSWORD", raising=False)
    assert config_from(build_parser().parse_args(EDGE)).broker_link == BrokerLink(MqttVersion.V5, None)
    older = config_from(build_parser().parse_args([*EDGE, "--mqtt-version", "3.1.1"]))
    assert older.broker_link == BrokerLink(MqttVersion.V311, None)


def test_an_unknown_mqtt_version_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*EDGE, "--mqtt-version", "4"])
    assert done.value.code == 2
    assert "argument --mqtt-version: invalid MqttVersion value: '4'" in capsys.readouterr().err


def test_the_edge_takes_the_password_from_the_environment_and_the_ca_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority = LocalCa(tmp_path / "ca")
    monkeypatch.setenv("XDOCK_BROKER_PASSWORD", "from-env")
    config = config_from(build_parser().parse_args(
        [*EDGE, "--broker", "mqtts://edge-d1@broker.example", "--broker-ca", str(authority.pem)]
    ))
    assert (str(config.broker), config.broker.password) == ("mqtts://edge-d1@broker.example:8883", "from-env")
    assert config.broker_link == BrokerLink(MqttVersion.V5, authority.pem)


@pytest.mark.parametrize("command", [["central", "--site", "SITE", "--no-api"], EDGE])
def test_a_ca_file_that_does_not_load_is_refused_naming_the_option(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
    argv = [str(site) if arg == "SITE" else arg for arg in command]
    missing, junk = tmp_path / "missing.pem", tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    assert main([*argv, "--broker", "mqtts://127.0.0.1", "--broker-ca", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: --broker-ca {missing}: not a readable PEM file of CA certificates (No such file or directory)\n"
    )
    assert main([*argv, "--broker", "mqtts://127.0.0.1", "--broker-ca", str(junk)]) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: --broker-ca {junk}: not a readable PEM file of CA certificates (no certificate in it)\n"
    )
    assert main([*argv, "--broker", "mqtt://127.0.0.1", "--broker-ca", str(junk)]) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: --broker-ca {junk}: the broker mqtt://127.0.0.1:1883 is not TLS; write mqtts://\n"
    )


NODE = ["mock", "sensor-node", "--site", "demo", "--node-id", "N1", "--target", "T-PARIS-2"]
PASSWORD_COMMANDS = [
    pytest.param(["central", "--site", "SITE", "--no-api"], id="central"), pytest.param(EDGE, id="edge"),
    pytest.param(NODE, id="sensor-node"),
]


@pytest.mark.parametrize("command", PASSWORD_COMMANDS)
def test_a_missing_password_file_is_refused_naming_the_option(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
    argv = [str(site) if arg == "SITE" else arg for arg in command]
    missing = tmp_path / "nofile"
    assert main([*argv, "--broker", "mqtt://edge-d1@127.0.0.1:1", "--broker-password-file", str(missing)]) == 2
    assert capsys.readouterr().err == f"xdock: error: --broker-password-file {missing}: no such file\n"


@pytest.mark.parametrize("command", PASSWORD_COMMANDS)
def test_a_password_file_without_a_user_in_the_broker_url_is_refused_naming_both_options(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
    argv = [str(site) if arg == "SITE" else arg for arg in command]
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    assert main([*argv, "--broker", "mqtt://127.0.0.1:1", "--broker-password-file", str(secret)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"xdock: error: --broker-password-file {secret}: the --broker URL mqtt://127.0.0.1:1 names no user to log "
        "in as; write mqtt://USER@host:port\n"
    )
    assert "s3cret" not in err

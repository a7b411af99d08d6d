"""``xdock broker-config --tls``: what it prints, and the TLS options it refuses, naming them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from xdock.cli import main


def run(out: Path, *extra: str) -> int:
    return main(["broker-config", "--site", "lyon-nord", "--edge", "edge-D1", "--out", str(out),
                 "--persistence-dir", str(out.parent / "state"), *extra])


def test_prints_who_got_a_certificate_and_where_the_files_are(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "broker"
    assert run(out, "--tls", "--tls-port", "8884", "--tls-bind", "0.0.0.0", "--tls-host", "broker.dock") == 0
    assert capsys.readouterr().out == (
        f"xdock broker-config: site lyon-nord, 2 users in {out}\n"
        "  new password: central, edge-D1\n"
        "  new certificate: central, edge-D1\n"
        f"  TLS listener 0.0.0.0:8884; each user's certificate and key in {out}/tls/clients, the CA for --broker-ca "
        f"in {out}/tls/ca.pem\n"
        f"  start the broker with: mosquitto -c {out}/mosquitto.conf\n"
    )
    assert run(out, "--tls", "--edge", "edge-D2") == 0
    assert capsys.readouterr().out.splitlines()[1:5] == [
        "  new password: edge-D2", "  password kept: central, edge-D1", "  new certificate: edge-D2",
        "  certificate kept: central, edge-D1",
    ]


@pytest.mark.parametrize(("extra", "message"), [
    (["--tls-host", "broker.dock"], "--tls-host: only with --tls"),
    (["--tls-ca-cert", "ca.pem", "--tls-ca-key", "ca.key"], "--tls-ca-cert: only with --tls"),
    (["--tls", "--tls-ca-cert", "ca.pem"], "--tls-ca-cert: give --tls-ca-key too"),
    (["--tls", "--tls-server-key", "broker.key"], "--tls-server-key: give --tls-server-cert too"),
    (["--tls", "--tls-days", "0"], "Invalid --tls-days 0: expected 1-36500 days"),
    (["--tls", "--tls-ca-days", "40000"], "Invalid --tls-ca-days 40000: expected 1-36500 days"),
    (["--tls", "--tls-host", "broker dock"], "Invalid --tls-host 'broker dock': expected a host name or an IP address"),
    (["--tls", "--tls-port", "1883"], "Invalid --tls-port 1883: the plain listener (--port) already uses it"),
])
def test_bad_tls_input_is_refused_naming_the_option_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert run(tmp_path / "broker", *extra) == 2
    assert capsys.readouterr().err == f"xdock: error: {message}\n"
    assert not (tmp_path / "broker").exists()


def test_a_given_ca_file_that_does_not_load_is_refused_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "ca.pem"
    assert run(tmp_path / "broker", "--tls", "--tls-ca-cert", str(missing), "--tls-ca-key", str(missing)) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: Invalid --tls-ca-cert certificate {missing}: No such file or directory\n"
    )
    assert not (tmp_path / "broker").exists()


def test_without_the_tls_extra_the_command_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "cryptography" else find_spec(name, *a))
    assert run(tmp_path / "broker", "--tls") == 2
    assert capsys.readouterr().err == (
        "xdock: error: --tls: needs the tls extra: pip install 'xdock[tls]' (not installed: cryptography)\n"
    )

"""``--broker-cert`` and ``--broker-key`` of ``xdock central``, ``xdock edge`` and ``xdock mock sensor-node``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from xdock.broker_config.certs import issue_client, new_ca
from xdock.cli import build_parser, main
from xdock.cli.edge_cmd import config_from
from xdock.transport.broker import BrokerLink, MqttVersion

SITE = Path(__file__).parents[2] / "deploy" / "site.sample.yaml"
EDGE = ["edge", "--site-id", "s", "--edge-id", "edge-D1", "--door", "D1", "--scanner", "s1=/dev/null"]
NODE = ["mock", "sensor-node", "--site", "demo", "--node-id", "edge-D1", "--target", "T-PARIS-2"]
COMMANDS = [
    pytest.param(["central", "--site", str(SITE), "--no-api"], id="central"), pytest.param(EDGE, id="edge"),
    pytest.param(NODE, id="sensor-node"),
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The site CA's certificate, and edge-D1's certificate and key."""
    now = datetime.now(UTC)
    ca = new_ca("s", now, now + timedelta(days=1))
    issued = issue_client(ca, "edge-D1", now, now + timedelta(days=1))
    paths = tmp_path / "ca.pem", tmp_path / "edge-D1.pem", tmp_path / "edge-D1.key"
    for path, pem in zip(paths, (ca.cert_pem(), issued.cert_pem(), issued.key_pem()), strict=True):
        path.write_bytes(pem)
    return paths


def test_the_user_is_the_certificates_cn(files: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cert, key = files
    monkeypatch.delenv("XDOCK_BROKER_PASSWORD", raising=False)
    for url in ("mqtts://broker.dock", "mqtts://edge-D1@broker.dock"):
        config = config_from(build_parser().parse_args(
            [*EDGE, "--broker", url, "--broker-ca", str(ca), "--broker-cert", str(cert), "--broker-key", str(key)]
        ))
        assert (str(config.broker), config.broker.password) == ("mqtts://edge-D1@broker.dock:8883", None)
        assert config.broker_link == BrokerLink(MqttVersion.V5, ca, cert, key)


def test_a_password_file_is_still_read_beside_a_certificate(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """As the systemd units always pass one: the broker's certificate listener ignores it."""
    ca, cert, key = files
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    config = config_from(build_parser().parse_args(
        [*EDGE, "--broker", "mqtts://broker.dock", "--broker-ca", str(ca), "--broker-cert", str(cert),
         "--broker-key", str(key), "--broker-password-file", str(secret)]
    ))
    assert (str(config.broker), config.broker.password) == ("mqtts://edge-D1@broker.dock:8883", "s3cret")


@pytest.mark.parametrize("command", COMMANDS)
def test_bad_client_certificate_options_are_refused_naming_them(
    command: list[str], files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ca, cert, key = files
    missing = tmp_path / "missing.pem"
    cases = {
        ("mqtts://127.0.0.1", "--broker-cert", str(cert)): f"--broker-cert {cert}: give --broker-key too",
        ("mqtts://127.0.0.1", "--broker-key", str(key)): f"--broker-key {key}: give --broker-cert too",
        ("mqtt://127.0.0.1", "--broker-cert", str(cert), "--broker-key", str(key)):
            f"--broker-cert {cert}: the broker mqtt://127.0.0.1:1883 is not TLS; write mqtts://",
        ("mqtts://127.0.0.1", "--broker-cert", str(missing), "--broker-key", str(key)):
            f"--broker-cert {missing}: cannot be read (No such file or directory)",
        ("mqtts://127.0.0.1", "--broker-cert", str(cert), "--broker-key", str(cert)):
            f"--broker-key {cert}: not a PEM private key without pass phrase",
        ("mqtts://edge-D2@127.0.0.1", "--broker-cert", str(cert), "--broker-key", str(key)):
            f"--broker-cert {cert}: its CN is 'edge-D1', not the user 'edge-D2' of --broker "
            "mqtts://edge-D2@127.0.0.1:8883; the broker logs this client in as 'edge-D1'",
        ("mqtts://127.0.0.1", "--broker-cert", str(cert), "--broker-key", str(key),
         "--broker-password-file", str(missing)): f"--broker-password-file {missing}: no such file",
    }
    found = {}
    for url, *options in cases:
        assert main([*command, "--broker", url, "--broker-ca", str(ca), *options]) == 2
        found[url, *options] = capsys.readouterr().err
    assert found == {args: f"xdock: error: {message}\n" for args, message in cases.items()}

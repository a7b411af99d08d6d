"""``mqtts://`` is TLS: edge and central against a Mosquitto TLS listener with a certificate the test makes.

The listener speaks TLS only (a plain client cannot even log in), so a scan that reaches central
and comes back answered went through TLS both ways. A client given the wrong CA, or a broker whose
certificate names another host, fails with one error line naming the broker and the TLS reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.certs import LocalCa
from support.inproc_central import running_central
from support.scans import scan as scan_event
from support.sites import site_yaml
from support.uplink_answers import Answers
from support.waiting import eventually
from xdock.central.app import CentralConfig
from xdock.central.site_file.config import load_site
from xdock.cli import main
from xdock.edge.outbox import Outbox
from xdock.edge.uplink import Uplink, UplinkOptions
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import ScaledClock
from xdock.protocol.messages import Assignment, encode
from xdock.protocol.topics import scan_topic
from xdock.testing import CentralProcess, EdgeProcess, Mosquitto, free_port
from xdock.transport.broker import BrokerLink, BrokerTlsError, connected, mqtt_client

SITE = site_yaml(id="it", timezone="UTC")
START = datetime(2026, 11, 23, 8, tzinfo=UTC)


@pytest.fixture
def ca(tmp_path: Path) -> LocalCa:
    return LocalCa(tmp_path / "ca")


@pytest.fixture
def tls_broker(tmp_path: Path, ca: LocalCa) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path / "mosquitto", tls=ca.server())
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


async def test_edge_and_central_talk_over_tls(tls_broker: Mosquitto, ca: LocalCa, tmp_path: Path) -> None:
    assert str(tls_broker.url) == f"mqtts://127.0.0.1:{tls_broker.port}"
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    link = BrokerLink(ca_file=ca.pem)
    clock = ScaledClock(START, 1.0)
    config = CentralConfig(load_site(site), tls_broker.url, tmp_path / "c.db", broker_link=link, api_port=None,
                           replan_interval=None)
    outbox = Outbox(tmp_path / "outbox.db")
    answers = Answers()
    uplink = Uplink("it", "edge-x", "D1", tls_broker.url, clock, outbox, answers, UplinkOptions(link=link))
    async with running_central(config, clock) as (central, _http):
        task = asyncio.create_task(uplink.run())
        try:
            scan = scan_event(1, edge="edge-x", at=START)
            await uplink.submit(1, scan_topic("it", "edge-x"), encode(scan))
            await eventually(lambda: len(answers.got) == 1, timeout=10, what="central's answer over TLS")
            # its status came over TLS too (checked before the uplink stops: a clean stop says offline)
            edges = central.liveness.edges
            await eventually(lambda: "edge-x" in edges and edges["edge-x"].online, timeout=10,
                             what="the edge's status over TLS")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await outbox.aclose()
    answer = answers.got[0]
    assert isinstance(answer, Assignment)
    assert (answer.edge_id, answer.seq, answer.door) == ("edge-x", 1, "D12")


async def test_the_tls_listener_refuses_plain_mqtt(tls_broker: Mosquitto) -> None:
    plain = BrokerUrl("127.0.0.1", tls_broker.port)
    with pytest.raises(aiomqtt.MqttError) as refused:
        async with connected(mqtt_client(plain, BrokerLink(), identifier="plain", timeout=2), plain):
            pass
    assert str(refused.value) == "Operation timed out"  # the listener waits for a TLS hello that never comes


async def test_a_certificate_for_another_host_is_refused(tmp_path: Path, ca: LocalCa) -> None:
    with Mosquitto(tmp_path / "other", tls=ca.server(hosts=("broker.example",))) as broker:
        client = mqtt_client(broker.url, BrokerLink(ca_file=ca.pem), identifier="c")
        with pytest.raises(BrokerTlsError) as refused:
            async with connected(client, broker.url):
                pass
    assert str(refused.value) == (
        f"broker mqtts://127.0.0.1:{broker.port}: TLS handshake failed: "
        "IP address mismatch, certificate is not valid for '127.0.0.1'."
    )


@pytest.mark.parametrize("command", ["central", "edge"])
def test_a_client_with_the_wrong_ca_stops_with_one_error_line(
    command: str, tls_broker: Mosquitto, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = LocalCa(tmp_path / "wrong", name="another CA")
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    common = ["--broker", str(tls_broker.url), "--broker-ca", str(wrong.pem)]
    if command == "central":
        argv = ["central", "--site", str(site), "--db", str(tmp_path / "c.db"), "--no-api", "--replan-interval", "0"]
    else:
        argv = ["edge", "--site-id", "it", "--edge-id", "edge-x", "--door", "D1", "--state-dir", str(tmp_path / "e"),
                "--reader", f"r1=127.0.0.1:{free_port()}"]
    assert main([*argv, *common]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"xdock: error: broker mqtts://127.0.0.1:{tls_broker.port}: TLS handshake failed: "
        "unable to get local issuer certificate\n"
    )


def test_central_and_edge_processes_log_in_over_tls(
    tmp_path: Path, ca: LocalCa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As deployed: ``mqtts://USER@host``, ``--broker-ca``, the password from a file (central) or the
    environment (the edge), MQTT 5 by default; the broker refuses anonymous clients."""
    passwd = tmp_path / "passwd"
    passwd.write_text("")
    for user, password in (("central", "central-secret"), ("edge-x", "edge-secret")):
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password], check=True, capture_output=True)
    secret = tmp_path / "central.secret"
    secret.write_text("central-secret\n")
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    with Mosquitto(tmp_path / "mosquitto", tls=ca.server(), password_file=passwd) as broker:
        as_user = {user: BrokerUrl("127.0.0.1", broker.port, tls=True, username=user) for user in ("central", "edge-x")}
        central = CentralProcess(site, as_user["central"], tmp_path / "c.db")
        central.args += ["--broker-ca", str(ca.pem), "--broker-password-file", str(secret)]
        edge = EdgeProcess("it", "edge-x", "D1", {}, as_user["edge-x"], tmp_path / "edge")
        edge.args += ["--broker-ca", str(ca.pem), "--reader", f"r1=127.0.0.1:{free_port()}"]
        monkeypatch.setenv("XDOCK_BROKER_PASSWORD", "edge-secret")
        with central, edge:
            deadline = time.monotonic() + 20
            while not [e for e in central.get("/api/v1/edges") if e["id"] == "edge-x" and e["online"]]:
                edge.check_running()
                assert time.monotonic() < deadline, f"edge-x never online at central:\n{edge.log.read_text()}"
                time.sleep(0.1)
    for log in (edge.log, central.log):  # connected at the first attempt: no broker warning, no traceback
        assert [line for line in log.read_text().splitlines() if "broker" in line and "WARNING" in line] == []
        assert "Traceback" not in log.read_text()

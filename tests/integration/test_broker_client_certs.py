"""Client certificates on the TLS listener of ``xdock broker-config --tls``, on a real Mosquitto.

The broker runs the generated config untouched (free ports on 127.0.0.1): a TLS listener that
requires a certificate of the site's CA and logs each client in as its certificate's CN, under the
generated ACL. An edge with its certificate is answered by central; a client without a certificate,
with one of another site's CA, or with an expired one is refused.

Absence is proven without waiting, as in ``tests/deploy/test_broker_config_mosquitto.py``: a message
the ACL drops is followed, from the same client, by one it lets through; the broker handles one
client's packets in order, so when the second arrives the first would have arrived before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiomqtt
import pytest

from support.inproc_central import running_central
from support.scans import scan as scan_event
from support.sites import site_yaml
from support.uplink_answers import Answers
from support.waiting import eventually
from xdock.broker_config import BrokerUsers
from xdock.broker_config.certs import issue_client, load_issued, new_ca
from xdock.central.app import CentralConfig
from xdock.central.site_file.config import load_site
from xdock.cli import main
from xdock.edge.outbox import Outbox
from xdock.edge.uplink import Uplink, UplinkOptions
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode, ValueScript
from xdock.protocol.clock import ManualClock, ScaledClock
from xdock.protocol.messages import Assignment, decode, encode
from xdock.protocol.sensors import SensorReading
from xdock.protocol.topics import scan_topic, scan_wildcard, sensor_reading_topic, sensor_reading_wildcard
from xdock.testing import CentralProcess, EdgeProcess, free_port
from xdock.testing.servers import wait_for_port
from xdock.testing.site_broker import SiteBroker, site_broker
from xdock.transport.broker import BrokerLink, BrokerTlsError, connected, mqtt_client

SITE = site_yaml(id="it", timezone="UTC")
START = datetime(2026, 11, 23, 8, tzinfo=UTC)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[SiteBroker]:
    broker = site_broker(tmp_path, BrokerUsers.parse("it", ["edge-D1", "edge-D2"], ["node-t1"]), tls=True)
    await asyncio.to_thread(broker.broker.start)
    try:
        assert broker.tls_port is not None
        await asyncio.to_thread(wait_for_port, broker.tls_port)
        yield broker
    finally:
        await asyncio.to_thread(broker.broker.stop)


def link(site: SiteBroker, user: str) -> BrokerLink:
    cert, key = site.client_cert(user)
    return BrokerLink(ca_file=site.ca_file, cert_file=cert, key_file=key)


def broker_log(site: SiteBroker) -> str:
    return site.broker.log.read_text()


async def test_an_edge_with_its_certificate_is_answered_by_central(site: SiteBroker, tmp_path: Path) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text(SITE)
    clock = ScaledClock(START, 1.0)
    config = CentralConfig(load_site(site_file), site.tls_url("central"), tmp_path / "c.db",
                           broker_link=link(site, "central"), api_port=None, replan_interval=None)
    outbox = Outbox(tmp_path / "outbox.db")
    answers = Answers()
    uplink = Uplink("it", "edge-D1", "D1", site.tls_url("edge-D1"), clock, outbox, answers,
                    UplinkOptions(link=link(site, "edge-D1")))
    async with running_central(config, clock) as (central, _http):
        task = asyncio.create_task(uplink.run())
        try:
            await uplink.submit(1, scan_topic("it", "edge-D1"), encode(scan_event(1, edge="edge-D1", at=START)))
            await eventually(lambda: len(answers.got) == 1, timeout=10, what="central's answer")
            edges = central.liveness.edges
            await eventually(lambda: "edge-D1" in edges and edges["edge-D1"].online, timeout=10,
                             what="the edge's status")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await outbox.aclose()
    answer = answers.got[0]
    assert isinstance(answer, Assignment)
    assert (answer.edge_id, answer.seq, answer.door) == ("edge-D1", 1, "D12")
    log = broker_log(site)
    assert [line.rsplit(" ", 1)[-1] for line in log.splitlines() if "New client connected" in line] == [
        "u'central').", "u'edge-D1').",
    ]


async def test_the_certificates_cn_is_the_user_whatever_name_the_client_sends(site: SiteBroker) -> None:
    """edge-D1's certificate sending the user name ``central`` is still edge-D1 for the ACL."""
    posing = site.tls_url("central")
    async with connected(mqtt_client(site.tls_url("central"), link(site, "central"), identifier="c"), posing) as c, \
            connected(mqtt_client(posing, link(site, "edge-D1"), identifier="e1"), posing) as e1:
        await c.subscribe(scan_wildcard("it"), qos=1)
        await e1.publish(scan_topic("it", "edge-D2"), b"as edge-D2", qos=1)
        await e1.publish(scan_topic("it", "edge-D1"), b"as edge-D1", qos=1)
        async with asyncio.timeout(10):
            message = await anext(aiter(c.messages))
    assert (message.topic.value, message.payload) == (scan_topic("it", "edge-D1"), b"as edge-D1")


async def test_the_sensor_node_mock_reports_over_tls_with_its_certificate(site: SiteBroker, tmp_path: Path) -> None:
    url = site.tls_url("central")
    sensors = [NodeSensor("T-1-TEMP", "temperature", ValueScript([(0, 4.5)]))]
    async with connected(mqtt_client(url, link(site, "central"), identifier="c"), url) as central:
        await central.subscribe(sensor_reading_wildcard("it"), qos=1)
        node = SensorNode("it", "node-t1", sensors, ManualClock(START), tmp_path / "node.seq", port=site.tls_url().port,
                          link=link(site, "node-t1"), tls=True)
        async with node:
            await node.step()
        async with asyncio.timeout(10):
            message = await anext(aiter(central.messages))
    assert isinstance(message.payload, bytes)
    reading = decode(SensorReading, message.payload)
    assert (message.topic.value, reading.edge_id, reading.value) == (
        sensor_reading_topic("it", "node-t1", "T-1-TEMP"), "node-t1", 4.5)


async def test_a_client_without_a_certificate_is_refused(site: SiteBroker) -> None:
    url = site.tls_url("edge-D1")
    client = mqtt_client(url, BrokerLink(ca_file=site.ca_file), identifier="no-cert", timeout=2)
    with pytest.raises(aiomqtt.MqttError) as refused:
        async with connected(client, url):
            pass
    # TLS 1.3: the broker's refusal comes after the client's handshake; the client hears no CONNACK
    assert str(refused.value) == "Operation timed out"
    await asyncio.to_thread(site.broker.stop)
    assert "peer did not return a certificate" in broker_log(site)


def other_or_expired(site: SiteBroker, folder: Path, which: str) -> BrokerLink:
    """edge-D1's certificate from another site's CA, or from this site's CA but expired yesterday."""
    now = datetime.now(UTC)
    if which == "another site's CA":
        ca = new_ca("elsewhere", now - timedelta(days=1), now + timedelta(days=30))
        issued = issue_client(ca, "edge-D1", now - timedelta(days=1), now + timedelta(days=30))
    else:
        assert site.tls_folder is not None
        ca = load_issued(site.tls_folder / "ca.pem", site.tls_folder / "ca.key", what="site CA")
        issued = issue_client(ca, "edge-D1", now - timedelta(days=30), now - timedelta(days=1))
    folder.mkdir()
    cert, key = folder / "edge-D1.pem", folder / "edge-D1.key"
    cert.write_bytes(issued.cert_pem())
    key.write_bytes(issued.key_pem())
    return BrokerLink(ca_file=site.ca_file, cert_file=cert, key_file=key)


@pytest.mark.parametrize(("which", "alert"), [("another site's CA", "unknown ca"),
                                               ("expired", "certificate expired")])
async def test_a_certificate_of_another_site_or_expired_is_refused(
    site: SiteBroker, tmp_path: Path, which: str, alert: str
) -> None:
    url = site.tls_url("edge-D1")
    client = mqtt_client(url, other_or_expired(site, tmp_path / "certs", which), identifier="e1")
    with pytest.raises(BrokerTlsError) as refused:
        async with connected(client, url):
            pass
    assert str(refused.value) == (
        f"broker mqtts://edge-D1@127.0.0.1:{site.tls_port}: TLS handshake failed: refused by the broker: {alert}"
    )


@pytest.mark.parametrize(("which", "alert"), [("another site's CA", "unknown ca"),
                                               ("expired", "certificate expired")])
def test_an_edge_process_with_a_refused_certificate_stops_with_one_error_line(
    site: SiteBroker, tmp_path: Path, which: str, alert: str, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = other_or_expired(site, tmp_path / "certs", which)
    argv = ["edge", "--site-id", "it", "--edge-id", "edge-D1", "--door", "D1", "--state-dir", str(tmp_path / "e"),
            "--reader", f"r1=127.0.0.1:{free_port()}", "--broker", str(site.tls_url()),
            "--broker-ca", str(site.ca_file), "--broker-cert", str(refused.cert_file),
            "--broker-key", str(refused.key_file)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"xdock: error: broker mqtts://edge-D1@127.0.0.1:{site.tls_port}: TLS handshake failed: "
        f"refused by the broker: {alert}\n"
    )


def test_central_and_edge_processes_log_in_with_their_certificates(site: SiteBroker, tmp_path: Path) -> None:
    """As the docs install it: ``mqtts://`` with ``--broker-ca``, ``--broker-cert`` and ``--broker-key``;
    central's URL names its user (the certificate's CN), the edge's names none (taken from the CN). Central
    also passes a password file, as its systemd unit always does, and a wrong password at that: the
    certificate's listener ignores it."""
    site_file = tmp_path / "site.yaml"
    site_file.write_text(SITE)
    wrong = tmp_path / "central.secret"
    wrong.write_text("not central's password\n")
    central = CentralProcess(site_file, site.tls_url("central"), tmp_path / "c.db", password_file=wrong)
    edge = EdgeProcess("it", "edge-D1", "D1", {}, site.tls_url(), tmp_path / "edge")
    for process, user in ((central, "central"), (edge, "edge-D1")):
        cert, key = site.client_cert(user)
        process.args += ["--broker-ca", str(site.ca_file), "--broker-cert", str(cert), "--broker-key", str(key)]
    edge.args += ["--reader", f"r1=127.0.0.1:{free_port()}"]
    with central, edge:
        deadline = time.monotonic() + 20
        while not [e for e in central.get("/api/v1/edges") if e["id"] == "edge-D1" and e["online"]]:
            edge.check_running()
            assert time.monotonic() < deadline, f"edge-D1 never online at central:\n{edge.log.read_text()}"
            time.sleep(0.1)
    for log in (edge.log, central.log):  # connected at the first attempt: no broker warning, no traceback
        assert [line for line in log.read_text().splitlines() if "broker" in line and "WARNING" in line] == []
        assert "Traceback" not in log.read_text()

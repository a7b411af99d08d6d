"""The TLS broker config as an operator makes it, on a real Mosquitto: the ``--tls`` command documented in
``docs/broker-config.md`` is run, Mosquitto started on its ``mosquitto.conf``, and every user logs in on
the TLS listener with its certificate from ``tls/clients``, as its CN, under the generated ACL.

Only the site-specific values are changed for the test: ``--out`` in a temporary folder, free ports on
127.0.0.1 for both listeners, 127.0.0.1 added to the broker's host names, persistence in the temporary
folder, and Mosquitto staying the user running the tests.
"""

from __future__ import annotations

import asyncio
import getpass
import shlex
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.topics import scan_topic, scan_wildcard, sensor_reading_topic, sensor_reading_wildcard
from xdock.testing import Mosquitto
from xdock.testing.servers import free_port, wait_for_port
from xdock.transport.acked import AckedClient
from xdock.transport.broker import BrokerLink, connected, mqtt_client

DOC = Path(__file__).parents[2] / "docs" / "broker-config.md"


def documented_tls_command() -> list[str]:
    """The one ``.venv/bin/xdock broker-config ... --tls`` line of the docs, split as the shell splits it."""
    lines = [line for line in DOC.read_text().splitlines()
             if line.startswith(".venv/bin/xdock broker-config ") and "--tls" in line.split()]
    assert len(lines) == 1, f"expected one documented --tls command in {DOC}, found {lines}"
    return shlex.split(lines[0])


def option(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, word in enumerate(argv) if word == name]


@dataclass(frozen=True)
class Generated:
    argv: list[str]
    out: Path
    port: int
    tls_port: int

    @property
    def site(self) -> str:
        return option(self.argv, "--site")[0]

    def url(self) -> BrokerUrl:
        return BrokerUrl("127.0.0.1", self.tls_port, tls=True)

    def link(self, user: str) -> BrokerLink:
        clients = self.out / "tls" / "clients"
        return BrokerLink(ca_file=self.out / "tls" / "ca.pem", cert_file=clients / f"{user}.pem",
                          key_file=clients / f"{user}.key")


def run_documented(folder: Path, port: int, tls_port: int, *more: str) -> Generated:
    argv = documented_tls_command()
    here = {"--out": str(folder / "broker"), "--tls-bind": "127.0.0.1"}
    local = [here.get(argv[i - 1], word) if i else word for i, word in enumerate(argv)]
    local += ["--tls-host", "127.0.0.1", "--port", str(port), "--tls-port", str(tls_port),
              "--persistence-dir", str(folder / "mosquitto"), "--run-as", getpass.getuser(), *more]
    done = subprocess.run([sys.executable, "-m", "xdock", *local[1:]], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    return Generated(local, folder / "broker", port, tls_port)


@pytest.fixture
def generated(tmp_path: Path) -> Generated:
    return run_documented(tmp_path, free_port(), free_port())


@pytest.fixture
def broker(generated: Generated) -> Iterator[Mosquitto]:
    server = Mosquitto(generated.out.parent / "log", conf=generated.out / "mosquitto.conf", port=generated.port)
    server.start()
    try:
        wait_for_port(generated.tls_port)
        yield server
    finally:
        server.stop()


@asynccontextmanager
async def clients(generated: Generated, *users: str) -> AsyncIterator[dict[str, AckedClient]]:
    async with AsyncExitStack() as stack:
        found = {}
        for user in users:
            client = mqtt_client(generated.url(), generated.link(user), identifier=f"t-{user}")
            found[user] = await stack.enter_async_context(connected(client, generated.url()))
        yield found


def served_serial(generated: Generated) -> int:
    """The serial number of the certificate the broker shows on its TLS listener (to central's certificate)."""
    link = generated.link("central")
    assert link.cert_file is not None
    assert link.key_file is not None
    context = ssl.create_default_context(cafile=str(link.ca_file))
    context.load_cert_chain(link.cert_file, link.key_file)
    with socket.create_connection(("127.0.0.1", generated.tls_port), timeout=5) as sock, \
            context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


async def test_every_user_logs_in_with_its_certificate_and_the_acl_applies_to_its_cn(
    broker: Mosquitto, generated: Generated
) -> None:
    site = generated.site
    (e1, e2), node = option(generated.argv, "--edge"), option(generated.argv, "--sensor-node")[0]
    async with clients(generated, "central", e1, e2, node) as c:
        for topic in (scan_wildcard(site), sensor_reading_wildcard(site)):
            await c["central"].subscribe(topic, qos=1)
        await c[e1].publish(scan_topic(site, e2), b"e1 as e2", qos=1)  # dropped: e1's CN may not speak for e2
        await c[e2].publish(scan_topic(site, e2), b"e2", qos=1)
        await c[node].publish(sensor_reading_topic(site, node, "T1"), b"node", qos=1)
        got = []
        async with asyncio.timeout(10):
            async for message in c["central"].messages:
                got.append((message.topic.value, message.payload))
                if len(got) == 2:
                    break
    assert sorted(got) == sorted([(scan_topic(site, e2), b"e2"), (sensor_reading_topic(site, node, "T1"), b"node")])
    log = broker.log.read_text()
    assert [line.rsplit(" ", 1)[-1] for line in log.splitlines() if "New client connected" in line] == [
        f"u'{user}')." for user in ("central", e1, e2, node)
    ]


def test_the_brokers_certificate_names_the_documented_hosts(generated: Generated) -> None:
    cert = x509.load_pem_x509_certificate((generated.out / "tls" / "broker.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    hosts = [str(name.value) for name in names]
    assert hosts == [*option(generated.argv, "--tls-host")]
    assert hosts[-1] == "127.0.0.1"


async def test_a_door_added_later_logs_in_after_a_reload_which_also_reads_the_new_broker_certificate(
    broker: Mosquitto, generated: Generated
) -> None:
    before = served_serial(generated)
    again = run_documented(generated.out.parent, generated.port, generated.tls_port, "--edge", "edge-D3")
    assert broker.proc is not None
    broker.proc.send_signal(signal.SIGHUP)
    fresh = x509.load_pem_x509_certificate((again.out / "tls" / "broker.pem").read_bytes()).serial_number
    assert fresh != before
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while served_serial(generated) != fresh:  # the broker reloads on SIGHUP in its own time
        assert loop.time() < deadline, "the broker still shows its old certificate"
        await asyncio.sleep(0.05)
    async with clients(again, "central", "edge-D3") as c:
        await c["central"].subscribe(scan_wildcard(again.site), qos=1)
        await c["edge-D3"].publish(scan_topic(again.site, "edge-D3"), b"D3", qos=1)
        async with asyncio.timeout(10):
            message = await anext(aiter(c["central"].messages))
    assert (message.topic.value, message.payload) == (scan_topic(again.site, "edge-D3"), b"D3")

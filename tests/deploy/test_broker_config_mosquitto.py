"""The broker config as an operator makes it, on a real Mosquitto: the command documented in
``docs/broker-config.md`` is run, Mosquitto started on its ``mosquitto.conf``, and every client logs in
with its password from ``credentials.json``.

Only the site-specific paths are changed for the test: ``--out`` in a temporary folder, a free port on
127.0.0.1, persistence in the temporary folder, and Mosquitto staying the user running the tests.

Absence is proven without waiting. A message the ACL drops is followed, from the same client, by a
marker it lets through: the broker handles one client's packets in order, so when the marker arrives
the dropped one would have arrived before it. A client that may read nothing publishes a message of
its own instead and, once its PUBACK is in, finds nothing queued: the broker writes a client's packets
in order, so a message queued for it before would have come before the PUBACK.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import pwd
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from xdock.central.edges.liveness import status_subscriptions
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode, ValueScript
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import MAX_PAYLOAD, DeviceStatus, decode
from xdock.protocol.sensors import SensorReading
from xdock.protocol.topic_table import TOPIC_TABLE, Role
from xdock.protocol.topics import (
    central_status_topic,
    cmd_topic,
    device_status_topic,
    edge_status_topic,
    offline_answer_topic,
    offline_answer_wildcard,
    passage_topic,
    passage_wildcard,
    routes_topic,
    scan_topic,
    scan_wildcard,
    sensor_reading_topic,
    sensor_reading_wildcard,
)
from xdock.testing import Mosquitto
from xdock.testing.servers import free_port

DOC = Path(__file__).parents[2] / "docs" / "broker-config.md"


def documented_command() -> list[str]:
    """The one ``.venv/bin/xdock broker-config`` line of the docs without ``--tls``, split as the shell splits it
    (the one with it: ``test_broker_config_tls_mosquitto.py``)."""
    lines = [line for line in DOC.read_text().splitlines()
             if line.startswith(".venv/bin/xdock broker-config ") and "--tls" not in line.split()]
    assert len(lines) == 1, f"expected one documented command in {DOC}, found {lines}"
    return shlex.split(lines[0])


def has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def option(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, word in enumerate(argv) if word == name]


@dataclass(frozen=True)
class Generated:
    argv: list[str]
    out: Path
    port: int

    @property
    def site(self) -> str:
        return option(self.argv, "--site")[0]

    @property
    def edges(self) -> list[str]:
        return option(self.argv, "--edge")

    @property
    def node(self) -> str:
        return option(self.argv, "--sensor-node")[0]

    def credentials(self) -> dict[str, str]:
        data: dict[str, str] = json.loads((self.out / "credentials.json").read_text())
        return data


def run_documented(folder: Path, port: int, *more: str, run_as: str = getpass.getuser()) -> Generated:
    """The documented command with this test's paths, run as the operator runs it (a new process)."""
    argv = documented_command()
    here = {"--out": str(folder / "broker"), "--bind": "127.0.0.1"}
    local = [here.get(argv[i - 1], word) if i else word for i, word in enumerate(argv)]
    local += ["--port", str(port), "--persistence-dir", str(folder / "mosquitto"), "--run-as", run_as, *more]
    done = subprocess.run([sys.executable, "-m", "xdock", *local[1:]], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    return Generated(local, folder / "broker", port)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return run_documented(tmp_path_factory.mktemp("broker-config"), free_port())


def start_broker(generated: Generated) -> Mosquitto:
    folder = generated.out.parent / "mosquitto"
    folder.mkdir(exist_ok=True)
    (folder / "mosquitto.db").unlink(missing_ok=True)  # no retained message of an earlier test
    broker = Mosquitto(folder, conf=generated.out / "mosquitto.conf", port=generated.port)
    broker.start()
    return broker


@pytest.fixture
def broker(generated: Generated) -> Iterator[Mosquitto]:
    server = start_broker(generated)
    try:
        yield server
    finally:
        server.stop()


def client(generated: Generated, user: str | None, password: str | None = None) -> aiomqtt.Client:
    password = password if password is not None else generated.credentials().get(user or "")
    return aiomqtt.Client("127.0.0.1", generated.port, identifier=f"t-{user}", username=user, password=password)


@asynccontextmanager
async def clients(generated: Generated, *users: str) -> AsyncIterator[dict[str, aiomqtt.Client]]:
    async with AsyncExitStack() as stack:
        yield {user: await stack.enter_async_context(client(generated, user)) for user in users}


async def receive(subscriber: aiomqtt.Client, count: int) -> list[tuple[str, bytes]]:
    got: list[tuple[str, bytes]] = []
    async with asyncio.timeout(10):
        async for message in subscriber.messages:
            assert isinstance(message.payload, bytes)
            got.append((message.topic.value, message.payload))
            if len(got) == count:
                return got
    return got


async def nothing_queued(reader: aiomqtt.Client, own_topic: str) -> bool:
    """Whether nothing waits for ``reader`` once its own QoS 1 publish is acknowledged (module docstring)."""
    await reader.publish(own_topic, b"round trip", qos=1)
    return len(reader.messages) == 0


def uplink_topics(site: str, owner: str) -> dict[str, str]:
    """Every uplink kind's topic for the edge segment ``owner``."""
    return {
        "scan": scan_topic(site, owner), "status": edge_status_topic(site, owner),
        "device_status": device_status_topic(site, owner, owner),
        "sensor_reading": sensor_reading_topic(site, owner, "t1"), "passage": passage_topic(site, owner),
        "offline_answer": offline_answer_topic(site, owner),
    }


def downlink_topics(site: str, edge: str) -> dict[str, str]:
    return {"cmd": cmd_topic(site, edge), "routes": routes_topic(site, edge),
            "central_status": central_status_topic(site)}


async def central_subscribes(central: aiomqtt.Client, site: str) -> None:
    """What central's ingest subscribes to."""
    for topic in (scan_wildcard(site), passage_wildcard(site), offline_answer_wildcard(site),
                  sensor_reading_wildcard(site), *status_subscriptions(site)):
        await central.subscribe(topic, qos=1)


async def edge_subscribes(edge: aiomqtt.Client, site: str, edge_id: str) -> None:
    """What an edge's uplink subscribes to."""
    for topic in downlink_topics(site, edge_id).values():
        await edge.subscribe(topic, qos=1)


def test_the_generated_files_are_what_the_docs_say(generated: Generated) -> None:
    assert sorted(p.name for p in generated.out.iterdir()) == ["acl", "credentials.json", "mosquitto.conf", "passwd"]
    assert list(generated.credentials()) == ["central", *generated.edges, generated.node]


async def test_every_user_logs_in_with_its_generated_password(broker: Mosquitto, generated: Generated) -> None:
    del broker
    users = list(generated.credentials())
    async with clients(generated, *users) as connected:
        assert list(connected) == users


@pytest.mark.parametrize(("user", "password"), [
    ("edge-D1", "wrong"), (None, None), ("rogue", None), ("central", ""),
])
async def test_a_client_without_valid_credentials_is_refused(
    broker: Mosquitto, generated: Generated, user: str | None, password: str | None
) -> None:
    del broker
    if user == "rogue":
        password = generated.credentials()["central"]
    with pytest.raises(aiomqtt.MqttCodeError) as refused:
        async with client(generated, user, password):
            pass
    assert str(refused.value.rc) == "Not authorized"


async def test_each_role_publishes_each_of_its_kinds_and_its_reader_receives_it(
    broker: Mosquitto, generated: Generated
) -> None:
    del broker
    site, edge, node = generated.site, generated.edges[0], generated.node
    users: dict[Role, str] = {"central": "central", "edge": edge, "sensor_node": node}
    async with clients(generated, "central", edge, node) as c:
        await central_subscribes(c["central"], site)
        await edge_subscribes(c[edge], site, edge)
        expected: dict[str, list[tuple[str, bytes]]] = {"central": [], edge: []}
        for rule in TOPIC_TABLE:
            for role in rule.publishers:
                user = users[role]
                owner = edge if role == "central" else user
                topic = {**uplink_topics(site, owner), **downlink_topics(site, owner)}[rule.kind]
                payload = f"{rule.kind} from {user}".encode()
                await c[user].publish(topic, payload, qos=rule.qos, retain=rule.retained)
                for reader in rule.readers:
                    expected[users[reader]].append((topic, payload))
        assert len(expected["central"]) == 8
        assert len(expected[edge]) == 3
        for user_name, messages in expected.items():
            assert await receive(c[user_name], len(messages)) == messages


async def test_an_edge_or_node_cannot_publish_on_another_ones_uplinks_nor_those_of_another_role(
    broker: Mosquitto, generated: Generated
) -> None:
    del broker
    site, (e1, e2), node = generated.site, generated.edges, generated.node
    async with clients(generated, "central", e2, node) as c:
        await central_subscribes(c["central"], site)
        for topic in uplink_topics(site, e1).values():
            await c[e2].publish(topic, b"forged by " + e2.encode(), qos=1)
            await c[node].publish(topic, b"forged by " + node.encode(), qos=1)
        own = uplink_topics(site, node)
        for kind in ("scan", "status", "passage", "offline_answer"):  # an edge's kinds, not a node's
            await c[node].publish(own[kind], b"node posing as an edge", qos=1)
        await c[e2].publish(scan_topic(site, e2), b"marker", qos=1)
        await c[node].publish(own["sensor_reading"], b"marker", qos=1)
        assert await receive(c["central"], 2) == [(scan_topic(site, e2), b"marker"),
                                                  (own["sensor_reading"], b"marker")]


async def test_no_one_but_central_publishes_commands_routes_or_centrals_status(
    broker: Mosquitto, generated: Generated
) -> None:
    del broker
    site, (e1, e2), node = generated.site, generated.edges, generated.node
    async with clients(generated, "central", e1, e2, node) as c:
        await edge_subscribes(c[e1], site, e1)
        for forger in (e1, e2, node):
            for topic in downlink_topics(site, e1).values():
                await c[forger].publish(topic, f"forged by {forger}".encode(), qos=1, retain=True)
        await c["central"].publish(cmd_topic(site, e1), b"real", qos=1)
        assert await receive(c[e1], 1) == [(cmd_topic(site, e1), b"real")]


async def test_subscriptions_outside_a_role_deliver_nothing(broker: Mosquitto, generated: Generated) -> None:
    del broker
    site, (e1, e2), node = generated.site, generated.edges, generated.node
    async with clients(generated, "central", e1, e2, node) as c:
        for topic in ("#", scan_wildcard(site), sensor_reading_wildcard(site), cmd_topic(site, e2),
                      routes_topic(site, e2), *status_subscriptions(site)):
            await c[e1].subscribe(topic, qos=1)
        for topic in ("#", central_status_topic(site), cmd_topic(site, node), routes_topic(site, node)):
            await c[node].subscribe(topic, qos=1)
        await c[e2].publish(scan_topic(site, e2), b"e2 scan", qos=1)
        await c[e2].publish(edge_status_topic(site, e2), b"e2 status", qos=1, retain=True)
        await c[node].publish(sensor_reading_topic(site, node, "t1"), b"node reading", qos=1)
        for edge_id in (e2, node):
            await c["central"].publish(cmd_topic(site, edge_id), b"not yours", qos=1)
            await c["central"].publish(routes_topic(site, edge_id), b"not yours", qos=1, retain=True)
        await c["central"].publish(central_status_topic(site), b"online", qos=1, retain=True)
        await c["central"].publish(cmd_topic(site, e1), b"marker", qos=1)
        assert await receive(c[e1], 2) == [(central_status_topic(site), b"online"), (cmd_topic(site, e1), b"marker")]
        assert await nothing_queued(c[node], sensor_reading_topic(site, node, "t1"))


async def test_a_payload_over_centrals_limit_is_refused_at_the_broker(broker: Mosquitto, generated: Generated) -> None:
    del broker
    site, edge = generated.site, generated.edges[0]
    async with clients(generated, "central", edge) as c:
        await central_subscribes(c["central"], site)
        await c[edge].publish(scan_topic(site, edge), b"x" * (MAX_PAYLOAD + 1), qos=1)
        await c[edge].publish(scan_topic(site, edge), b"y" * MAX_PAYLOAD, qos=1)
        assert await receive(c["central"], 1) == [(scan_topic(site, edge), b"y" * MAX_PAYLOAD)]


async def logs_in_within(generated: Generated, user: str, timeout: float) -> None:
    """Return once ``user`` can log in (the broker reloads its files on SIGHUP in its own time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            async with client(generated, user):
                return
        except aiomqtt.MqttCodeError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)


async def test_a_door_added_later_logs_in_after_a_reload_and_no_one_is_rekeyed(tmp_path: Path) -> None:
    first = run_documented(tmp_path, free_port())
    before = first.credentials()
    server = start_broker(first)
    try:
        again = run_documented(tmp_path, first.port, "--edge", "edge-D3")
        after = again.credentials()
        assert {user: after[user] for user in before} == before
        assert server.proc is not None
        server.proc.send_signal(signal.SIGHUP)
        await logs_in_within(again, "edge-D3", 10)
        async with clients(again, "central", "edge-D1", "edge-D3") as c:
            await central_subscribes(c["central"], again.site)
            await c["edge-D3"].publish(scan_topic(again.site, "edge-D3"), b"D3", qos=1)
            await c["edge-D1"].publish(scan_topic(again.site, "edge-D1"), b"D1", qos=1)
            assert await receive(c["central"], 2) == [(scan_topic(again.site, "edge-D3"), b"D3"),
                                                      (scan_topic(again.site, "edge-D1"), b"D1")]
    finally:
        server.stop()


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user may enter (pytest's own is root's only), for a broker running as mosquitto."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield folder


@pytest.mark.skipif(os.geteuid() != 0 or not has_user("mosquitto"),
                    reason="needs root and the user mosquitto, as on the broker's machine")
async def test_as_root_with_mosquitto_as_its_own_user_a_door_added_as_the_docs_say_logs_in(
    open_folder: Path,
) -> None:
    """The docs' install and "add or remove a door" steps as root: Mosquitto switches to its own user and
    reads ``passwd`` and ``acl`` as that user at start and again on SIGHUP after the re-run."""
    first = run_documented(open_folder, free_port(), run_as="mosquitto")
    server = Mosquitto(open_folder / "log", conf=first.out / "mosquitto.conf", port=first.port)
    server.start()
    try:
        again = run_documented(open_folder, first.port, "--edge", "edge-D3", run_as="mosquitto")
        assert server.proc is not None
        server.proc.send_signal(signal.SIGHUP)
        await logs_in_within(again, "edge-D3", 10)
        async with clients(again, "central", "edge-D1"):
            pass
    finally:
        server.stop()
    assert "Unable to open pwfile" not in server.log.read_text()


async def test_mosquitto_saves_its_state_at_stop_into_a_persistence_folder_the_command_made(tmp_path: Path) -> None:
    state = tmp_path / "var" / "lib" / "mosquitto"
    generated = run_documented(tmp_path, free_port(), "--persistence-dir", str(state))
    assert f"persistence_location {state}\n" in (generated.out / "mosquitto.conf").read_text()
    with Mosquitto(tmp_path / "log", conf=generated.out / "mosquitto.conf", port=generated.port) as server:
        async with clients(generated, "central"):
            pass
    log = server.log.read_text()
    assert (state / "mosquitto.db").is_file(), log
    assert f"Saving in-memory database to {state}/mosquitto.db." in log


async def test_the_sensor_node_mock_logs_in_as_itself_and_reports_online_a_reading_and_offline(
    broker: Mosquitto, generated: Generated, tmp_path: Path
) -> None:
    site, node_id = generated.site, generated.node
    sensors = [NodeSensor("T-LYON-2-TEMP", "temperature", ValueScript([(0, 4.5)]))]
    async with clients(generated, "central") as c:
        await central_subscribes(c["central"], site)
        node = SensorNode(site, node_id, sensors, ManualClock(datetime(2026, 11, 23, 6, tzinfo=UTC)),
                          tmp_path / "node.seq", port=generated.port, username=node_id,
                          password=generated.credentials()[node_id])
        async with node:
            assert [r.value for r in await node.step()] == [4.5]
        (status_topic, online), (reading_topic, reading), (_, offline) = await receive(c["central"], 3)
        assert (status_topic, reading_topic) == (device_status_topic(site, node_id, node_id),
                                                 sensor_reading_topic(site, node_id, "T-LYON-2-TEMP"))
        assert decode(DeviceStatus, online).online is True
        assert decode(SensorReading, reading).value == 4.5
        assert (decode(DeviceStatus, offline).online, decode(DeviceStatus, offline).detail) == (False, "shut down")

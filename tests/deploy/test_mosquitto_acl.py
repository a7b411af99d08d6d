"""deploy/mosquitto/ on a real Mosquitto: log-ins required, and each edge kept to its own topics.

Absence is proven without waiting: a message the ACL drops is followed, from the same client, by a
marker the ACL lets through; MQTT keeps one publisher's messages in order, so when the marker
arrives the dropped one would have arrived before it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest

from xdock.testing import Mosquitto

DEPLOY = Path(__file__).parents[2] / "deploy" / "mosquitto"
SITE = "s1"
PASSWORDS = {"central": "central-secret", "e1": "e1-secret", "e2": "e2-secret"}


def _edge(edge: str, leaf: str) -> str:
    return f"xdock/v1/{SITE}/edge/{edge}/{leaf}"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """Mosquitto with the deployed ACL for site s1 and a password file made by make-passwd.sh."""
    passwd = tmp_path / "xdock.passwd"
    for user, password in PASSWORDS.items():
        secret = tmp_path / f"{user}.secret"
        secret.write_text(password)
        env = {**os.environ, "XDOCK_BROKER_PASSWORD_FILE": str(secret)}
        subprocess.run([DEPLOY / "make-passwd.sh", passwd, user], env=env, check=True, capture_output=True)
    assert all(password not in passwd.read_text() for password in PASSWORDS.values())
    acl = tmp_path / "xdock.acl"
    acl.write_text((DEPLOY / "acl.template").read_text().replace("SITE", SITE))
    server = Mosquitto(tmp_path / "mosquitto", password_file=passwd, acl_file=acl)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _client(broker: Mosquitto, user: str | None, password: str | None = None) -> aiomqtt.Client:
    return aiomqtt.Client("127.0.0.1", broker.port, identifier=f"t-{user}", username=user,
                          password=password if password is not None else PASSWORDS.get(user or ""))


async def _next(client: aiomqtt.Client) -> tuple[str, bytes]:
    async with asyncio.timeout(10):
        message = await anext(aiter(client.messages))
    assert isinstance(message.payload, bytes)
    return message.topic.value, message.payload


@pytest.mark.parametrize(("user", "password"), [("e1", "wrong"), (None, None), ("rogue", "e1-secret")])
async def test_a_client_without_valid_credentials_is_refused(broker: Mosquitto, user: str | None,
                                                            password: str | None) -> None:
    with pytest.raises(aiomqtt.MqttCodeError) as refused:
        async with _client(broker, user, password):
            pass
    assert str(refused.value.rc) == "Not authorized"


async def test_an_edge_cannot_publish_on_another_edges_topics(broker: Mosquitto) -> None:
    async with _client(broker, "central") as central, _client(broker, "e1") as e1:
        await central.subscribe(f"xdock/v1/{SITE}/edge/+/scan", qos=1)
        await central.subscribe(f"xdock/v1/{SITE}/edge/+/status", qos=1)
        await e1.publish(_edge("e2", "scan"), b"forged", qos=1)
        await e1.publish(_edge("e2", "status"), b"forged", qos=1)
        await e1.publish(_edge("e1", "scan"), b"marker", qos=1)
        assert await _next(central) == (_edge("e1", "scan"), b"marker")


async def test_an_edge_reads_only_its_own_commands(broker: Mosquitto) -> None:
    async with _client(broker, "central") as central, _client(broker, "e1") as e1:
        await e1.subscribe(_edge("e2", "cmd"), qos=1)
        await e1.subscribe(_edge("e2", "routes"), qos=1)
        await e1.subscribe(f"xdock/v1/{SITE}/edge/+/scan", qos=1)
        await e1.subscribe(_edge("e1", "cmd"), qos=1)
        await e1.subscribe(f"xdock/v1/{SITE}/central/status", qos=1)
        await central.publish(_edge("e2", "cmd"), b"for e2", qos=1)
        await central.publish(_edge("e2", "routes"), b"for e2", qos=1)
        await central.publish(f"xdock/v1/{SITE}/central/status", b"online", qos=1)
        await central.publish(_edge("e1", "cmd"), b"for e1", qos=1)
        assert await _next(e1) == (f"xdock/v1/{SITE}/central/status", b"online")
        assert await _next(e1) == (_edge("e1", "cmd"), b"for e1")


async def test_an_edge_cannot_speak_for_central(broker: Mosquitto) -> None:
    async with _client(broker, "central") as central, _client(broker, "e1") as e1, _client(broker, "e2") as e2:
        await e2.subscribe(f"xdock/v1/{SITE}/central/status", qos=1)
        await e2.subscribe(_edge("e2", "cmd"), qos=1)
        await e1.publish(f"xdock/v1/{SITE}/central/status", b"offline", qos=1)
        await e1.publish(_edge("e2", "cmd"), b"forged", qos=1)
        await central.publish(_edge("e2", "cmd"), b"real", qos=1)
        assert await _next(e2) == (_edge("e2", "cmd"), b"real")

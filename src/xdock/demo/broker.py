"""The demo's in-process MQTT broker (amqtt), on a free loopback port.

Good enough for one machine and live traffic. It does not queue messages for disconnected
persistent sessions, so production and the fault tests use Mosquitto (or EMQX/HiveMQ/VerneMQ).
It speaks MQTT 3.1.1 only, so the demo's clients connect with :data:`DEMO_LINK`.
"""

from __future__ import annotations

import logging
import socket
from types import TracebackType

from amqtt.broker import Broker

from xdock.protocol.broker_url import BrokerUrl
from xdock.transport.broker import BrokerLink, MqttVersion

__all__ = ["DEMO_LINK", "EmbeddedBroker"]

DEMO_LINK = BrokerLink(version=MqttVersion.V311)
"""How the demo's clients talk to its broker: MQTT 3.1.1, which amqtt (and every external broker) speaks."""


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class EmbeddedBroker:
    """``async with EmbeddedBroker() as url:`` runs a broker for the block."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.url = BrokerUrl(host, port or _free_port(host))
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{host}:{self.url.port}"}},
            # Anonymous clients only: no $SYS topics, no per-packet logging, no topic checks.
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self._broker = Broker(config)

    async def __aenter__(self) -> BrokerUrl:
        await self._broker.start()
        return self.url

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._broker.shutdown()

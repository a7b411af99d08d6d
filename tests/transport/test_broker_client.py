"""Clients from :func:`xdock.transport.broker.mqtt_client` on a real Mosquitto: versions and persistent sessions."""

from __future__ import annotations

import asyncio

import pytest

from xdock.testing import Mosquitto
from xdock.transport.broker import BrokerLink, MqttVersion, connected, mqtt_client


@pytest.mark.parametrize("version", list(MqttVersion))
async def test_a_persistent_session_keeps_what_came_while_the_client_was_away(
    mosquitto: Mosquitto, version: MqttVersion
) -> None:
    link = BrokerLink(version=version)
    async with connected(mqtt_client(mosquitto.url, link, identifier="keeper", persistent=True),
                         mosquitto.url) as keeper:
        await keeper.subscribe("t/#", qos=1)
    async with connected(mqtt_client(mosquitto.url, link, identifier="sender"), mosquitto.url) as sender:
        await sender.deliver("t/1", b"while away")
    mosquitto.restart()  # persistence on: the session and its queue survive the broker's restart too
    async with connected(mqtt_client(mosquitto.url, link, identifier="keeper", persistent=True),
                         mosquitto.url) as keeper:
        async with asyncio.timeout(10):
            message = await anext(aiter(keeper.messages))
    assert (message.topic.value, message.payload, message.qos) == ("t/1", b"while away", 1)


@pytest.mark.parametrize("version", list(MqttVersion))
async def test_a_client_that_is_not_persistent_starts_clean(mosquitto: Mosquitto, version: MqttVersion) -> None:
    link = BrokerLink(version=version)
    async with connected(mqtt_client(mosquitto.url, link, identifier="passer"), mosquitto.url) as passer:
        await passer.subscribe("t/#", qos=1)
    async with connected(mqtt_client(mosquitto.url, link, identifier="sender"), mosquitto.url) as sender:
        await sender.deliver("t/1", b"nobody listens")
        async with connected(mqtt_client(mosquitto.url, link, identifier="passer"), mosquitto.url) as passer:
            await passer.subscribe("u/#", qos=1)
            await sender.deliver("u/1", b"marker")
            async with asyncio.timeout(10):
                message = await anext(aiter(passer.messages))
    assert (message.topic.value, message.payload) == ("u/1", b"marker")  # nothing kept from the old session

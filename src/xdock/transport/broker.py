"""The one place an xdock MQTT client is built: broker URL + link settings (MQTT version, TLS CA) → aiomqtt client.

Everything that speaks MQTT (edge uplink, central ingest, the sensor node mock, the demo) builds its
client with :func:`mqtt_client` and enters it with :func:`connected`, so every one of them

- speaks the version asked for (:class:`MqttVersion`, MQTT 5 unless told otherwise);
- encrypts when the URL says ``mqtts://`` and checks the broker's certificate against ``ca_file``
  (the system's CAs when none is given), host name included; shows the client certificate
  ``cert_file`` (with ``key_file``) when given, for a broker that requires one;
- logs in with the URL's user and password (the password never comes from a command line: see
  :mod:`xdock.cli._common`);
- keeps a persistent session the same way on both versions: ``clean_session=False`` on 3.1.1;
  ``clean_start=False`` and a session that never expires on 5 (an MQTT 5 session otherwise ends at
  the disconnect, and with it the messages queued for the client).

A certificate the client refuses is a configuration error, not a lost link: :func:`connected`
raises :class:`BrokerTlsError` (naming the broker and the TLS reason) instead of the
:class:`aiomqtt.MqttError` a reconnect loop would retry. So does a handshake the broker ends with a
TLS alert, e.g. ``certificate expired`` or ``unknown ca`` for a client certificate it refuses.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from xdock.protocol.broker_url import BrokerUrl
from xdock.transport.acked import AckedClient
from xdock.transport.session import mqtt_session

__all__ = [
    "DEFAULT_LINK", "SESSION_NEVER_EXPIRES", "BrokerLink", "BrokerTlsError", "MqttVersion", "check_ca_file",
    "connected", "mqtt_client", "tls_context",
]

SESSION_NEVER_EXPIRES = 0xFFFFFFFF
"""MQTT 5 session expiry interval meaning "never" (as a 3.1.1 persistent session)."""


class MqttVersion(StrEnum):
    """The MQTT protocol version a client speaks, as written on the command line."""

    V5 = "5"
    V311 = "3.1.1"


@dataclass(frozen=True)
class BrokerLink:
    """How to talk to the broker, beyond what its URL says (host, port, TLS or not, user and password)."""

    version: MqttVersion = MqttVersion.V5
    """MQTT 5 by default; 3.1.1 for brokers that speak nothing newer (e.g. the demo's embedded broker)."""
    ca_file: Path | None = None
    """PEM file of the CA certificates an ``mqtts://`` broker's certificate must chain to; ``None``: the
    system's CAs. Ignored for ``mqtt://``."""
    cert_file: Path | None = None
    """PEM file of the client's own certificate, shown to an ``mqtts://`` broker that requires one (whose
    listener then logs the client in as the certificate's CN); ``None``: no client certificate."""
    key_file: Path | None = None
    """PEM file of the private key of ``cert_file`` (no pass phrase)."""

    def __post_init__(self) -> None:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("Invalid BrokerLink: expected cert_file and key_file together, or neither")


DEFAULT_LINK = BrokerLink()
"""MQTT 5; for ``mqtts://`` the system's CAs."""


class BrokerTlsError(Exception):
    """The client refused the broker's TLS certificate (wrong CA, wrong host name, expired...), or the broker
    refused the client's (an alert in the handshake)."""

    def __init__(self, broker: BrokerUrl, reason: str) -> None:
        super().__init__(f"broker {broker}: TLS handshake failed: {reason}")
        self.broker = broker
        self.reason = reason


def check_ca_file(path: Path) -> None:
    """Raise ``ValueError`` naming ``path`` when it holds no CA certificate a TLS client can load."""
    try:
        ssl.create_default_context(cafile=str(path))
    except ssl.SSLError as exc:
        reason = "no certificate in it" if exc.reason == "NO_CERTIFICATE_OR_CRL_FOUND" else str(exc.reason or exc)
        raise ValueError(f"{path}: not a readable PEM file of CA certificates ({reason})") from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ValueError(f"{path}: not a readable PEM file of CA certificates ({reason})") from exc


def tls_context(link: BrokerLink) -> ssl.SSLContext:
    """The TLS settings of an ``mqtts://`` client: the broker's certificate checked (chain and host name) against
    ``link.ca_file`` or the system's CAs, and ``link``'s client certificate shown if it has one.

    With a client certificate the client speaks TLS 1.2 at most: there the broker's verdict on the
    certificate is part of the handshake, so a refusal is told as one (TLS 1.3 sends it after the
    handshake, and the client would only see its connection time out).
    """
    context = ssl.create_default_context(cafile=None if link.ca_file is None else str(link.ca_file))
    if link.cert_file is not None and link.key_file is not None:
        context.load_cert_chain(link.cert_file, link.key_file, password=b"")  # never a pass phrase prompt
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


def mqtt_client(
    broker: BrokerUrl, link: BrokerLink, *, identifier: str, persistent: bool = False,
    will: aiomqtt.Will | None = None, keepalive: int = 10, max_inflight: int | None = None,
    timeout: float | None = None,
) -> AckedClient:
    """A client for ``broker`` (not connected yet; enter it with :func:`connected`).

    ``persistent``: the broker keeps the session (subscriptions, queued QoS 1 messages) across
    disconnects, for ever, on either version.
    """
    tls = tls_context(link) if broker.tls else None
    if link.version is MqttVersion.V311:
        return AckedClient(
            broker.host, broker.port, identifier=identifier, protocol=aiomqtt.ProtocolVersion.V311, will=will,
            keepalive=keepalive, max_inflight_messages=max_inflight, username=broker.username,
            password=broker.password, tls_context=tls, timeout=timeout, clean_session=not persistent,
        )
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    if persistent:
        properties.SessionExpiryInterval = SESSION_NEVER_EXPIRES
    return AckedClient(
        broker.host, broker.port, identifier=identifier, protocol=aiomqtt.ProtocolVersion.V5, will=will,
        keepalive=keepalive, max_inflight_messages=max_inflight, username=broker.username,
        password=broker.password, tls_context=tls, timeout=timeout, clean_start=not persistent,
        properties=properties,
    )


@contextlib.asynccontextmanager
async def connected(client: AckedClient, broker: BrokerUrl, *, in_flight: int = 10) -> AsyncIterator[AckedClient]:
    """``async with connected(client, broker)``: the connection, opened and closed, with its end always heard,
    quiet at a broker stop (:func:`~xdock.transport.session.mqtt_session`, up to ``in_flight`` calls awaiting
    the broker).

    Raises :class:`BrokerTlsError` when the broker's certificate is refused.
    """
    entering = True
    try:
        async with mqtt_session(client, in_flight=in_flight):
            entering = False
            yield client
    except aiomqtt.MqttError as exc:
        refused = exc.__context__  # aiomqtt keeps the library's error only as the context
        if entering and isinstance(refused, ssl.SSLCertVerificationError):
            raise BrokerTlsError(broker, refused.verify_message or str(refused)) from refused
        if entering and isinstance(refused, ssl.SSLError) and "_ALERT_" in (refused.reason or ""):
            alert = (refused.reason or "").split("_ALERT_", 1)[1].lower().replace("_", " ")
            raise BrokerTlsError(broker, f"refused by the broker: {alert}") from refused
        raise

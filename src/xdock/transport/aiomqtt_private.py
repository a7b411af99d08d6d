"""The only reads of aiomqtt's private attributes, each behind a named function saying why it is needed.

aiomqtt (checked on 2.5.1, with paho-mqtt 2.2.0; ``pyproject.toml`` allows aiomqtt 2.3 to < 3) keeps
a few things xdock needs out of its public API: the paho client under it, the future that ends with
the connection, and the queue of received messages. Everything in xdock that needs one of them goes
through this module (``tests/transport/test_aiomqtt_private.py`` fails on any other read, naming
file and line), so an aiomqtt upgrade that renames one breaks here, in one place, and the tests of
:mod:`xdock.transport` say so. :class:`~xdock.transport.acked.AckedClient` is the one exception: it
subclasses :class:`aiomqtt.Client` and extends its PUBACK handling from the inside.
"""

from __future__ import annotations

import asyncio

import aiomqtt
import paho.mqtt.client as paho_mqtt

__all__ = ["ack", "connection_end_future", "is_disconnected", "manual_acks", "paho", "received"]


def paho(client: aiomqtt.Client) -> paho_mqtt.Client:
    """The paho-mqtt client under ``client`` (aiomqtt's ``_client``).

    Needed for what aiomqtt does not wrap: the connected socket (TCP_NODELAY), paho's logger, its
    socket-write callbacks, manual acknowledgements, and a publish whose PUBACK reason code is heard.
    """
    return client._client


def connection_end_future(client: aiomqtt.Client) -> asyncio.Future[None]:
    """The future that completes when ``client``'s connection ends (aiomqtt's ``_disconnected``).

    aiomqtt exposes no public end-of-connection signal; this future is the only prompt one (its message
    iterator watches it too). Set with the error on a lost link, with ``None`` on a clean disconnect.
    aiomqtt replaces it by a fresh one at each connect, so read it again for each connection.
    """
    return client._disconnected


def is_disconnected(client: aiomqtt.Client) -> bool:
    """Whether ``client``'s current connection has ended (lost or closed); see :func:`connection_end_future`."""
    return connection_end_future(client).done()


def received(client: aiomqtt.Client) -> asyncio.Queue[aiomqtt.Message]:
    """The queue of messages ``client`` received and nobody took yet (aiomqtt's ``_queue``).

    aiomqtt hands out one message per ``anext(client.messages)``, each through a task of its own; a
    consumer that takes what already waits in one go (:func:`~xdock.transport.waiting.take_waiting`)
    reads the queue directly.
    """
    return client._queue


def manual_acks(client: aiomqtt.Client) -> None:
    """Stop ``client`` from acknowledging QoS 1/2 messages on receipt: the caller acknowledges each with :func:`ack`.

    Call it before subscribing. aiomqtt (through 2.5.1) has no manual acknowledgement: paho answers a
    PUBLISH as soon as it is read, before the application has handled it, so a message in hand when the
    process dies would be lost. Central acknowledges a scan only once its effect is stored and answered.
    """
    paho(client).manual_ack_set(True)


def ack(client: aiomqtt.Client, message: aiomqtt.Message) -> None:
    """Acknowledge ``message`` to the broker (PUBACK at QoS 1, PUBCOMP at 2; nothing at QoS 0).

    Only after :func:`manual_acks`; aiomqtt has no public call for it (see there). A message whose
    connection is gone is not acknowledged (paho returns an error code, ignored here): the broker
    sends it again on the persistent session's next connection.
    """
    paho(client).ack(message.mid, message.qos)

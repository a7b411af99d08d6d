"""Publishing a batch at QoS 1 and waiting for every acknowledgement, but never past a lost connection.

aiomqtt waits for a PUBACK up to its operation timeout (10 s by default) even when the connection
under it is already gone; a service that answers scans from inside its message loop would sit that
long before it noticed and reconnected. :func:`publish_confirmed` gives up the moment the client
reports the disconnect, so the caller's reconnect loop takes over at once (what was not
acknowledged stays unacknowledged upstream and comes back after the reconnect).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import aiomqtt

from xdock.transport.aiomqtt_private import connection_end_future

__all__ = ["publish_confirmed"]


async def publish_confirmed(
    client: aiomqtt.Client, messages: Sequence[tuple[str, bytes]], *, retain: bool = False
) -> None:
    """Publish ``(topic, payload)`` pairs at QoS 1 together (``retain``ed if asked); return once all are acknowledged.

    Raises :class:`aiomqtt.MqttError` as soon as the connection is lost, whatever is still in flight.
    """
    if not messages:
        return
    sending = asyncio.gather(*(client.publish(topic, payload, qos=1, retain=retain) for topic, payload in messages))
    lost = connection_end_future(client)  # the only prompt signal of a lost link aiomqtt gives
    try:
        waits: list[asyncio.Future[Any]] = [sending, lost]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        sending.cancel()
        # A cancelled gather ends with its CancelledError as exception: mark it seen, or asyncio reports
        # "Future exception was never retrieved" with a traceback when it is collected.
        sending.add_done_callback(_seen)
        raise
    if sending.done():
        sending.result()
        return
    sending.cancel()
    with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
        await sending
    cause = None if lost.cancelled() else lost.exception()
    raise aiomqtt.MqttError("Connection lost while waiting for the broker's acknowledgements") from cause


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()

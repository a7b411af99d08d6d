"""How an MQTT connection ended, taken from aiomqtt so asyncio never reports it as unheard.

aiomqtt keeps the end of a connection as a private future and sets an error on it when the link
drops. Only its message iterator and a publish racing the end ever look at that error; when a
session stops for another reason first (a publish failing, a sibling task cancelled), nobody does,
and asyncio logs "Future exception was never retrieved" when the client is collected: noise in an
operator's log after every broker restart, although the loss was handled. A session hands its
client here on the way out.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiomqtt

from xdock.transport.aiomqtt_private import connection_end_future

__all__ = ["connection_end", "heard_end"]


def connection_end(client: aiomqtt.Client) -> BaseException | None:
    """The error ``client``'s connection ended with (now marked as seen), or None (still up, or a clean end)."""
    end = connection_end_future(client)
    if end.done() and not end.cancelled():
        return end.exception()
    return None


@contextlib.asynccontextmanager
async def heard_end(client: aiomqtt.Client) -> AsyncIterator[aiomqtt.Client]:
    """``async with heard_end(client)``: the connection, opened and closed, with its end always heard."""
    try:
        async with client:
            yield client
    finally:
        connection_end(client)

"""The messages an aiomqtt client has already received, taken at once.

aiomqtt hands out one message per ``anext(client.messages)``, and each such call creates a task
and waits for it: two or three turns of the event loop per message. A consumer that handles in
batches what is already waiting (central's ingest) takes the waiting ones here in one go, so a
flood of messages costs the loop fewer turns.
"""

from __future__ import annotations

import asyncio

import aiomqtt

from xdock.transport.aiomqtt_private import received

__all__ = ["take_waiting"]


def take_waiting(client: aiomqtt.Client, limit: int) -> list[aiomqtt.Message]:
    """Up to ``limit`` messages already received by ``client``, oldest first (none: an empty list)."""
    queue = received(client)
    taken: list[aiomqtt.Message] = []
    while len(taken) < limit:
        try:
            taken.append(queue.get_nowait())
        except asyncio.QueueEmpty:
            break
    return taken

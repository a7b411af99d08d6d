"""Fault doubles for MQTT sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiomqtt


def session_failing_on_cancel(message: str) -> tuple[Callable[[], Awaitable[None]], list[int]]:
    """A session that waits forever and turns its cancellation into ``MqttError(message)``.

    Returns the session and a one-item list counting how many times it was started.
    """
    started = [0]

    async def session() -> None:
        started[0] += 1
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise aiomqtt.MqttError(message) from None

    return session, started

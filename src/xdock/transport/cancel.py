"""Telling a stop from a lost connection in a reconnect loop."""

from __future__ import annotations

import asyncio

__all__ = ["stop_if_cancelled"]


def stop_if_cancelled() -> None:
    """Re-raise the cancellation of the current task, if it is being cancelled.

    Inside an MQTT session a cancellation can come out as an ``MqttError`` (a disconnect racing the
    cancel inside the session's task group); a reconnect loop that caught it must stop, not connect again.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError

"""The one MQTT reconnect loop: a session again and again, a bounded back-off between, until cancelled.

Central's ingest and the edge's uplink both keep their link up with :func:`keep_connected`. A session
is one connection from connect to loss (``async def session() -> None``); the loop

- treats as a **lost connection** an :class:`aiomqtt.MqttError`, and an exception group (a session's
  ``TaskGroup``) made of nothing but ``MqttError``\\ s, nested groups included; a session that
  returns is taken for a lost connection too (without a cause);
- lets **anything else** through unchanged (a group holding one other error included: the bug it
  shows must not turn into a reconnect), as well as the task's **cancellation**, even when that
  came out of the session as an ``MqttError`` (:func:`~xdock.transport.cancel.stop_if_cancelled`);
- calls ``on_lost`` whenever a session ends, whatever ended it (the link is down now), before it
  waits or stops;
- waits :meth:`Backoff.failed <xdock.transport.backoff.Backoff.failed>` seconds before the next
  attempt and logs the failure as :meth:`Backoff.log_failure
  <xdock.transport.backoff.Backoff.log_failure>` says (the 1st, 2nd, 4th, 8th…, a refused log-in as
  such).

The session starts the back-off afresh once its link is up, with ``backoff.succeeded()`` (which
returns the failed attempts before, for its "connected" line): only the session knows when it is
connected and subscribed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

import aiomqtt

from xdock.transport.backoff import Backoff
from xdock.transport.cancel import stop_if_cancelled

__all__ = ["keep_connected", "lost_connection"]


def lost_connection(exc: BaseException) -> aiomqtt.MqttError | None:
    """The error that says ``exc`` is a lost connection, or ``None`` when ``exc`` is something else.

    An ``MqttError`` is itself; an exception group counts only when every exception in it (nested groups
    included) is an ``MqttError``, and then its first one is the cause.
    """
    if isinstance(exc, aiomqtt.MqttError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        mqtt, rest = exc.split(aiomqtt.MqttError)
        if rest is None and mqtt is not None:
            return _first(mqtt)
    return None


def _first(group: ExceptionGroup[aiomqtt.MqttError]) -> aiomqtt.MqttError:
    head = group.exceptions[0]
    return head if isinstance(head, aiomqtt.MqttError) else _first(head)


async def keep_connected(
    session: Callable[[], Awaitable[None]], *, backoff: Backoff, describe: str, log: logging.Logger,
    user: str | None = None, on_lost: Callable[[], None] | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> NoReturn:
    """Run ``session()`` until cancelled, again after each lost connection, ``backoff`` seconds later.

    ``describe``: what the warnings name (e.g. ``"broker mqtt://…"``); ``user``: the user name the client
    logs in with (named when the broker refuses the log-in); ``on_lost``: called as each session ends;
    ``sleep``: how to wait (tests count the waits instead).
    """
    while True:
        lost: aiomqtt.MqttError | None = None
        try:
            await session()
        except (aiomqtt.MqttError, BaseExceptionGroup) as exc:
            lost = lost_connection(exc)
            if lost is None:
                raise
        finally:
            if on_lost is not None:
                on_lost()
        stop_if_cancelled()
        delay = backoff.failed()
        backoff.log_failure(log, describe, lost, delay, user=user)
        await sleep(delay)

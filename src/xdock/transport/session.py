"""One MQTT session of either end, opened and closed without the library's noise at a broker stop.

:func:`mqtt_session` is what both reconnect loops enter around a new :class:`aiomqtt.Client`. On
top of :func:`~xdock.transport.connection_end.heard_end` it handles two things aiomqtt does on its
own that flood an operator's log when the broker stops with publishes in flight:

- **Socket writes registered late.** aiomqtt hands paho's "I have bytes to write" to the event
  loop with ``call_soon_threadsafe``: the writer is added on the loop's next turn. When the
  connection drops in between (the broker stopped; paho closes the socket on the read that saw it),
  that deferred ``add_writer`` runs on a closed file descriptor and asyncio logs
  ``Exception in callback ... add_writer`` with ``KeyError: '10 is not registered'`` (and, had the
  number been reused by the next connection, would watch the wrong socket). Here the write happens
  on the loop's next turn only if the socket is still the client's own: the packet is written at
  once, and a writer is added only for what the socket could not take (not an add and a remove of
  the writer for every packet), and the loop is woken through its self-pipe only when paho called
  from another thread.
- **"There are N pending publish calls."** aiomqtt warns once per publish above 10 awaiting their
  acknowledgement; xdock bounds what it keeps in flight itself (the edge's window, central's batch),
  so the warning is raised to that bound: one line per publish beyond it, which never happens.

And paho's ``ERROR failed to receive on socket: [Errno 104] Connection reset by peer`` (or ``timeout
on socket``), which comes beside the reconnect loop's own line for the same loss, is logged at INFO
(logger ``xdock.transport.session.paho``): one warning per lost connection, not two.

:func:`last_word` publishes a retained status (``online: false``) before a clean disconnect, so
whoever reads it knows at once rather than after a Last Will or a silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import aiomqtt

from xdock.transport.aiomqtt_private import connection_end_future, paho
from xdock.transport.confirmed import publish_confirmed
from xdock.transport.connection_end import heard_end

__all__ = ["last_word", "mqtt_session"]

log = logging.getLogger(__name__)

_CONNECTION_END = ("failed to receive on socket", "timeout on socket")
"""How paho words the end of a connection that the reconnect loop reports."""


class _PahoLog(logging.Logger):
    """paho's log, with the end of a connection at INFO (the reconnect loop's warning says it)."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level > logging.INFO and isinstance(msg, str) and msg.startswith(_CONNECTION_END):
            level = logging.INFO
        super().log(level, msg, *args, **kwargs)


_paho_log = _PahoLog(f"{__name__}.paho")
_paho_log.parent = log


@contextlib.asynccontextmanager
async def mqtt_session(client: aiomqtt.Client, *, in_flight: int) -> AsyncIterator[aiomqtt.Client]:
    """``async with mqtt_session(client, in_flight=n)``: connected, up to ``n`` calls awaiting the broker quietly."""
    client.pending_calls_threshold = max(in_flight, client.pending_calls_threshold)
    paho(client).enable_logger(_paho_log)  # paho's own lines only; aiomqtt keeps its logger
    _register_writes_safely(client)
    async with heard_end(client):
        yield client


async def last_word(client: aiomqtt.Client, topic: str, payload: bytes, *, timeout: float) -> bool:
    """Publish ``payload`` retained on ``topic`` (QoS 1) and wait up to ``timeout`` s for the broker to take it.

    For a clean stop: the caller then disconnects (no Last Will is published after a clean disconnect).
    Returns whether the broker acknowledged it; a failure is logged, the Last Will remains the fallback.
    """
    try:
        async with asyncio.timeout(timeout):
            await publish_confirmed(client, [(topic, payload)], retain=True)
    except (aiomqtt.MqttError, TimeoutError) as exc:
        log.warning("could not publish %s before disconnecting (%s); the Last Will stands in", topic, exc or "timeout")
        return False
    return True


def _register_writes_safely(client: aiomqtt.Client) -> None:
    """Replace aiomqtt's socket-write registration by one that checks the socket is still open."""
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()
    inner = paho(client)  # aiomqtt exposes no hook for this; paho's callbacks are public

    def write() -> None:
        try:
            inner.loop_write()
        except OSError as exc:  # the socket broke under the write: the connection's end, as aiomqtt reports it
            ended = connection_end_future(client)
            if not ended.done():
                ended.set_exception(exc)

    def register_write(_paho: Any, _userdata: Any, sock: Any) -> None:
        def add_writer() -> None:
            if inner.socket() is not sock:  # closed meanwhile (paho drops it before closing it)
                return
            write()  # the socket takes it at once, most often: no writer to add and remove for each packet
            current = inner.socket()
            if current is not None and current is sock and inner.want_write():  # the rest once it is writable
                loop.add_writer(current.fileno(), write)

        # paho calls this from the loop (a publish, an acknowledgement) or from the connect's executor thread
        # (the CONNECT). Either way the writer is added on the loop's next turn; only from another thread does
        # the loop need waking (the self-pipe write of call_soon_threadsafe, two system calls per packet).
        if threading.get_ident() == loop_thread:
            loop.call_soon(add_writer)
        else:
            loop.call_soon_threadsafe(add_writer)

    def unregister_write(_paho: Any, _userdata: Any, sock: Any) -> None:
        fd = sock.fileno()
        if fd >= 0:
            loop.remove_writer(fd)

    inner.on_socket_register_write = register_write
    inner.on_socket_unregister_write = unregister_write

"""Socket options for xdock's MQTT connections.

paho-mqtt leaves Nagle's algorithm on. Both ends write small packets back to back (central: an
answer, then the acknowledgement of the scan; the edge: the acknowledgement of an answer, then the
next scan), and with Nagle the second waits for the peer's delayed ACK: up to 40 ms per scan. A
worker waiting for a door must not wait for that.
"""

from __future__ import annotations

import logging
import socket

import aiomqtt

from xdock.transport.aiomqtt_private import paho

__all__ = ["no_delay"]

log = logging.getLogger(__name__)


def no_delay(client: aiomqtt.Client) -> None:
    """Turn Nagle's algorithm off on ``client``'s connected socket."""
    sock = paho(client).socket()  # aiomqtt exposes no socket options
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    else:
        log.debug("MQTT transport %r takes no TCP_NODELAY", sock)

"""The API's listening socket, bound before anything starts: a port in use is one clear error at start-up.

Plain sockets only (no web stack), so central binds its port at once and loads the web stack later.
"""

from __future__ import annotations

import errno
import socket

__all__ = ["ApiAddressError", "bind_api"]


class ApiAddressError(OSError):
    """The API's address cannot be bound: the port is in use, not permitted, or the interface is unknown."""

    def __init__(self, host: str, port: int, reason: str, code: int | None = None) -> None:
        super().__init__(code, f"cannot serve the API on {host}:{port}: {reason}")
        self.host, self.port, self.reason = host, port, reason

    def __str__(self) -> str:
        return str(self.strerror)


def bind_api(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (``0``: a free port) for :func:`serve_http`; :class:`ApiAddressError` if not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "port in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc)).lower()
        raise ApiAddressError(host, port, reason, exc.errno) from exc
    return sock

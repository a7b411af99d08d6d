"""Serving the API on central's own event loop (uvicorn, embedded).

The composition root owns signals and cancellation: cancelling :func:`serve_http` shuts the
server down gracefully and then re-raises the cancellation. It may bind the API's address first
(:func:`bind_api`), before anything else starts, so a port in use is one clear error at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import Callable, Iterator

import uvicorn
from fastapi import FastAPI

__all__ = ["ApiAddressError", "bind_api", "serve_http"]


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


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


async def serve_http(
    app: FastAPI, host: str, port: int, *, on_bound: Callable[[int], None] | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve ``app`` on ``host:port`` (``0`` picks a free port, reported to ``on_bound``) until cancelled.

    ``sock``, bound earlier by :func:`bind_api`, is served instead of binding ``host:port`` here; it is
    closed when serving ends.
    """
    if sock is None:
        sock = bind_api(host, port)
    if on_bound is not None:
        on_bound(sock.getsockname()[1])
    server = _EmbeddedServer(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    )
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        server.should_exit = True
        await serving
        raise
    finally:
        sock.close()

"""Serving the API on central's own event loop (uvicorn, embedded).

The composition root owns signals and cancellation: cancelling :func:`serve_http` shuts the
server down gracefully and then re-raises the cancellation. It may bind the API's address first
(:func:`bind_api`), before anything else starts, so a port in use is one clear error at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Iterator

import uvicorn
from fastapi import FastAPI

from xdock.central.api.listen_socket import bind_api

__all__ = ["serve_http"]


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


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

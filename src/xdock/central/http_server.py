"""Serving the API on central's own event loop (uvicorn, embedded).

The composition root owns signals and cancellation: cancelling :func:`serve_http` shuts the
server down gracefully and then re-raises the cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Iterator

import uvicorn
from fastapi import FastAPI

__all__ = ["serve_http"]


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_http(
    app: FastAPI, host: str, port: int, *, on_bound: Callable[[int], None] | None = None
) -> None:
    """Serve ``app`` on ``host:port`` (``0`` picks a free port, reported to ``on_bound``) until cancelled."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"Cannot serve the API on {host}:{port}: {exc.strerror}") from exc
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

"""The screens' routes: the dashboard (``/``), the handheld (``/handheld``), their static files,
the live WebSocket (``/api/v1/live``, closed when its sign-in stops holding: see
:mod:`~xdock.central.web.live_guard`), the dashboard's KPIs (``/api/v1/kpis``), the handheld's REST
endpoints, and what the pages need to
sign in: ``GET /api/v1/access`` (open: is access control on?) and ``GET /api/v1/me`` (who the
token belongs to).

Pages and assets are package data (``xdock/central/web/static``), plain HTML, CSS and JavaScript:
nothing is fetched from anywhere but central itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from pydantic import BaseModel

from xdock.central.api.access import Access
from xdock.central.api.auth import Principal, Role
from xdock.central.web.handheld_api import handheld_router
from xdock.central.web.hub import LiveHub, Subscription
from xdock.central.web.live_auth import LiveRefusedError, live_grant
from xdock.central.web.live_guard import LiveGuard

__all__ = ["AccessOut", "MeOut", "web_router"]

log = logging.getLogger(__name__)

_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


class AccessOut(BaseModel):
    """Whether central's API asks for a token (the screens show their sign-in when it does)."""

    enabled: bool


class MeOut(BaseModel):
    """The caller: a user and its role (``anonymous``, ``admin``, when access control is off)."""

    name: str
    role: Role


def _static(name: str) -> Response:
    folder = resources.files("xdock.central.web").joinpath("static")
    suffix = name[name.rfind("."):] if "." in name else ""
    if "/" in name or name.startswith(".") or suffix not in _TYPES:
        raise HTTPException(404, f"No static file {name!r}")
    item = folder.joinpath(name)
    if not item.is_file():
        raise HTTPException(404, f"No static file {name!r}")
    return Response(item.read_bytes(), media_type=_TYPES[suffix], headers={"Cache-Control": "no-cache"})


async def _send(ws: WebSocket, sub: Subscription) -> None:
    while (text := await sub.queue.get()) is not None:
        await ws.send_text(text)
    await ws.close(sub.close_code, sub.close_reason)


async def _receive(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await ws.receive_text()


def web_router(hub: LiveHub, access: Access, *, api_dependencies: Sequence[Any] = ()) -> APIRouter:
    """Routes of the dashboard and the handheld over ``hub``'s site.

    ``api_dependencies`` guard the handheld's REST endpoints (the API's access check); ``access``
    also guards ``/api/v1/me`` and the live WebSocket (token as its first message, see
    :mod:`~xdock.central.web.live_auth`). The pages, their files and ``/api/v1/access`` are open.
    """
    router = APIRouter()
    reader = Depends(access.require("worker"))
    guard = LiveGuard(access)

    @router.get("/api/v1/access", summary="Whether the API asks for a bearer token (open to anyone)")
    async def access_state() -> AccessOut:
        return AccessOut(enabled=access.enabled)

    @router.get("/api/v1/me", summary="The user the bearer token belongs to, and its role")
    async def me(caller: Principal = reader) -> MeOut:
        return MeOut(name=caller.name, role=caller.role)

    @router.get("/api/v1/kpis", summary="The dashboard's KPIs now: throughput, dock-to-dock, departures on time "
                "and late, late pallets, truck waits, door use, mis-loads")
    async def kpis(_caller: Principal = reader) -> dict[str, Any]:
        return hub.kpis()

    @router.get("/", include_in_schema=False)
    async def dashboard() -> Response:
        return _static("dashboard.html")

    @router.get("/handheld", include_in_schema=False)
    async def handheld() -> Response:
        return _static("handheld.html")

    @router.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        return _static(name)

    @router.websocket("/api/v1/live")
    async def live(ws: WebSocket) -> None:
        await ws.accept()
        try:
            held = await live_grant(ws, access)
        except LiveRefusedError as refused:
            log.info("live client refused: %s", refused.reason)
            await ws.close(refused.code, refused.reason)
            return
        except WebSocketDisconnect:
            return
        sub = hub.subscribe()
        watched = guard.watch(held, sub.close)
        try:
            sub.queue.put_nowait(hub.snapshot_text())
            sender = asyncio.ensure_future(_send(ws, sub))
            receiver = asyncio.ensure_future(_receive(ws))
            try:
                await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sender.cancel()
                receiver.cancel()
                for outcome in await asyncio.gather(sender, receiver, return_exceptions=True):
                    if isinstance(outcome, Exception):
                        log.debug("live client gone: %r", outcome)
        finally:
            guard.forget(watched)
            hub.unsubscribe(sub)

    router.include_router(handheld_router(hub), dependencies=list(api_dependencies))
    return router

"""Who may watch the live WebSocket: the token comes as the first message, never in a URL.

Browsers cannot set headers on a WebSocket, so when access control is on the client sends
``{"type": "auth", "token": "..."}`` right after connecting; the server answers with the snapshot
or closes the socket with code :data:`CLOSE_UNAUTHORIZED` (4401, "401" in the private range) and a
reason. Any role may watch by default (the feed is read-only); a user below
:attr:`Access.live_role <xdock.central.api.access.Access.live_role>` is closed with
:data:`CLOSE_FORBIDDEN` (4403). While the stream lasts, :mod:`~xdock.central.web.live_guard` keeps
checking that the sign-in still holds.
"""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import WebSocket, WebSocketDisconnect

from xdock.central.api.access import Access
from xdock.central.api.auth import Grant, TokenRefusedError, grant, has_role

__all__ = ["AUTH_WAIT_S", "CLOSE_FORBIDDEN", "CLOSE_UNAUTHORIZED", "LiveRefusedError", "live_grant"]

log = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
"""Close code when the token is missing, malformed, unknown, revoked or expired, or its user removed."""
CLOSE_FORBIDDEN = 4403
"""Close code when the token's user is below the role the live stream needs."""
AUTH_WAIT_S = 10.0
"""How long a client has to send its token after connecting."""


class LiveRefusedError(Exception):
    """The live WebSocket's caller is not let in; ``reason`` is the close reason (at most 123 bytes)."""

    def __init__(self, reason: str, code: int = CLOSE_UNAUTHORIZED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _token(text: str) -> str:
    try:
        message = json.loads(text)
    except ValueError as exc:
        raise LiveRefusedError('first message: expected JSON {"type": "auth", "token": ...}') from exc
    if not isinstance(message, dict) or message.get("type") != "auth":
        raise LiveRefusedError('first message: expected {"type": "auth", "token": ...}')
    token = message.get("token")
    if not isinstance(token, str) or not token:
        raise LiveRefusedError("first message: token: expected a non-empty string")
    return token


async def live_grant(ws: WebSocket, access: Access, *, wait_s: float = AUTH_WAIT_S) -> Grant | None:
    """The sign-in of an accepted WebSocket (``None`` when access control is off).

    Raise :class:`LiveRefusedError` when access control turns the caller away.
    """
    if not access.enabled:
        return None
    try:
        async with asyncio.timeout(wait_s):
            message = await ws.receive()
    except TimeoutError as exc:
        raise LiveRefusedError(f"a token is required as the first message within {wait_s:g} s") from exc
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if not isinstance(text, str):
        raise LiveRefusedError('first message: expected a text frame {"type": "auth", "token": ...}')
    try:
        held = grant(access.store, _token(text), access.clock.now())
    except TokenRefusedError as refused:
        raise LiveRefusedError(refused.reason) from refused
    principal = held.principal
    if not has_role(principal, access.live_role):
        raise LiveRefusedError(f"user {principal.name} is a {principal.role}; this needs a {access.live_role}",
                               CLOSE_FORBIDDEN)
    log.debug("live client signed in as %s (%s)", principal.name, principal.role)
    return held

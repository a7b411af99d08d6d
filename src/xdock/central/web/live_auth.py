"""Who may watch the live WebSocket: the token comes as the first message, never in a URL.

Browsers cannot set headers on a WebSocket, so when access control is on the client sends
``{"type": "auth", "token": "..."}`` right after connecting; the server answers with the snapshot
or closes the socket with code :data:`CLOSE_UNAUTHORIZED` (4401, "401" in the private range) and a
reason. Any role may watch: the feed is read-only.
"""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import WebSocket, WebSocketDisconnect

from xdock.central.api_access import ANONYMOUS, Access
from xdock.central.auth import Principal, authenticate

__all__ = ["AUTH_WAIT_S", "CLOSE_UNAUTHORIZED", "LiveRefusedError", "live_principal"]

log = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
"""Close code when the token is missing, malformed, unknown or revoked."""
AUTH_WAIT_S = 10.0
"""How long a client has to send its token after connecting."""


class LiveRefusedError(Exception):
    """The live WebSocket's caller is not let in; ``reason`` is the close reason (at most 123 bytes)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


async def live_principal(ws: WebSocket, access: Access, *, wait_s: float = AUTH_WAIT_S) -> Principal:
    """The caller of an accepted WebSocket; :class:`LiveRefusedError` when access control turns it away."""
    if not access.enabled:
        return ANONYMOUS
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
    principal = authenticate(access.store, _token(text))
    if principal is None:
        raise LiveRefusedError("unknown or revoked token")
    log.debug("live client signed in as %s (%s)", principal.name, principal.role)
    return principal

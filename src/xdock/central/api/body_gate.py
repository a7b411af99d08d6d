"""What central's API checks before it reads a request body: who sends it, then how big it is.

FastAPI reads and parses a route's body before it runs the route's dependencies (the token check
of :mod:`xdock.central.api.access` among them), so this ASGI middleware stands in front of the app:

1. a request carrying a body (``Content-Length`` above 0, or ``Transfer-Encoding: chunked``) must
   present a valid bearer token when access control is on; otherwise it is answered ``401`` and
   its body is never read. Whether the token's role is enough is the route's own check (``403``),
   once the body, at most the limit, is read;
2. a body whose ``Content-Length`` is over the limit is answered ``413`` unread; a streamed body is
   cut off as soon as what arrived passes the limit, and answered ``413``.

Requests without a body, and WebSockets, pass untouched; a ``Content-Length`` that is no whole
number is answered ``400``. Every answer is problem+json.
"""

from __future__ import annotations

from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xdock.central.api.access import Access
from xdock.central.api.limits import DEFAULT_MAX_BODY_BYTES
from xdock.central.api.problems import problem_response

__all__ = ["DEFAULT_MAX_BODY_BYTES", "BodyGate", "BodyTooLargeError"]



class BodyTooLargeError(HTTPException):
    """A request body over the limit (``413``)."""

    def __init__(self, limit: int, declared: int | None = None) -> None:
        body = "Request body" if declared is None else f"Request body of {declared} bytes"
        super().__init__(413, f"{body} is over the limit of {limit} bytes")


class BodyGate:
    """The ASGI middleware signing in a body's sender before the body is read, and bounding the body."""

    def __init__(self, app: ASGIApp, *, access: Access, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        if max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be at least 1, got {max_body_bytes}")
        self.app = app
        self.access = access
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and not (length.isascii() and length.isdigit()):
            await problem_response(400, f"Content-Length {length!r}: expected a whole number of bytes")(
                scope, receive, send)
            return
        declared = int(length) if length is not None else None
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if not chunked and not declared:
            await self.app(scope, receive, send)
            return
        try:
            self.access.signed_in(*get_authorization_scheme_param(headers.get("authorization")))
            if declared is not None and declared > self.max_body_bytes:
                raise BodyTooLargeError(self.max_body_bytes, declared)
        except HTTPException as refused:
            await problem_response(refused.status_code, refused.detail, headers=refused.headers)(scope, receive, send)
            return
        await self._bounded(scope, receive, send)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, refusing its body once more than the limit arrived.

        The refusal is raised where the body is read (FastAPI reading a route's body), and answered
        there as every ``HTTPException`` is.
        """
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLargeError(self.max_body_bytes)
            return message

        await self.app(scope, counted, send)

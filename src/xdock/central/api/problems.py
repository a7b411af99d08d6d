"""Every error central's HTTP API answers, as ``application/problem+json`` (RFC 9457).

One body shape, :class:`Problem`, for every status: a route's own refusals (``HTTPException``,
:class:`~xdock.central.api.access.FieldProblem` with its ``field``), what Starlette answers by itself
(``404`` for an unknown route, ``405`` with an ``Allow`` header naming every method of the path),
FastAPI's ``400`` for a body it cannot parse, request validation (``422``, every bad field in
``detail``, the first one in ``field``) and an unexpected failure (``500``, its detail kept in
central's log, not in the answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match
from starlette.types import Scope

__all__ = ["PROBLEM_JSON", "TITLES", "Problem", "allowed_methods", "install_problem_handlers", "problem_response"]

PROBLEM_JSON = "application/problem+json"
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
    500: "Internal Server Error",
}
"""The ``title`` of each status central answers (RFC 9110's reason phrases)."""


class Problem(BaseModel):
    """An error, as application/problem+json (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    """The request field at fault, when one is."""


def problem_response(
    status: int, detail: str, *, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The problem+json answer of ``status``."""
    body = Problem(title=TITLES.get(status, "Error"), status=status, detail=detail, field=field)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON,
                        headers=headers)


def problem_doc(description: str) -> dict[str, Any]:
    """An operation's documented problem+json answer (for ``responses=`` of a route)."""
    return {"description": description, "content": {PROBLEM_JSON: {}}}


def _field(loc: tuple[object, ...]) -> str | None:
    """The name of the field a validation error is about: ``("body", "door")`` → ``door``."""
    named = [str(part) for part in loc[1:] if not isinstance(part, int)]
    return ".".join(named) or None


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """The methods ``app`` answers at the path of ``scope``, all of its routes there together.

    Starlette's own ``405`` names only the methods of the first route of the path; central declares
    one route per method.
    """
    return [
        method for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in app.router.routes)
    ]


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as problem+json."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(app, request.scope))}
        return problem_response(exc.status_code, str(exc.detail), field=getattr(exc, "field", None),
                                headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        unreadable = next((err for err in errors if err.get("type") == "json_invalid"), None)
        if unreadable is not None:  # not a body with a wrong field: no body at all, as JSON reads it
            where = unreadable.get("loc", ("body", 0))
            at = where[-1] if len(where) > 1 else 0
            reason = unreadable.get("ctx", {}).get("error", "invalid JSON")
            return problem_response(400, f"body: not JSON text ({reason} at character {at})", field="body")
        problems = []
        for err in errors:
            where = ".".join(str(part) for part in err.get("loc", ()))
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        field = _field(tuple(errors[0].get("loc", ()))) if errors else None
        return problem_response(422, "; ".join(problems), field=field)

    @app.exception_handler(Exception)
    async def _failed(_: Request, __: Exception) -> JSONResponse:
        # Starlette raises the exception again once this is sent: the server logs its traceback.
        return problem_response(500, "central failed to answer this request; its log tells why")

"""Central's OpenAPI schema with its errors: every operation lists the problem+json answers it may give.

FastAPI documents what a route declares (its ``responses``, a ``422`` for its parameters); the rest
of what central answers is added here, from what the operation is:

* secured (a bearer token in its ``security``, the role it needs as the requirement's scope):
  ``401`` (with ``WWW-Authenticate``), and ``403`` when it needs more than the lowest role;
* taking a body: ``400`` (unparsable), ``413`` (over the limit, see
  :mod:`xdock.central.api.body_gate`), ``422``;
* taking a path parameter: ``404`` (nothing of that id, or an id that is no single path segment);
* any: ``500``.

Every error response, the declared ones too, is ``application/problem+json`` with the
:class:`~xdock.central.api.problems.Problem` schema. An unknown route (``404``) and a method a path
does not have (``405``, with ``Allow``) belong to no operation; ``docs/api-errors.md`` tells them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from xdock.central.api.auth import ROLES
from xdock.central.api.problems import PROBLEM_JSON, Problem

__all__ = ["CentralApi", "with_problems"]

_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_PROBLEM_REF = "#/components/schemas/Problem"
_UNUSED_IF_UNREFERENCED = ("HTTPValidationError", "ValidationError")
"""FastAPI's own 422 body schemas, replaced by ``Problem``."""

DESCRIPTIONS = {
    400: "The body could not be read (not JSON, not UTF-8)",
    401: "No bearer token, or one unknown, revoked or expired (access control is on)",
    403: "The token's user lacks the role this operation needs",
    404: "Nothing of that id",
    413: "The body is over central's limit; it was not read",
    422: "A field is missing or invalid; `field` names the first",
    500: "Central failed to answer; its log tells why",
}
"""The description of an error an operation does not describe itself."""


def _roles(operation: dict[str, Any]) -> set[str]:
    return {role for requirement in operation.get("security", []) for scopes in requirement.values()
            for role in scopes}


def _statuses(path: str, operation: dict[str, Any]) -> list[int]:
    statuses = [500]
    roles = _roles(operation)
    if operation.get("security"):
        statuses.append(401)
    if roles - {ROLES[0]}:
        statuses.append(403)
    if "requestBody" in operation:
        statuses += [400, 413, 422]
    if "{" in path:
        statuses.append(404)
    return statuses


def _document(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for needed in _statuses(path, operation):
        responses.setdefault(str(needed), {"description": DESCRIPTIONS[needed]})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response.setdefault("description", DESCRIPTIONS.get(int(status), "Error"))
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": _PROBLEM_REF}}}
    if "401" in responses:
        responses["401"]["headers"] = {"WWW-Authenticate": {
            "description": "`Bearer`: the scheme a token is presented in", "required": True,
            "schema": {"type": "string"},
        }}
    operation["responses"] = dict(sorted(responses.items()))


def with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (FastAPI's OpenAPI document) with every operation's error answers, as problem+json."""
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                _document(path, operation)
    schemas: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in _UNUSED_IF_UNREFERENCED:
        if name in schemas and f'"#/components/schemas/{name}"' not in json.dumps({**schema, "components": {}}):
            del schemas[name]
    return schema


class CentralApi(FastAPI):
    """Central's FastAPI application: its OpenAPI schema documents every error answer (:func:`with_problems`)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = with_problems(super().openapi())
        return self.openapi_schema

"""The API's access check: a bearer token in, the caller's :class:`~xdock.central.auth.Principal` out.

When access control is on (see :mod:`xdock.central.auth`), every ``/api/v1`` route needs a valid
token: reads any role, overrides and alert acknowledgement ``supervisor``, user and device
management ``admin``. No token or an unknown one is answered 401 (with ``WWW-Authenticate:
Bearer``), a role too low 403; both as problem+json. When it is off, every caller is an ``admin``
named ``anonymous``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from xdock.central.auth import Principal, Role, authenticate, has_role
from xdock.central.store import Store

__all__ = ["ANONYMOUS", "Access", "FieldProblem"]

ANONYMOUS = Principal("anonymous", "admin")
"""The caller when access control is off."""

_bearer = HTTPBearer(auto_error=False, description="A token issued with `xdock central user token NAME`.")


class FieldProblem(HTTPException):
    """An HTTP error about one field of the request, answered as problem+json with a ``field`` member."""

    def __init__(self, status_code: int, field: str, detail: str) -> None:
        super().__init__(status_code, detail)
        self.field = field


class Access:
    """Who may call what. ``required``: ``None`` turns access control on when the store holds a user."""

    def __init__(self, store: Store, required: bool | None = None) -> None:
        self.store = store
        self.required = required

    @property
    def enabled(self) -> bool:
        return self.required if self.required is not None else self.store.has_users()

    def require(self, role: Role) -> Callable[..., Awaitable[Principal]]:
        """A FastAPI dependency giving the caller, refusing callers below ``role``."""

        async def caller(
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        ) -> Principal:
            if not self.enabled:
                return ANONYMOUS
            if credentials is None or credentials.scheme.lower() != "bearer":
                raise HTTPException(401, "Authorization: a bearer token is required",
                                    headers={"WWW-Authenticate": "Bearer"})
            principal = authenticate(self.store, credentials.credentials)
            if principal is None:
                raise HTTPException(401, "Authorization: unknown or revoked token",
                                    headers={"WWW-Authenticate": "Bearer"})
            if not has_role(principal, role):
                raise HTTPException(403, f"user {principal.name} is a {principal.role}; this needs a {role}")
            return principal

        return caller

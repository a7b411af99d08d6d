"""The API's access check: a bearer token in, the caller's :class:`~xdock.central.api.auth.Principal` out.

When access control is on (see :mod:`xdock.central.api.auth`), every ``/api/v1`` route needs a valid
token: reads any role, overrides and alert acknowledgement ``supervisor``, user and device
management ``admin``. No token or an unknown one is answered 401 (with ``WWW-Authenticate:
Bearer``), a role too low 403; both as problem+json. When it is off, every caller is an ``admin``
named ``anonymous``. The role an operation needs is the scope of its ``HTTPBearer`` security
requirement in the OpenAPI schema. A request with a body is signed in before the body is read
(:mod:`xdock.central.api.body_gate`).

:meth:`Access.changed` is the hook of changes to users and tokens made through central's own API:
whoever holds sign-ins (the live streams, see :mod:`xdock.central.web.live_guard`) is told at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from xdock.central.api.auth import ROLES, Principal, Role, TokenRefusedError, grant, has_role
from xdock.central.store.database import Store
from xdock.protocol.clock import Clock, SystemClock

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
    """Who may call what, and who may watch the live stream.

    ``required``: ``None`` turns access control on when the store holds a user. ``clock``: the time
    a token's lifetime is measured in. ``live_role``: the role the live stream needs (any role by
    default). ``recheck_s``: how often open live streams look again at the store's users and tokens
    (changed by another process, such as ``xdock central user``) and at their tokens' lifetime.
    """

    def __init__(
        self, store: Store, required: bool | None = None, *, clock: Clock | None = None,
        live_role: Role = "worker", recheck_s: float = 1.0,
    ) -> None:
        if live_role not in ROLES:
            raise ValueError(f"live_role must be one of {', '.join(ROLES)}, got {live_role!r}")
        if not recheck_s > 0:
            raise ValueError(f"recheck_s must be positive, got {recheck_s}")
        self.store = store
        self.required = required
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.live_role: Role = live_role
        self.recheck_s = recheck_s
        self._listeners: list[Callable[[], None]] = []

    @property
    def enabled(self) -> bool:
        return self.required if self.required is not None else self.store.has_users()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each change to users or tokens made through :meth:`changed`."""
        self._listeners.append(listener)

    def changed(self) -> None:
        """Users or tokens changed (a role saved, tokens revoked, a user removed): tell the listeners."""
        for listener in list(self._listeners):
            listener()

    def signed_in(self, scheme: str | None, token: str | None) -> Principal:
        """Who presents ``token`` in ``scheme`` (an ``Authorization`` header's two parts), whatever its role.

        Raises a ``401`` :class:`HTTPException` (with ``WWW-Authenticate: Bearer``) when no one does.
        """
        if not self.enabled:
            return ANONYMOUS
        if not scheme or scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "Authorization: a bearer token is required",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            return grant(self.store, token, self.clock.now()).principal
        except TokenRefusedError as refused:
            raise HTTPException(401, f"Authorization: {refused.reason}",
                                headers={"WWW-Authenticate": "Bearer"}) from refused

    def require(self, role: Role) -> Callable[..., Awaitable[Principal]]:
        """A FastAPI dependency giving the caller, refusing callers below ``role``."""

        bearer = Security(_bearer, scopes=[role])  # the role shows in the operation's security requirement

        async def caller(credentials: HTTPAuthorizationCredentials | None = bearer) -> Principal:
            principal = self.signed_in(credentials.scheme if credentials else None,
                                       credentials.credentials if credentials else None)
            if not has_role(principal, role):
                raise HTTPException(403, f"user {principal.name} is a {principal.role}; this needs a {role}")
            return principal

        return caller

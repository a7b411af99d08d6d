"""Who may use central's API: users with a role, and the bearer tokens they present.

Roles, each allowed what the one before it may do:

* ``worker``     reads the site's state (the handheld screen);
* ``supervisor`` also overrides the plan and acknowledges alerts (the dashboard);
* ``admin``      also manages users and their tokens.

A token is 32 random bytes (``secrets``), shown once when issued and kept only as its SHA-256
digest: a stolen store gives no usable token. A presented token is hashed, looked up by digest and
the stored digest compared again in constant time (:func:`hmac.compare_digest`).

Access control is on when the store holds at least one user (or when forced); with no user at all
(the demo, a fresh site) the API is open, as before.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from xdock.central.store import Store, UserRow

__all__ = ["ROLES", "AuthError", "Principal", "Role", "UserAdmin", "authenticate", "has_role", "token_digest"]

log = logging.getLogger(__name__)

Role = Literal["worker", "supervisor", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
"""From least to most allowed."""

TOKEN_PREFIX = "xdk_"  # noqa: S105 - marks a token's text, no secret
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AuthError(ValueError):
    """A user or role that cannot be accepted; the message names the bad field."""


@dataclass(frozen=True)
class Principal:
    """Who made a request: a user and its role (``anonymous``, ``admin``, when access control is off)."""

    name: str
    role: Role


def has_role(principal: Principal, needed: Role) -> bool:
    """``principal`` may do what ``needed`` may."""
    return ROLES.index(principal.role) >= ROLES.index(needed)


def token_digest(token: str) -> str:
    """The SHA-256 (hex) a token is stored as."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def authenticate(store: Store, token: str) -> Principal | None:
    """The user a bearer token belongs to, or ``None`` for an unknown or revoked token."""
    digest = token_digest(token)
    found = store.token_user(digest)
    if found is None or not hmac.compare_digest(found[0], digest):
        return None
    user = found[1]
    return Principal(user.name, _role(user.role))


def _role(text: str) -> Role:
    for role in ROLES:
        if role == text:
            return role
    raise AuthError(f"Invalid role {text!r}: expected one of {', '.join(ROLES)}")


class UserAdmin:
    """Adds users, issues and revokes tokens; every change is an event of the log naming who did it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def users(self) -> list[UserRow]:
        return self.store.users()

    def add(self, name: str, role: str, at: datetime, *, by: str) -> UserRow:
        """Add user ``name`` (or change its role); raise :class:`AuthError` naming the bad field."""
        if not _NAME.match(name):
            raise AuthError(
                f"Invalid user name {name!r}: expected 1-64 letters, digits or . _ @ - (not first)"
            )
        checked = _role(role)
        with self.store.transaction() as tx:
            tx.put_user(name, checked, at)
            tx.append_event(at, "user_saved", {"by": by, "user": name, "role": checked})
        log.info("user %s saved with role %s by %s", name, checked, by)
        return next(u for u in self.store.users() if u.name == name)

    def issue(self, name: str, at: datetime, *, by: str) -> str:
        """A new token for user ``name``; returned once, stored only as its digest."""
        if not any(u.name == name for u in self.store.users()):
            raise AuthError(f"Unknown user {name!r}: add the user before issuing a token")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.store.transaction() as tx:
            tx.put_token(token_digest(token), name, at)
            tx.append_event(at, "token_issued", {"by": by, "user": name})
        log.info("token issued for %s by %s", name, by)
        return token

    def revoke(self, name: str, at: datetime, *, by: str) -> int:
        """Revoke every token of user ``name``; return how many were live."""
        if not any(u.name == name for u in self.store.users()):
            raise AuthError(f"Unknown user {name!r}")
        with self.store.transaction() as tx:
            count = tx.revoke_tokens(name, at)
            tx.append_event(at, "tokens_revoked", {"by": by, "user": name, "count": count})
        return count

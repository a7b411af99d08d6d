"""Who may use central's API: users with a role, and the bearer tokens they present.

Roles, each allowed what the one before it may do:

* ``worker``     reads the site's state (the handheld screen);
* ``supervisor`` also overrides the plan and acknowledges alerts (the dashboard);
* ``admin``      also manages users and their tokens.

A token is 32 random bytes (``secrets``), shown once when issued and kept only as its SHA-256
digest: a stolen store gives no usable token. A presented token is hashed, looked up by digest and
the stored digest compared again in constant time (:func:`hmac.compare_digest`). A token may be
issued with a lifetime; after it, the token is refused as if revoked.

What a token let in is re-checked with :func:`signed_out` (the live streams do it whenever the
store's access generation moves on, and against the clock for a lifetime's end).

Access control is on when the store holds at least one user (or when forced); with no user at all
(the demo, a fresh site) the API is open, as before.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from xdock.central.store.database import Store, UserRow

__all__ = [
    "ROLES", "AuthError", "Grant", "Principal", "Role", "SignedOut", "TokenRefusedError", "UserAdmin",
    "authenticate", "grant", "has_role", "signed_out", "token_digest",
]

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


class TokenRefusedError(Exception):
    """A presented token lets no one in; ``reason`` says why (unknown or revoked, expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    """What a token accepted at sign-in lets in: its user (as :class:`Principal`), its digest, its end."""

    principal: Principal
    digest: str
    expires_at: datetime | None
    """When the token stops being accepted; ``None``: only when revoked."""

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def grant(store: Store, token: str, now: datetime) -> Grant:
    """The grant of a bearer token at ``now``; :class:`TokenRefusedError` for an unknown, revoked or expired one."""
    digest = token_digest(token)
    found = store.token_user(digest)
    if found is None or not hmac.compare_digest(found.sha256, digest):
        raise TokenRefusedError("unknown or revoked token")
    if found.expires_at is not None and now >= found.expires_at:
        raise TokenRefusedError(f"token expired at {found.expires_at.isoformat()}")
    return Grant(Principal(found.user.name, _role(found.user.role)), digest, found.expires_at)


def authenticate(store: Store, token: str, now: datetime) -> Principal | None:
    """The user a bearer token belongs to at ``now``, or ``None`` for an unknown, revoked or expired token."""
    try:
        return grant(store, token, now).principal
    except TokenRefusedError:
        return None


@dataclass(frozen=True)
class SignedOut:
    """Why a grant no longer holds; ``role_too_low``: the token is good, its user's role is not."""

    reason: str
    role_too_low: bool = False


def signed_out(store: Store, held: Grant, needed: Role, now: datetime) -> SignedOut | None:
    """Why a grant taken earlier no longer holds for something needing ``needed`` (``None``: it holds).

    The reasons read ``signed out: user removed``, ``signed out: token revoked``, ``signed out: token
    expired`` or ``signed out: user NAME is now a ROLE; this needs a NEEDED``.
    """
    found = store.token_user(held.digest)  # joined with its user: found, the user is there too
    if found is None:
        removed = store.user(held.principal.name) is None
        return SignedOut("signed out: user removed" if removed else "signed out: token revoked")
    if found.expires_at is not None and now >= found.expires_at:
        return SignedOut("signed out: token expired")
    user = found.user
    role = _role(user.role)
    if ROLES.index(role) < ROLES.index(needed):
        return SignedOut(f"signed out: user {user.name} is now a {role}; this needs a {needed}", role_too_low=True)
    return None


def _role(text: str) -> Role:
    for role in ROLES:
        if role == text:
            return role
    raise AuthError(f"Invalid role {text!r}: expected one of {', '.join(ROLES)}")


class UserAdmin:
    """Adds and removes users, issues and revokes tokens; every change is an event of the log naming who did it.

    ``on_change`` is called after each change that can take access away (a role saved, tokens
    revoked, a user removed), so whoever holds sign-ins (the live streams) looks again at once.
    """

    def __init__(self, store: Store, on_change: Callable[[], None] | None = None) -> None:
        self.store = store
        self.on_change = on_change

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def users(self) -> list[UserRow]:
        return self.store.users()

    def add(self, name: str, role: str, at: datetime, *, by: str) -> UserRow:
        """Add user ``name`` (or change its role); raise :class:`AuthError` naming the bad field."""
        if not _NAME.fullmatch(name):
            raise AuthError(
                f"Invalid user name {name!r}: expected 1-64 letters, digits or . _ @ - (not first)"
            )
        checked = _role(role)
        with self.store.transaction() as tx:
            tx.put_user(name, checked, at)
            tx.append_event(at, "user_saved", {"by": by, "user": name, "role": checked})
        log.info("user %s saved with role %s by %s", name, checked, by)
        self._changed()
        return next(u for u in self.store.users() if u.name == name)

    def issue(self, name: str, at: datetime, *, by: str, valid_for: timedelta | None = None) -> str:
        """A new token for user ``name``, accepted until revoked or, with ``valid_for``, until ``at + valid_for``.

        Returned once, stored only as its digest.
        """
        if self.store.user(name) is None:
            raise AuthError(f"Unknown user {name!r}: add the user before issuing a token")
        if valid_for is not None and valid_for <= timedelta(0):
            raise AuthError(f"Invalid token lifetime {valid_for.total_seconds():g} s: expected more than 0")
        expires_at = at + valid_for if valid_for is not None else None
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        body: dict[str, str] = {"by": by, "user": name}
        if expires_at is not None:
            body["expires_at"] = expires_at.isoformat()
        with self.store.transaction() as tx:
            tx.put_token(token_digest(token), name, at, expires_at)
            tx.append_event(at, "token_issued", body)
        log.info("token issued for %s by %s", name, by)
        return token

    def revoke(self, name: str, at: datetime, *, by: str) -> int:
        """Revoke every token of user ``name``; return how many were live."""
        if self.store.user(name) is None:
            raise AuthError(f"Unknown user {name!r}")
        with self.store.transaction() as tx:
            count = tx.revoke_tokens(name, at)
            tx.append_event(at, "tokens_revoked", {"by": by, "user": name, "count": count})
        log.info("%d token(s) of %s revoked by %s", count, name, by)
        self._changed()
        return count

    def remove(self, name: str, at: datetime, *, by: str) -> int:
        """Remove user ``name`` with its tokens; return how many were live.

        The last admin is kept (removing it would leave no one to manage users through the API).
        """
        user = self.store.user(name)
        if user is None:
            raise AuthError(f"Unknown user {name!r}")
        if user.role == "admin" and sum(u.role == "admin" for u in self.store.users()) == 1:
            raise AuthError(f"User {name!r} is the last admin: add another admin before removing it")
        with self.store.transaction() as tx:
            count = tx.remove_user(name)
            tx.append_event(at, "user_removed", {"by": by, "user": name, "tokens": count})
        log.info("user %s removed by %s (%d live token(s))", name, by, count)
        self._changed()
        return count

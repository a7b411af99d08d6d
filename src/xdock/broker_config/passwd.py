"""Broker passwords: random ones, and Mosquitto's password file with their salted PBKDF2-SHA512 hashes.

A line is ``user:$7$ITERATIONS$SALT$HASH`` (salt and hash in base64), the format ``mosquitto_passwd``
writes. The iteration count is Mosquitto's own default: the passwords are 256 random bits, which no
guessing reaches, so more stretching would only cost the broker time at each log-in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping

__all__ = ["ITERATIONS", "hash_password", "new_password", "render_passwd"]

ITERATIONS = 101
_SALT_BYTES = 12
_HASH_BYTES = 64


def new_password() -> str:
    """A random password of 256 bits in URL-safe characters (safe in a broker URL and in a file)."""
    return secrets.token_urlsafe(32)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The ``$7$`` hash of ``password``, with ``salt`` (default: 12 random bytes)."""
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS, _HASH_BYTES)
    return f"$7${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def render_passwd(credentials: Mapping[str, str]) -> str:
    """The ``password_file`` text: one hashed line per user of ``credentials`` (user -> password)."""
    return "".join(f"{user}:{hash_password(password)}\n" for user, password in credentials.items())

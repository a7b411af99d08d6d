"""Webhook signatures in the manner of the Standard Webhooks specification: secrets, signing, verifying.

A delivery carries three headers::

    webhook-id         the event's stable id (the same on every retry), e.g. msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
    webhook-timestamp  when this attempt was signed, integer seconds since the Unix epoch
    webhook-signature  v1,<base64 of HMAC-SHA256 over "<id>.<timestamp>.<body>">, space-separated when
                       several secrets are active (a rotation: the old secret and the new one sign alike)

A secret is written ``whsec_<base64 of 24 to 64 random bytes>``; its key never appears in a ``repr`` or
an error. The receiver :func:`verify` checks the headers against the raw body bytes, the timestamp
against its clock (both ways, ``tolerance_s``), and the signatures in constant time; signatures of a
version other than ``v1`` are skipped, as the specification asks.

Errors::

    WebhookError(ValueError)
      SecretError      a secret that is not whsec_<base64> of 24 to 64 bytes
      SignatureError   a delivery refused; ``reason`` is one of REASONS, ``str(error)`` the detail
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets as _random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Self

__all__ = [
    "HEADER_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "REASONS",
    "SecretError",
    "SignatureError",
    "WebhookError",
    "WebhookSecret",
    "sign",
    "signature_headers",
    "verify",
]

HEADER_ID: Final = "webhook-id"
HEADER_TIMESTAMP: Final = "webhook-timestamp"
HEADER_SIGNATURE: Final = "webhook-signature"
REASONS: Final = (
    f"missing header {HEADER_ID}",
    f"missing header {HEADER_TIMESTAMP}",
    f"missing header {HEADER_SIGNATURE}",
    "bad message id",
    "bad timestamp",
    "timestamp too old",
    "timestamp too new",
    "no signature matches",
)
"""Every :attr:`SignatureError.reason`, short enough for a log field or a counter's label."""

_PREFIX: Final = "whsec_"
_VERSION: Final = "v1"
_KEY_BYTES: Final = (24, 64)
_GENERATED_BYTES: Final = 32
_BASE64_ALPHABET: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_MESSAGE_ID = re.compile(r"[\x21-\x7e]{1,256}")
"""A message id fits a header and the signed content: 1-256 printable ASCII characters, no space."""
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SHOWN = 40


class WebhookError(ValueError):
    """Base of this module's errors."""


class SecretError(WebhookError):
    """A webhook secret of the wrong form; the text says what is wrong without showing the key."""


class SignatureError(WebhookError):
    """A delivery whose headers or signature do not hold; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass(frozen=True, repr=False)
class WebhookSecret:
    """A shared HMAC key; ``str()`` and ``repr()`` never show it, :attr:`text` is its ``whsec_`` form."""

    key: bytes

    def __post_init__(self) -> None:
        low, high = _KEY_BYTES
        if not low <= len(self.key) <= high:
            raise SecretError(f"Invalid webhook secret: expected {low} to {high} bytes of key, found {len(self.key)}")

    @classmethod
    def parse(cls, text: str) -> Self:
        """The secret written ``whsec_<base64>``."""
        if not text.startswith(_PREFIX):
            raise SecretError(
                f"Invalid webhook secret: expected it to start with {_PREFIX!r}, found a {len(text)}-character "
                "text without it"
            )
        encoded = text[len(_PREFIX) :]
        if not encoded:
            raise SecretError(f"Invalid webhook secret: expected base64 after {_PREFIX!r}, found nothing")
        outside = next((i for i, char in enumerate(encoded) if char not in _BASE64_ALPHABET), None)
        if outside is not None:
            raise SecretError(
                f"Invalid webhook secret: expected base64 after {_PREFIX!r}, found a character outside "
                f"A-Z a-z 0-9 + / = at position {len(_PREFIX) + outside}"
            )
        if not _BASE64.fullmatch(encoded) or len(encoded) % 4:
            raise SecretError(
                f"Invalid webhook secret: expected base64 after {_PREFIX!r} in groups of 4 characters, '=' only "
                f"at the end, found {len(encoded)} characters"
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:  # checked above; kept so a surprise still names the secret's form
            raise SecretError(f"Invalid webhook secret: expected base64 after {_PREFIX!r}: {error}") from None
        return cls(key)

    @classmethod
    def generate(cls) -> Self:
        """A new random secret (32 bytes from :mod:`secrets`)."""
        return cls(_random.token_bytes(_GENERATED_BYTES))

    @property
    def text(self) -> str:
        """The secret as configured and shared: ``whsec_<base64>``."""
        return _PREFIX + base64.b64encode(self.key).decode("ascii")

    def __repr__(self) -> str:
        return f"WebhookSecret(<{len(self.key)} bytes>)"


def _check_message(msg_id: str, timestamp: int) -> None:
    if not _MESSAGE_ID.fullmatch(msg_id):
        raise ValueError(f"Invalid webhook id {_shown(msg_id)}: expected 1-256 printable ASCII characters, no space")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError(f"Invalid webhook timestamp {timestamp!r}: expected integer seconds since the epoch")


def _digest(secret: WebhookSecret, msg_id: str, timestamp: int, body: bytes) -> bytes:
    content = f"{msg_id}.{timestamp}.".encode("ascii") + body
    return hmac.new(secret.key, content, hashlib.sha256).digest()


def sign(secret: WebhookSecret, msg_id: str, timestamp: int, body: bytes) -> str:
    """The signature ``v1,<base64>`` of ``body`` sent as message ``msg_id`` at ``timestamp`` (epoch seconds)."""
    _check_message(msg_id, timestamp)
    return f"{_VERSION}," + base64.b64encode(_digest(secret, msg_id, timestamp, body)).decode("ascii")


def signature_headers(
    secrets: Sequence[WebhookSecret], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of a delivery, signed with each of ``secrets`` (in order)."""
    if not secrets:
        raise ValueError("Invalid webhook secrets: expected at least one, found none")
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets),
    }


def verify(
    secrets: Sequence[WebhookSecret],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance_s: int = 300,
) -> None:
    """Return if a signature in ``headers`` is one of ``secrets``' over ``body``, signed within ``tolerance_s``
    of ``now`` (either way); else raise :class:`SignatureError`. Header names match in any case."""
    if not secrets:
        raise ValueError("Invalid webhook secrets: expected at least one, found none")
    if now.tzinfo is None:
        raise ValueError(f"Invalid now {now.isoformat()}: expected a timezone-aware instant")
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id, stamp, signatures = (_header(lowered, name) for name in (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE))
    if not _MESSAGE_ID.fullmatch(msg_id):
        raise SignatureError(
            "bad message id", f"{HEADER_ID} {_shown(msg_id)}: expected 1-256 printable ASCII characters, no space"
        )
    if not _TIMESTAMP.fullmatch(stamp):
        raise SignatureError("bad timestamp", f"{HEADER_TIMESTAMP} {_shown(stamp)}: expected integer seconds")
    timestamp, current = int(stamp), int(now.timestamp())
    if timestamp < current - tolerance_s:
        raise SignatureError(
            "timestamp too old",
            f"{HEADER_TIMESTAMP} {timestamp} is {current - timestamp} s before now ({current}), "
            f"expected at most {tolerance_s} s",
        )
    if timestamp > current + tolerance_s:
        raise SignatureError(
            "timestamp too new",
            f"{HEADER_TIMESTAMP} {timestamp} is {timestamp - current} s after now ({current}), "
            f"expected at most {tolerance_s} s",
        )
    offered = [sig for version, _, sig in (item.partition(",") for item in signatures.split()) if version == _VERSION]
    expected = [_digest(secret, msg_id, timestamp, body) for secret in secrets]
    matched = False
    for candidate in offered:
        try:
            given = base64.b64decode(candidate, validate=True)
        except binascii.Error:
            continue
        for digest in expected:  # every pair is compared, so the time taken tells nothing of which matched
            matched |= hmac.compare_digest(given, digest)
    if not matched:
        raise SignatureError(
            "no signature matches",
            f"{len(offered)} {_VERSION} signature(s) in {HEADER_SIGNATURE}, none by any of {len(secrets)} secret(s)",
        )


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None or not value.strip():
        raise SignatureError(f"missing header {name}", "expected a non-empty value, found none")
    return value.strip()


def _shown(value: str) -> str:
    return repr(value) if len(value) <= _SHOWN else repr(value[:_SHOWN]) + "..."

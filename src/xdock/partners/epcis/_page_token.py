"""The nextPageToken: where the last page ended, bound to its query, and refused if edited.

A token is base64url (unpadded) of the JSON ``[1, <last eventTime, UTC>, <last eventID>, <query
fingerprint>, <check>]``, the check being the first 16 hex digits of SHA-256 over the rest. It is no
secret and grants nothing a query could not: the check is there to refuse an edited, truncated or
foreign token with a clear error rather than serve a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from typing import Final

from xdock.partners.epcis.errors import EpcisQueryError

__all__ = ["PageKey", "decode_token", "encode_token", "fingerprint"]

PageKey = tuple[datetime, str]
"""Where an event sorts: its eventTime (aware) then its eventID."""

_VERSION: Final = 1
_TAG: Final = b"xdock epcis page token\n"
_SHOWN: Final = 40


def fingerprint(parts: object) -> str:
    """A short digest of a query's filters (``parts``: JSON-ready), so a token serves only its own query."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _check(body: list[object]) -> str:
    return hashlib.sha256(_TAG + json.dumps(body).encode()).hexdigest()[:16]


def encode_token(after: PageKey, query: str) -> str:
    """The token for the page that starts after ``after`` of the query fingerprinted ``query``."""
    body: list[object] = [_VERSION, after[0].astimezone(UTC).isoformat(), after[1], query]
    raw = json.dumps([*body, _check(body)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, query: str) -> PageKey:
    """Where the page ``token`` asks for starts; :class:`EpcisQueryError` naming nextPageToken if the token
    was not issued as is, or was issued for another query."""
    shown = repr(token) if len(token) <= _SHOWN else repr(token[:_SHOWN]) + "..."
    refused = EpcisQueryError(f"nextPageToken: not a token this service issued (edited or truncated?), got {shown}")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise refused from exc
    if not isinstance(decoded, list) or len(decoded) != 5 or decoded[0] != _VERSION:
        raise refused
    *body, check = decoded
    if check != _check(body) or not all(isinstance(part, str) for part in body[1:]):
        raise refused
    _, time, event_id, token_query = body
    if token_query != query:
        raise EpcisQueryError("nextPageToken: the token belongs to another query: send the same parameters again")
    try:
        return datetime.fromisoformat(time), event_id
    except ValueError as exc:
        raise refused from exc

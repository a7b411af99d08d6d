"""Signed webhooks for the site's partners, pure: Standard Webhooks signatures and the retry schedule."""

from xdock.partners.webhooks.retry import RetryPolicy
from xdock.partners.webhooks.signing import (
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    REASONS,
    SecretError,
    SignatureError,
    WebhookError,
    WebhookSecret,
    sign,
    signature_headers,
    verify,
)

__all__ = [
    "HEADER_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "REASONS",
    "RetryPolicy",
    "SecretError",
    "SignatureError",
    "WebhookError",
    "WebhookSecret",
    "sign",
    "signature_headers",
    "verify",
]

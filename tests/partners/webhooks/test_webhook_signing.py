"""Standard Webhooks signatures: the exact signature, verification, each refusal's text, rotation, secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.partners.webhooks import (
    REASONS,
    SecretError,
    SignatureError,
    WebhookSecret,
    sign,
    signature_headers,
    verify,
)

SECRET_TEXT = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRET = WebhookSecret.parse(SECRET_TEXT)
OTHER = WebhookSecret(bytes(range(32)))
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
AT = datetime.fromtimestamp(TIMESTAMP, UTC)


def expected_signature(secret_text: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The signature computed another way: straight from the specification's words with hmac and base64."""
    key = base64.b64decode(secret_text.removeprefix("whsec_"))
    mac = hmac.new(key, msg_id.encode() + b"." + str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def refusal(headers: dict[str, str], body: bytes = BODY, *, now: datetime = AT,
            secrets: tuple[WebhookSecret, ...] = (SECRET,)) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify(secrets, headers, body, now=now)
    return caught.value


def test_the_signature_of_a_fixed_message_is_the_one_the_specification_gives() -> None:
    signature = sign(SECRET, MSG_ID, TIMESTAMP, BODY)
    assert signature == expected_signature(SECRET_TEXT, MSG_ID, TIMESTAMP, BODY)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_headers_carry_id_timestamp_and_one_signature_per_secret_in_order() -> None:
    other_text = OTHER.text
    assert signature_headers([SECRET, OTHER], MSG_ID, TIMESTAMP, BODY) == {
        "webhook-id": MSG_ID,
        "webhook-timestamp": "1614265330",
        "webhook-signature": expected_signature(SECRET_TEXT, MSG_ID, TIMESTAMP, BODY) + " "
        + expected_signature(other_text, MSG_ID, TIMESTAMP, BODY),
    }


def test_a_signed_delivery_verifies_whatever_the_header_names_case() -> None:
    headers = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY)
    assert verify([SECRET], headers, BODY, now=AT) is None
    shouted = {name.title(): value for name, value in headers.items()}
    assert set(shouted) == {"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"}
    assert verify([SECRET], shouted, BODY, now=AT) is None


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused_by_name(missing: str) -> None:
    headers = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY)
    del headers[missing]
    error = refusal(headers)
    assert error.reason == f"missing header {missing}"
    assert str(error) == f"missing header {missing}: expected a non-empty value, found none"


def test_a_timestamp_that_is_not_integer_seconds_is_refused() -> None:
    headers = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY) | {"webhook-timestamp": "1614265330.5"}
    error = refusal(headers)
    assert (error.reason, str(error)) == (
        "bad timestamp", "bad timestamp: webhook-timestamp '1614265330.5': expected integer seconds"
    )


def test_a_timestamp_older_than_the_tolerance_is_refused_and_one_at_the_tolerance_is_not() -> None:
    headers = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY)
    assert verify([SECRET], headers, BODY, now=AT + timedelta(seconds=300)) is None
    error = refusal(headers, now=AT + timedelta(seconds=301))
    assert (error.reason, str(error)) == (
        "timestamp too old",
        "timestamp too old: webhook-timestamp 1614265330 is 301 s before now (1614265631), expected at most 300 s",
    )


def test_a_timestamp_further_ahead_than_the_tolerance_is_refused() -> None:
    headers = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY)
    assert verify([SECRET], headers, BODY, now=AT - timedelta(seconds=300)) is None
    error = refusal(headers, now=AT - timedelta(seconds=301))
    assert (error.reason, str(error)) == (
        "timestamp too new",
        "timestamp too new: webhook-timestamp 1614265330 is 301 s after now (1614265029), expected at most 300 s",
    )


def test_a_tampered_body_is_refused() -> None:
    headers = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY)
    error = refusal(headers, b'{"test": 2432232315}')
    assert (error.reason, str(error)) == (
        "no signature matches",
        "no signature matches: 1 v1 signature(s) in webhook-signature, none by any of 1 secret(s)",
    )


def test_a_changed_id_or_timestamp_is_refused() -> None:
    headers = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY)
    assert refusal(headers | {"webhook-id": "msg_other"}).reason == "no signature matches"
    assert refusal(headers | {"webhook-timestamp": str(TIMESTAMP + 1)}).reason == "no signature matches"


def test_a_signature_by_another_secret_or_of_another_version_is_refused() -> None:
    by_other = signature_headers([OTHER], MSG_ID, TIMESTAMP, BODY)
    assert refusal(by_other).reason == "no signature matches"
    mac = sign(SECRET, MSG_ID, TIMESTAMP, BODY).removeprefix("v1,")
    error = refusal(by_other | {"webhook-signature": f"v1a,{mac} v2,{mac} v1,!!notbase64"})
    assert str(error) == "no signature matches: 1 v1 signature(s) in webhook-signature, none by any of 1 secret(s)"


def test_while_a_secret_rotates_either_secret_verifies_a_delivery_signed_by_both() -> None:
    both = signature_headers([SECRET, OTHER], MSG_ID, TIMESTAMP, BODY)
    assert verify([SECRET], both, BODY, now=AT) is None
    assert verify([OTHER], both, BODY, now=AT) is None
    old_only = signature_headers([SECRET], MSG_ID, TIMESTAMP, BODY)
    assert verify([OTHER, SECRET], old_only, BODY, now=AT) is None
    assert refusal(old_only, secrets=(OTHER,)).reason == "no signature matches"


def test_every_reason_is_listed() -> None:
    assert set(REASONS) == {
        "missing header webhook-id", "missing header webhook-timestamp", "missing header webhook-signature",
        "bad message id", "bad timestamp", "timestamp too old", "timestamp too new", "no signature matches",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
         "Invalid webhook secret: expected it to start with 'whsec_', found a 32-character text without it"),
        ("whsec_", "Invalid webhook secret: expected base64 after 'whsec_', found nothing"),
        ("whsec_MfKQ9r8G-YqrTwjU",
         "Invalid webhook secret: expected base64 after 'whsec_', found a character outside A-Z a-z 0-9 + / = "
         "at position 14"),
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
         "Invalid webhook secret: expected base64 after 'whsec_' in groups of 4 characters, '=' only at the end, "
         "found 31 characters"),
        ("whsec_MfKQ=r8GKYqrTwjUPD8ILPZIo2LaLaSw",
         "Invalid webhook secret: expected base64 after 'whsec_' in groups of 4 characters, '=' only at the end, "
         "found 32 characters"),
        ("whsec_dGVzdC1rZXktYnl0ZXM=", "Invalid webhook secret: expected 24 to 64 bytes of key, found 14"),
    ],
)
def test_a_malformed_secret_is_refused_saying_what_is_wrong_without_the_key(text: str, message: str) -> None:
    with pytest.raises(SecretError) as caught:
        WebhookSecret.parse(text)
    assert str(caught.value) == message


def test_a_secret_reads_back_from_its_text_and_never_shows_its_key() -> None:
    assert SECRET.text == SECRET_TEXT
    assert len(SECRET.key) == 24
    assert repr(SECRET) == str(SECRET) == "WebhookSecret(<24 bytes>)"
    fresh = WebhookSecret.generate()
    assert len(fresh.key) == 32
    assert fresh.text.startswith("whsec_")
    assert WebhookSecret.parse(fresh.text) == fresh
    assert WebhookSecret.generate() != fresh


def test_signing_refuses_an_id_that_cannot_be_a_header_and_a_negative_timestamp() -> None:
    with pytest.raises(ValueError, match=r"^Invalid webhook id 'msg 1': expected 1-256 printable ASCII characters, "
                                         r"no space$"):
        sign(SECRET, "msg 1", TIMESTAMP, BODY)
    with pytest.raises(ValueError, match=r"^Invalid webhook timestamp -1: expected integer seconds since the epoch$"):
        sign(SECRET, MSG_ID, -1, BODY)
    with pytest.raises(ValueError, match=r"^Invalid webhook secrets: expected at least one, found none$"):
        signature_headers([], MSG_ID, TIMESTAMP, BODY)


MESSAGE_IDS = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64)


@given(body=st.binary(max_size=4096), msg_id=MESSAGE_IDS, timestamp=st.integers(0, 4_102_444_800),
       key=st.binary(min_size=24, max_size=64))
def test_any_signed_body_verifies_and_any_changed_byte_does_not(
    body: bytes, msg_id: str, timestamp: int, key: bytes
) -> None:
    secret = WebhookSecret(key)
    headers = signature_headers([secret], msg_id, timestamp, body)
    now = datetime.fromtimestamp(timestamp, UTC)
    assert verify([secret], headers, body, now=now) is None
    assert headers["webhook-signature"] == expected_signature(secret.text, msg_id, timestamp, body)
    tampered = body + b"\x00" if not body else bytes([body[0] ^ 1]) + body[1:]
    with pytest.raises(SignatureError) as caught:
        verify([secret], headers, tampered, now=now)
    assert caught.value.reason == "no signature matches"

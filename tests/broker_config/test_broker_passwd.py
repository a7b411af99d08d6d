"""Broker passwords: random, and hashed in the ``$7$`` PBKDF2-SHA512 format of ``mosquitto_passwd``."""

from __future__ import annotations

import base64
import hashlib
import re

from xdock.broker_config import hash_password, new_password, render_passwd


def test_a_hash_is_pbkdf2_sha512_of_the_password_with_its_salt() -> None:
    salt = bytes(range(12))
    line = hash_password("s3cret", salt)
    kind, iterations, salt64, digest64 = line.split("$")[1:]
    assert (kind, iterations, base64.b64decode(salt64)) == ("7", "101", salt)
    assert base64.b64decode(digest64) == hashlib.pbkdf2_hmac("sha512", b"s3cret", salt, 101, 64)


def test_each_hash_has_its_own_salt() -> None:
    assert hash_password("same") != hash_password("same")


def test_passwords_are_random_and_fit_a_url_and_a_file() -> None:
    passwords = {new_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", p) for p in passwords)


def test_the_password_file_has_one_hashed_line_per_user_and_no_password() -> None:
    text = render_passwd({"central": "pw-central", "e1": "pw-e1"})
    lines = text.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["central", "e1"]
    assert all(re.fullmatch(r"[^:]+:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==", line) for line in lines)
    assert "pw-" not in text

"""A client certificate as the broker sees it: its common name (CN) is the client's log-in.

A Mosquitto listener with ``use_identity_as_username`` logs a client in as the CN of the certificate
it shows (the first CN of the subject, as Mosquitto reads it), whatever user name the client sends.
:func:`check_client_cert` loads the certificate and key as the TLS client will and returns that CN,
with errors naming the option (``--broker-cert``, ``--broker-key``) and the file. The CN is read from
the certificate's DER with the few rules of X.509 it needs (no third-party library on an edge gateway).
"""

from __future__ import annotations

import base64
import binascii
import re
import ssl
from pathlib import Path

__all__ = ["check_client_cert", "common_name"]

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----\s*(.+?)\s*-----END CERTIFICATE-----", re.DOTALL)
_CN_OID = bytes.fromhex("550403")  # 2.5.4.3, commonName
_SEQUENCE, _SET, _OID, _VERSION = 0x30, 0x31, 0x06, 0xA0
_STRINGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x14: "latin-1", 0x1E: "utf-16-be"}


def _tlv(der: bytes, pos: int) -> tuple[int, int, int]:
    """The DER element at ``pos``: (tag, start of its content, end of its content)."""
    if pos + 2 > len(der):
        raise ValueError(f"truncated at byte {pos}")
    tag, length, start = der[pos], der[pos + 1], pos + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(der):
            raise ValueError(f"bad length at byte {pos + 1}")
        length, start = int.from_bytes(der[start:start + count], "big"), start + count
    if start + length > len(der):
        raise ValueError(f"element at byte {pos} runs past the end")
    return tag, start, start + length


def _children(der: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    found, pos = [], start
    while pos < end:
        element = _tlv(der, pos)
        found.append(element)
        pos = element[2]
    return found


def common_name(pem: bytes) -> str | None:
    """The first CN of the subject of the first certificate in ``pem``; None if it has none.

    ``ValueError`` when ``pem`` holds no certificate or a malformed one.
    """
    match = _PEM.search(pem)
    if match is None:
        raise ValueError("no certificate in it")
    try:
        der = base64.b64decode(match.group(1), validate=False)
    except binascii.Error as exc:
        raise ValueError(f"bad base64 ({exc})") from exc
    tag, start, end = _tlv(der, 0)
    if tag != _SEQUENCE:
        raise ValueError("not an X.509 certificate")
    tag, start, end = _tlv(der, start)  # tbsCertificate
    fields = _children(der, start, end)
    if tag != _SEQUENCE or not fields:
        raise ValueError("not an X.509 certificate")
    if fields[0][0] == _VERSION:
        fields = fields[1:]
    if len(fields) < 5 or fields[4][0] != _SEQUENCE:  # serial, signature, issuer, validity, subject
        raise ValueError("not an X.509 certificate")
    for set_tag, set_start, set_end in _children(der, fields[4][1], fields[4][2]):
        for pair_tag, pair_start, pair_end in _children(der, set_start, set_end):
            pair = _children(der, pair_start, pair_end)  # AttributeTypeAndValue: type, value
            if set_tag != _SET or pair_tag != _SEQUENCE or len(pair) != 2:
                raise ValueError("malformed subject")
            (oid_tag, oid_start, oid_end), (value_tag, value_start, value_end) = pair
            if oid_tag == _OID and der[oid_start:oid_end] == _CN_OID:
                encoding = _STRINGS.get(value_tag)
                if encoding is None:
                    raise ValueError(f"common name of unknown string type 0x{value_tag:02x}")
                return der[value_start:value_end].decode(encoding)
    return None


def check_client_cert(cert_file: Path, key_file: Path) -> str | None:
    """The CN the broker will log ``cert_file``'s holder in as, once both files load as a TLS client's.

    ``ValueError`` naming ``--broker-cert`` or ``--broker-key`` and the file: unreadable, not PEM, or
    a key that is not the certificate's.
    """
    try:
        cn = common_name(cert_file.read_bytes())
    except OSError as exc:
        raise ValueError(f"--broker-cert {cert_file}: cannot be read ({exc.strerror or exc})") from exc
    except ValueError as exc:
        raise ValueError(f"--broker-cert {cert_file}: not a PEM certificate ({exc})") from exc
    try:
        key_file.read_bytes()
    except OSError as exc:
        raise ValueError(f"--broker-key {key_file}: cannot be read ({exc.strerror or exc})") from exc
    try:
        ssl.create_default_context().load_cert_chain(cert_file, key_file, password=b"")  # never a prompt
    except ssl.SSLError as exc:
        if exc.reason == "KEY_VALUES_MISMATCH":
            raise ValueError(f"--broker-key {key_file}: not the private key of --broker-cert {cert_file}") from exc
        raise ValueError(f"--broker-key {key_file}: not a PEM private key without pass phrase") from exc
    return cn

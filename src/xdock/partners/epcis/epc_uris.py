"""The URIs that name things in our EPCIS events: SSCCs (GS1 Digital Link or EPC URN) and TDS's escaped components.

==========  ==========================================================  =====================
key         form                                                        built by
==========  ==========================================================  =====================
SSCC        ``https://id.gs1.org/00/<18 digits>`` (GS1 Digital Link)    :func:`sscc_uri`
SSCC        ``urn:epc:id:sscc:<company prefix>.<serial reference>``     :func:`sscc_urn`
SGLN        ``urn:epc:id:sgln:<company prefix>.<location ref>.<ext>``   ``SiteIdentity.sgln``
GIAI        ``urn:epc:id:giai:<company prefix>.<asset reference>``      ``SiteIdentity.trailer_epc``
==========  ==========================================================  =====================

Events name pallets by :func:`sscc_uri`: a supplier's SSCC carries its own company prefix, whose length we
do not know, and the URN needs it. The serial reference of the URN is the SSCC's extension digit followed by
the digits after the company prefix, without the check digit (GS1 Tag Data Standard, SSCC pure identity).

Free-text components (an SGLN extension, a GIAI asset reference) take GS1's AI encodable character set 82;
in the URN seven of them are percent-escaped (``" % & / < > ?``, TDS's escaping table) and anything else is
refused, naming the character: :func:`tds_component`.
"""

from __future__ import annotations

import re
import string
from typing import Final

from xdock.partners.epcis.errors import EpcisError
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.protocol.identifiers import IdentifierError, check_sscc

__all__ = [
    "DIGITAL_LINK_SSCC",
    "PREFIX_LENGTHS",
    "SGLN_EXTENSION_LENGTH",
    "check_prefix_length",
    "sgln_extension",
    "sscc_from_urn",
    "sscc_uri",
    "sscc_urn",
    "tds_component",
]

DIGITAL_LINK_SSCC: Final = "https://id.gs1.org/00/"
"""GS1's canonical Digital Link resolver and the SSCC's application identifier (00)."""
PREFIX_LENGTHS: Final = range(6, 13)
"""A GS1 company prefix has 6 to 12 digits in EPC URNs."""

SGLN_EXTENSION_LENGTH: Final = 20
"""GS1 AI 254, the GLN extension component: up to 20 characters."""

_SSCC_URN: Final = re.compile(r"urn:epc:id:sscc:([0-9]+)\.([0-9]+)")
_URN_SAFE: Final = frozenset(string.ascii_letters + string.digits + "!'()*+,-.:;=_")
_ESCAPED: Final = {char: f"%{ord(char):02X}" for char in "\"%&/<>?"}
_CS82_SHOWN: Final = "A-Z a-z 0-9 ! \" % & ' ( ) * + , - . / : ; < = > ? _"


def check_prefix_length(prefix_length: int) -> int:
    """``prefix_length`` if a GS1 company prefix can have that many digits in an EPC URN (6 to 12)."""
    if isinstance(prefix_length, bool) or not isinstance(prefix_length, int) or prefix_length not in PREFIX_LENGTHS:
        raise EpcisError(f"Invalid company prefix length {prefix_length!r}: expected 6 to 12")
    return prefix_length


def _checked_sscc(sscc: str) -> str:
    try:
        return check_sscc(sscc)
    except IdentifierError as exc:
        raise EpcisError(str(exc)) from exc


def sscc_uri(sscc: str) -> str:
    """The SSCC as a GS1 Digital Link URI: ``https://id.gs1.org/00/<sscc>``."""
    return DIGITAL_LINK_SSCC + _checked_sscc(sscc)


def sscc_urn(sscc: str, prefix_length: int) -> str:
    """The SSCC as an EPC URN, its company prefix being its ``prefix_length`` digits after the extension digit."""
    digits = _checked_sscc(sscc)
    cut = 1 + check_prefix_length(prefix_length)
    return f"urn:epc:id:sscc:{digits[1:cut]}.{digits[0]}{digits[cut:17]}"


def sscc_from_urn(urn: str) -> str:
    """The 18-digit SSCC an ``urn:epc:id:sscc:`` URN names (the inverse of :func:`sscc_urn`)."""
    match = _SSCC_URN.fullmatch(urn)
    if match is None:
        raise EpcisError(f"Invalid SSCC URN {urn!r}: expected urn:epc:id:sscc:<company prefix>.<serial reference>")
    prefix, serial = match.groups()
    if len(prefix) not in PREFIX_LENGTHS or len(prefix) + len(serial) != 17:
        raise EpcisError(
            f"Invalid SSCC URN {urn!r}: expected a 6-12 digit company prefix and a serial reference,"
            f" 17 digits together, got {len(prefix)} and {len(serial)}"
        )
    return sscc_with_check_digit(serial[0] + prefix + serial[1:])


def tds_component(what: str, text: str, *, max_length: int) -> str:
    """``text`` as a TDS URN component: GS1 AI encodable character set 82, seven of them percent-escaped.

    :class:`EpcisError` names ``what`` (``SGLN extension``) and the first character refused.
    """
    if not text or len(text) > max_length:
        raise EpcisError(f"Invalid {what} {text!r}: expected 1 to {max_length} characters, got {len(text)}")
    for char in text:
        if char not in _URN_SAFE and char not in _ESCAPED:
            raise EpcisError(
                f"Invalid {what} {text!r}: character {char!r} is not allowed:"
                f" expected {_CS82_SHOWN} (GS1 AI encodable character set 82)"
            )
    return "".join(_ESCAPED.get(char, char) for char in text)


def sgln_extension(extension: str) -> str:
    """A door or area id as the extension of an SGLN: :func:`tds_component`, and never ``0``, which TDS
    reserves for the GLN without extension (the site itself)."""
    escaped = tds_component("SGLN extension", extension, max_length=SGLN_EXTENSION_LENGTH)
    if escaped == "0":
        raise EpcisError(
            "Invalid SGLN extension '0': expected a door or area id other than 0, which TDS reserves"
            " for the GLN without extension"
        )
    return escaped

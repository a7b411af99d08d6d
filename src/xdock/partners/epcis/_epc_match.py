"""One value of the MATCH_epc query parameter, and whether an event's EPC matches it.

========================================  ==========================================================
value                                     matches
========================================  ==========================================================
``urn:epc:idpat:sscc:0614141.*``          every EPC of that scheme whose components equal the
                                          pattern's up to its ``*`` (a trailing run of ``*``, as the
                                          Tag Data Standard's pattern URIs allow); SSCC patterns also
                                          match Digital Link SSCCs, read with the pattern's prefix length
``urn:epc:id:sscc:0614141.1234567890``    that SSCC, as URN or Digital Link
``https://id.gs1.org/00/106141412345678908``  that SSCC, as Digital Link or URN
any other ``urn:epc:id:`` or http(s) URI  exactly that string
========================================  ==========================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from xdock.partners.epcis.epc_uris import DIGITAL_LINK_SSCC, PREFIX_LENGTHS, sscc_from_urn, sscc_urn
from xdock.partners.epcis.errors import EpcisError, EpcisQueryError

__all__ = ["EpcPattern"]

_PATTERN: Final = re.compile(r"urn:epc:idpat:([a-z0-9]+):(.+)")
_DIGITAL_LINK_SSCC: Final = re.compile(re.escape(DIGITAL_LINK_SSCC) + r"([0-9]{18})")
_SCHEMES: Final = ("urn:epc:id:", "urn:epc:idpat:", "https://", "http://")
_SSCC_DIGITS: Final = 17
"""An SSCC's company prefix and serial reference have 17 digits together."""


def _sscc_of(uri: str) -> str | None:
    """The 18-digit SSCC ``uri`` names as Digital Link or URN, else ``None``."""
    match = _DIGITAL_LINK_SSCC.fullmatch(uri)
    if match is not None:
        return match.group(1)
    if uri.startswith("urn:epc:id:sscc:"):
        try:
            return sscc_from_urn(uri)
        except EpcisError:
            return None
    return None


def _fail(value: str, expected: str) -> EpcisQueryError:
    return EpcisQueryError(f"MATCH_epc: expected {expected}, got {value!r}")


@dataclass(frozen=True)
class EpcPattern:
    """A MATCH_epc value, checked: an EPC pattern URI (``scheme`` and ``components`` set) or an exact URI."""

    text: str
    scheme: str | None = None
    components: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: str) -> EpcPattern:
        """The pattern ``value`` states; :class:`EpcisQueryError` naming MATCH_epc and the value if none."""
        if not value.startswith(_SCHEMES) or any(char.isspace() for char in value):
            raise _fail(value, "an EPC URI (urn:epc:id:...), an EPC pattern (urn:epc:idpat:...) or a Digital Link URI")
        if value.startswith("urn:epc:id:"):
            if "*" in value:
                raise _fail(value, "a * only in a pattern URI (urn:epc:idpat:...)")
            if value.startswith("urn:epc:id:sscc:"):
                try:
                    sscc_from_urn(value)
                except EpcisError as exc:
                    raise EpcisQueryError(f"MATCH_epc: {exc}") from exc
            return cls(value)
        match = _PATTERN.fullmatch(value)
        if match is None:
            return cls(value)
        scheme, body = match.groups()
        components = tuple(body.split("."))
        first_star = components.index("*") if "*" in components else len(components)
        if any(part != "*" for part in components[first_star:]):
            raise _fail(value, "components followed by a trailing run of * (urn:epc:idpat:sscc:0614141.*)")
        if scheme == "sscc":
            cls._check_sscc_pattern(value, components)
        return cls(value, scheme, components)

    @staticmethod
    def _check_sscc_pattern(value: str, components: tuple[str, ...]) -> None:
        if len(components) != 2:
            raise _fail(value, "an SSCC pattern of two components (urn:epc:idpat:sscc:<prefix>.<serial> or *)")
        prefix, serial = components
        if prefix != "*" and not (prefix.isdigit() and prefix.isascii() and len(prefix) in PREFIX_LENGTHS):
            raise _fail(value, "an SSCC company prefix of 6 to 12 digits")
        if serial != "*" and not (serial.isdigit() and serial.isascii() and len(prefix + serial) == _SSCC_DIGITS):
            raise _fail(value, "an SSCC serial reference of digits, 17 with the company prefix")

    def matches(self, epc: str) -> bool:
        """Whether the event's EPC ``epc`` is one this pattern names."""
        if self.scheme is None:
            mine = _sscc_of(self.text)
            return epc == self.text or (mine is not None and mine == _sscc_of(epc))
        urn = epc
        if self.scheme == "sscc":
            sscc = _sscc_of(epc)
            if sscc is None:
                return False
            if self.components[0] == "*":
                return True
            urn = sscc_urn(sscc, len(self.components[0]))
        head = f"urn:epc:id:{self.scheme}:"
        if not urn.startswith(head):
            return False
        parts = urn.removeprefix(head).split(".")
        return len(parts) == len(self.components) and all(
            mine in ("*", theirs) for mine, theirs in zip(self.components, parts, strict=True)
        )

"""Identifier rules, one home each: the ids of things, GS1 keys with their check digits, postal codes.

Whoever creates or applies an identifier checks it here, whatever sent it (an edge's uplink, a
handheld, the REST API, the site file):

==============  ===========================================================  =====================
identifier      form                                                         where
==============  ===========================================================  =====================
id              1-64 of ``A-Z a-z 0-9 _ -`` (:data:`ID_PATTERN`): sites,     topics, messages,
                edges, devices, sensors, doors, areas, trailers, trucks      site file, API
SSCC            18 digits, GS1 mod-10 check digit last                       labels, messages
GLN             13 digits, check digit                                       labels, messages,
                                                                             site file
GTIN            8, 12, 13 or 14 digits, check digit                          labels, EPCs
postal code     1-20 of letters, digits, spaces, ``-``; a letter or digit    messages, site file
                first (:data:`POSTAL_CODE_PATTERN`); a destination's entry
                may end in ``*`` to match a prefix
country code    3 digits, ISO 3166 numeric (the GS1 AI 421 prefix)            messages
==============  ===========================================================  =====================

``check_*`` raise :class:`IdentifierError` with the input, what was expected and what was found,
worded as :mod:`biip` does: ``Invalid SSCC check digit for '376130320510005997': expected 6, got 7``.
The pydantic types (:data:`Id`, :data:`Sscc`, :data:`Gln`, :data:`Gtin`, :data:`PostalCode`,
:data:`CountryCode`) raise the same text as an error of type :data:`BAD_IDENTIFIER`, so a model's
error names the field (``field 'sscc': Invalid SSCC check digit ...``) and a decoder can count it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Final

from biip.checksums import gs1_standard_check_digit
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "BAD_IDENTIFIER",
    "ID_PATTERN",
    "POSTAL_CODE_PATTERN",
    "CountryCode",
    "Gln",
    "Gtin",
    "Id",
    "IdentifierError",
    "PostalCode",
    "PostalCodeMatch",
    "Sscc",
    "check_country_code",
    "check_digit_problem",
    "check_gln",
    "check_gtin",
    "check_id",
    "check_postal_code",
    "check_postal_code_match",
    "check_sscc",
]

ID_PATTERN: Final = "[A-Za-z0-9_-]{1,64}"
"""An id fits one MQTT topic level and one URL path segment: no ``/``, ``+``, ``#``, space or control."""
POSTAL_CODE_PATTERN: Final = "[A-Za-z0-9][A-Za-z0-9 -]{0,19}"
BAD_IDENTIFIER: Final = "bad_identifier"
"""The pydantic error type of every refusal here."""

_ID = re.compile(ID_PATTERN)
_POSTAL_CODE = re.compile(POSTAL_CODE_PATTERN)
_DIGITS = re.compile(r"[0-9]+")
_COUNTRY = re.compile(r"[0-9]{3}")
_SHOWN = 72
"""Longest input quoted in an error; a longer one is cut with ``...``."""
_GTIN_LENGTHS: Final = (8, 12, 13, 14)


class IdentifierError(ValueError):
    """An identifier of the wrong form or with a wrong check digit; the text names input, expected, found."""


def _shown(value: str) -> str:
    return repr(value) if len(value) <= _SHOWN else repr(value[:_SHOWN]) + "..."


def check_id(what: str, value: str) -> str:
    """``value`` if it is an id (:data:`ID_PATTERN`), else :class:`IdentifierError` naming ``what`` (``door id``)."""
    if not _ID.fullmatch(value):
        raise IdentifierError(f"Invalid {what} {_shown(value)}: expected 1-64 characters of A-Z a-z 0-9 _ -")
    return value


def check_digit_problem(what: str, digits: str) -> str | None:
    """Why the last of ``digits`` (two or more ASCII digits) is not their GS1 mod-10 check digit, or ``None``
    when it is."""
    expected = gs1_standard_check_digit(digits[:-1])
    if int(digits[-1]) == expected:
        return None
    return f"Invalid {what} check digit for {digits!r}: expected {expected}, got {digits[-1]}"


def _gs1_key(what: str, value: str, lengths: tuple[int, ...]) -> str:
    if not _DIGITS.fullmatch(value) or len(value) not in lengths:
        count = " or ".join(str(n) for n in lengths) if len(lengths) < 3 else (
            ", ".join(str(n) for n in lengths[:-1]) + f" or {lengths[-1]}")
        raise IdentifierError(f"Invalid {what} {_shown(value)}: expected {count} digits")
    problem = check_digit_problem(what, value)
    if problem is not None:
        raise IdentifierError(problem)
    return value


def check_sscc(value: str) -> str:
    """``value`` if it is an SSCC: 18 digits, the last its check digit."""
    return _gs1_key("SSCC", value, (18,))


def check_gln(value: str) -> str:
    """``value`` if it is a GLN: 13 digits, the last its check digit."""
    return _gs1_key("GLN", value, (13,))


def check_gtin(value: str) -> str:
    """``value`` if it is a GTIN-8, -12, -13 or -14, the last digit its check digit."""
    return _gs1_key("GTIN", value, _GTIN_LENGTHS)


def check_postal_code(value: str) -> str:
    """``value`` if it is a postal code (:data:`POSTAL_CODE_PATTERN`)."""
    if not _POSTAL_CODE.fullmatch(value):
        raise IdentifierError(
            f"Invalid postal code {_shown(value)}: expected 1-20 letters, digits, spaces or -, a letter or digit first"
        )
    return value


def check_postal_code_match(value: str) -> str:
    """``value`` if it is a postal code, or a prefix of one ending in ``*`` (``"69*"``), as destinations list them."""
    if not _POSTAL_CODE.fullmatch(value.removesuffix("*")):
        raise IdentifierError(
            f"Invalid postal code {_shown(value)}: expected 1-20 letters, digits, spaces or -, a letter or digit first,"
            " then * for a prefix"
        )
    return value


def check_country_code(value: str) -> str:
    """``value`` if it is an ISO 3166 numeric country code (3 digits, as GS1 AI 421 carries it)."""
    if not _COUNTRY.fullmatch(value):
        raise IdentifierError(f"Invalid country code {_shown(value)}: expected 3 digits (ISO 3166 numeric)")
    return value


def _validator(check: Callable[[str], str]) -> Callable[[str], str]:
    def validate(value: str) -> str:
        try:
            return check(value)
        except IdentifierError as exc:
            raise PydanticCustomError(BAD_IDENTIFIER, "{problem}", {"problem": str(exc)}) from exc

    return validate


def _schema(pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": f"^{pattern}$"})


def _any_id(value: str) -> str:
    return check_id("id", value)


Id = Annotated[str, AfterValidator(_validator(_any_id)), _schema(ID_PATTERN)]
Sscc = Annotated[str, AfterValidator(_validator(check_sscc)), _schema("[0-9]{18}")]
Gln = Annotated[str, AfterValidator(_validator(check_gln)), _schema("[0-9]{13}")]
Gtin = Annotated[str, AfterValidator(_validator(check_gtin)), _schema("(?:[0-9]{8}|[0-9]{12,14})")]
PostalCode = Annotated[str, AfterValidator(_validator(check_postal_code)), _schema(POSTAL_CODE_PATTERN)]
PostalCodeMatch = Annotated[
    str, AfterValidator(_validator(check_postal_code_match)), _schema(POSTAL_CODE_PATTERN + r"\*?")
]
CountryCode = Annotated[str, AfterValidator(_validator(check_country_code)), _schema("[0-9]{3}")]

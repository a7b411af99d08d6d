"""The value rules of a despatch advice, worded once for the model, the EDIFACT reader and the writer.

Each ``*_problem`` function returns why a value is refused (input, expected, found) or ``None``.
Check digits are decided by :mod:`xdock.protocol.identifiers`; only the wording is ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Final

from xdock.protocol.identifiers import IdentifierError, check_digit_problem, check_gln, check_gtin, check_sscc

__all__ = [
    "ADR_CLASSES",
    "TEXT_MAX",
    "adr_class_problem",
    "format_number",
    "gln_problem",
    "gtin_problem",
    "shown",
    "sscc_problem",
    "text_problem",
    "un_number_problem",
]

TEXT_MAX: Final = 35
"""Free text (shipment id, carrier name, truck id, batch) fits an an..35 data element."""
ADR_CLASSES: Final = frozenset({
    "1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2", "3", "4.1", "4.2", "4.3", "5.1", "5.2", "6.1", "6.2",
    "7", "8", "9",
})
"""The ADR classes (class 1 also by division), as DGS carries them in its hazard code."""

_PLAIN = re.compile(r"[A-Za-z0-9.,:/-]{1,40}")
_SHOWN = 40
_DIGITS = re.compile(r"[0-9]+")
_UN_NUMBER = re.compile(r"[0-9]{4}")
_UNPRINTABLE = re.compile("[^\x20-\x7e\xa0-\xff]")


def shown(value: str) -> str:
    """``value`` as an error quotes it: bare when it is plain (digits, letters), else ``repr``, clipped."""
    if _PLAIN.fullmatch(value):
        return value
    return repr(value) if len(value) <= _SHOWN else repr(value[:_SHOWN]) + "..."


def _key_problem(what: str, value: str, check: Callable[[str], str], lengths: tuple[int, ...]) -> str | None:
    try:
        check(value)
    except IdentifierError:
        pass
    else:
        return None
    if not _DIGITS.fullmatch(value) or len(value) not in lengths:
        counted = ", ".join(str(n) for n in lengths[:-1]) + " or " if len(lengths) > 1 else ""
        found = f"{len(value)} digits" if _DIGITS.fullmatch(value) else f"{len(value)} characters"
        return f"{what} {shown(value)}: expected {counted}{lengths[-1]} digits, found {found}"
    expected = next(d for d in "0123456789" if check_digit_problem(what, value[:-1] + d) is None)
    return f"{what} {value}: bad check digit (expected {expected}, got {value[-1]})"


def sscc_problem(value: str) -> str | None:
    """Why ``value`` is not an SSCC (18 digits, check digit last), or ``None``."""
    return _key_problem("SSCC", value, check_sscc, (18,))


def gln_problem(value: str) -> str | None:
    """Why ``value`` is not a GLN (13 digits, check digit last), or ``None``."""
    return _key_problem("GLN", value, check_gln, (13,))


def gtin_problem(value: str) -> str | None:
    """Why ``value`` is not a GTIN-8, -12, -13 or -14, or ``None``."""
    return _key_problem("GTIN", value, check_gtin, (8, 12, 13, 14))


def text_problem(what: str, value: str) -> str | None:
    """Why ``value`` is not free text we carry: 1-35 printable ISO 8859-1 characters (UNOC), or ``None``."""
    if not value or len(value) > TEXT_MAX:
        return f"{what} {shown(value)}: expected 1-{TEXT_MAX} characters, found {len(value)}"
    bad = _UNPRINTABLE.search(value)
    if bad is not None:
        return (f"{what} {shown(value)}: expected printable ISO 8859-1 characters (UNOC),"
                f" found {bad.group()!r} at {bad.start() + 1}")
    return None


def adr_class_problem(value: str) -> str | None:
    """Why ``value`` is not an ADR class (``3``, ``5.1``, ``1.4``), or ``None``."""
    if value in ADR_CLASSES:
        return None
    return f"ADR class {shown(value)}: expected one of 1-9, 1.1-1.6, 4.1-4.3, 5.1, 5.2, 6.1, 6.2"


def un_number_problem(value: str) -> str | None:
    """Why ``value`` is not a UN number (4 digits, not 0000), or ``None``."""
    if _UN_NUMBER.fullmatch(value) and value != "0000":
        return None
    return f"UN number {shown(value)}: expected 4 digits (0001-9999)"


def format_number(value: float) -> str:
    """``value`` as an EDIFACT numeric with a ``.`` decimal mark, no exponent, read back to the same float."""
    return format(Decimal(repr(value)).normalize(), "f")

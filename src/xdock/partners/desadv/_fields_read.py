"""Reading one data element of a DESADV segment into a value, or refusing it naming segment and element.

Dates and times (DTM's C507): format 102 ``CCYYMMDD``, 203 ``CCYYMMDDHHMM`` and 204 ``CCYYMMDDHHMMSS``,
in the time zone the reader is given (UTC unless told).
Numbers take ``.`` or ``,`` as decimal mark and an optional leading ``-``, no exponent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import Final

from xdock.partners.desadv._rules import gln_problem, shown, text_problem
from xdock.partners.desadv._syntax import Segment
from xdock.partners.desadv.model import CELSIUS_RANGE, MAX_KILOGRAMS, MAX_QUANTITY

__all__ = [
    "GS1_AGENCY", "day", "gln", "gross_weight", "instant", "key", "number", "quantity", "temperature_range", "text",
]

GS1_AGENCY: Final = "9"
"""Code list responsible agency (3055) of GS1 (EAN) keys."""
_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
_QUANTITY = re.compile(r"[0-9]{1,15}")
_DIGITS = re.compile(r"[0-9]+")
_FORMATS: Final = {"102": ("%Y%m%d", "CCYYMMDD", 8), "203": ("%Y%m%d%H%M", "CCYYMMDDHHMM", 12),
                   "204": ("%Y%m%d%H%M%S", "CCYYMMDDHHMMSS", 14)}


def key(segment: Segment, element: int, component: int, problem_of: Callable[[str], str | None], de: str) -> str:
    """An SSCC, GTIN or GLN, its check digit verified by ``problem_of``."""
    value = segment.get(element, component)
    problem = problem_of(value)
    if problem is not None:
        raise segment.error(problem, de)
    return value


def gln(segment: Segment, element: int, de: str) -> str:
    """A GLN in a composite whose first component is the id (``de``) and third the agency (NAD's C082, LOC's
    C517, TDT's C040)."""
    value = key(segment, element, 1, gln_problem, de)
    agency = segment.get(element, 3)
    if agency != GS1_AGENCY:
        raise segment.error(f"code list agency {shown(agency)}: expected {GS1_AGENCY} (GS1) for GLN {value}", "3055")
    return value


def text(segment: Segment, element: int, component: int, what: str, de: str) -> str:
    """Free text we carry (1-35 printable ISO 8859-1 characters)."""
    value = segment.get(element, component)
    problem = text_problem(what, value)
    if problem is not None:
        raise segment.error(problem, de)
    return value


def number(segment: Segment, element: int, component: int, what: str, de: str) -> float | None:
    """A decimal number, ``None`` when the component is empty."""
    value = segment.get(element, component)
    if not value:
        return None
    if not _NUMBER.fullmatch(value):
        raise segment.error(f"{what} {shown(value)}: expected a decimal number such as 12.5 or -18", de)
    return float(value.replace(",", "."))


def gross_weight(segment: Segment) -> float:
    """MEA+AAE+AAB's weight: ``KGM``, above 0 and at most :data:`MAX_KILOGRAMS`."""
    _unit(segment, "KGM")
    weight = number(segment, 3, 2, "gross weight", "6314")
    if weight is None or not 0 < weight <= MAX_KILOGRAMS:
        raise segment.error(
            f"gross weight {shown(segment.get(3, 2))}: expected kilograms above 0, at most {MAX_KILOGRAMS:g}", "6314")
    return weight


def temperature_range(segment: Segment) -> tuple[float | None, float | None]:
    """MEA+AAE+TE's range in ``CEL``, (minimum, maximum), either may be open, within :data:`CELSIUS_RANGE`."""
    _unit(segment, "CEL")
    low, high = (number(segment, 3, c, "temperature", de) for c, de in ((3, "6162"), (4, "6152")))
    if low is None and high is None:
        raise segment.error("temperature range: expected a minimum (6162) or maximum (6152), found neither")
    for value in (low, high):
        if value is not None and not CELSIUS_RANGE[0] <= value <= CELSIUS_RANGE[1]:
            raise segment.error(f"temperature {value:g}: expected {CELSIUS_RANGE[0]:g} to {CELSIUS_RANGE[1]:g} °C")
    if low is not None and high is not None and low > high:
        raise segment.error(f"temperature range {low:g} to {high:g}: expected the minimum first")
    return low, high


def _unit(segment: Segment, expected: str) -> None:
    if segment.get(3) != expected:
        raise segment.error(f"unit {shown(segment.get(3))}: expected {expected}", "6411")


def quantity(segment: Segment) -> int:
    """QTY's quantity (C186 6060): a whole number from 1."""
    value = segment.get(1, 2)
    if not _QUANTITY.fullmatch(value) or int(value) == 0:
        raise segment.error(f"quantity {shown(value)}: expected a whole number from 1 to {MAX_QUANTITY}", "6060")
    return int(value)


def _parsed(segment: Segment, formats: tuple[str, ...], what: str, zone: tzinfo = UTC) -> datetime:
    code = segment.get(1, 3)
    if code not in formats:
        raise segment.error(f"format {shown(code)}: expected {' or '.join(formats)}", "2379")
    pattern, layout, size = _FORMATS[code]
    value = segment.get(1, 2)
    try:
        if len(value) != size or not _DIGITS.fullmatch(value):
            raise ValueError(value)  # noqa: TRY301  # strptime takes "2024511" for a date
        return datetime.strptime(value, pattern).replace(tzinfo=zone)  # EDIFACT's 203/204 carry no zone
    except ValueError as exc:
        raise segment.error(f"{what} {shown(value)}: expected a real {layout} (format {code})", "2380") from exc


def instant(segment: Segment, zone: tzinfo = UTC) -> datetime:
    """A date and time (DTM+137, DTM+132) in ``zone``; a bare date (102) is its midnight."""
    return _parsed(segment, ("203", "204", "102"), "date/time", zone)


def day(segment: Segment) -> date:
    """A date (DTM+361) in format 102."""
    return _parsed(segment, ("102",), "date").date()

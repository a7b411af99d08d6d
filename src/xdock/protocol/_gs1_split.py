"""Readings of a pallet label scanned without its group separators.

A keyboard-wedge scanner drops the GS (FNC1) character, so a variable-length field such as a
postal code runs straight into the next Application Identifier: ``(420)69001`` followed by
``(17)261231`` arrives as ``4206900117261231``. :func:`readings` lists every way
to cut such text into element strings that a pallet label could really carry:

- every AI is known and found on logistic labels (no internal or trade-item-only AIs);
- every field has a valid length and pattern, valid check digits and a real date;
- no AI appears twice, and the label has an SSCC;
- a count has no leading zero, a postal code is 3-10 letters, digits or hyphens, and a batch,
  order, consignment or route number has at least 3 characters.

The caller accepts a single reading, reports two or more as ambiguous, and falls back to the
plain left-to-right reading when there is none.

Speed: this runs on every scan without separators, so it avoids what costs most. The AI at a cut
point is found by looking its 2, 3 and 4 first characters up among the logistic AIs (GS1's AIs are
prefix-free, so at most one matches) rather than by trying every AI GS1 knows; and the element
strings tried at a cut are memoised by their text, since a site's labels share everything after the
SSCC (ship-to, count, weights), so the same cuts come back scan after scan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString

__all__ = ["Reading", "SplitBudgetExceeded", "hri", "readings"]

Reading = tuple[GS1ElementString, ...]

_LOGISTIC_AIS = frozenset(
    {"00", "01", "02", "10", "11", "13", "15", "16", "17", "37"}
    | {"400", "401", "402", "403", "410", "411", "412", "413", "420", "421"}
    | {"4321", "4330", "4331", "4332", "4333"}
    | {f"310{n}" for n in range(6)}
    | {f"330{n}" for n in range(6)}
)
_AI_BY_CODE: Mapping[str, GS1ApplicationIdentifier] = {
    code: GS1ApplicationIdentifier.extract(code) for code in sorted(_LOGISTIC_AIS)
}
_FREE_TEXT_AIS = frozenset({"10", "400", "401", "403"})
_POSTAL_CODE = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z-]{1,8})[0-9A-Za-z]")
_BUDGET = 20_000  # element parses allowed for one scan


class SplitBudgetExceeded(Exception):  # noqa: N818 - a condition, not a failure of the caller
    """The text has too many ways to be cut to try them all."""


def hri(reading: Reading) -> str:
    """The reading as printed under the barcode, e.g. ``(00)376130321109103420(37)12``."""
    return "".join(element.as_hri() for element in reading)


def readings(text: str, *, limit: int = 3) -> list[Reading]:
    """Up to ``limit`` plausible ways to cut ``text`` (no separators) into element strings."""
    search = _Search(text)
    found: list[Reading] = []
    for reading in search.walk(0, frozenset()):
        found.append(reading)
        if len(found) >= limit:
            break
    return found


class _Search:
    """Depth-first search over cut points, with the element options at each offset cached."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._options: dict[int, list[GS1ElementString]] = {}
        self._dead: set[tuple[int, frozenset[str]]] = set()
        self._spent = 0

    def walk(self, offset: int, used: frozenset[str]) -> Iterator[Reading]:
        if offset == len(self._text):
            if "00" in used:
                yield ()
            return
        if (offset, used) in self._dead:
            return
        complete = False
        for element in self._options_at(offset):
            if element.ai.ai in used:
                continue
            for rest in self.walk(offset + len(element), used | {element.ai.ai}):
                complete = True
                yield (element, *rest)
        if not complete:
            self._dead.add((offset, used))

    def _options_at(self, offset: int) -> list[GS1ElementString]:
        if offset not in self._options:
            self._options[offset] = list(self._elements_starting_at(offset))
        return self._options[offset]

    def _elements_starting_at(self, offset: int) -> Iterator[GS1ElementString]:
        rest = self._text[offset:]
        ai = _logistic_ai(rest)
        if ai is None:
            return
        ends = range(len(ai) + 1, len(rest) + 1) if ai.separator_required else (None,)
        matched = False
        for end in ends:
            self._spent += 1
            if self._spent > _BUDGET:
                raise SplitBudgetExceeded(self._text)
            element = _element(rest, end)
            if element is None:
                if matched:
                    return  # the lengths a field may take are consecutive: none longer fits
                continue
            matched = True
            if _plausible(element):
                yield element


def _logistic_ai(text: str) -> GS1ApplicationIdentifier | None:
    """The logistic AI ``text`` starts with (``None``: another AI, or none)."""
    for length in (2, 3, 4):
        ai = _AI_BY_CODE.get(text[:length])
        if ai is not None:
            return ai
    return None


def _element(rest: str, end: int | None) -> GS1ElementString | None:
    """The element string at the start of ``rest`` (fixed length), or exactly ``rest[:end]``."""
    return _extract(rest) if end is None else _parse(rest[:end])


@functools.lru_cache(maxsize=4096)
def _extract(text: str) -> GS1ElementString | None:
    """The fixed-length element string ``text`` starts with (memoised; biip's values are frozen)."""
    try:
        return GS1ElementString.extract(text)
    except ParseError:
        return None


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> GS1ElementString | None:
    """``text`` as exactly one element string (memoised; biip's values are frozen)."""
    try:
        return GS1ElementString.parse(text)
    except ParseError:
        return None


def _plausible(element: GS1ElementString) -> bool:
    if element.sscc_error or element.gln_error or element.gtin_error:
        return False
    if element.ai.ai == "37":
        return not element.value.startswith("0")
    if element.ai.ai == "420":
        return _POSTAL_CODE.fullmatch(element.value) is not None
    if element.ai.ai == "421":
        return _POSTAL_CODE.fullmatch(element.pattern_groups[1]) is not None
    return element.ai.ai not in _FREE_TEXT_AIS or len(element.value) >= 3

"""Pallet labels: the GS1-128 logistic label as a scanner reads it.

Every pallet crossing the dock carries a GS1 logistic label. :meth:`PalletLabel.parse` turns
the text a scanner sends into a typed value: the SSCC that names the pallet (AI 00), where it
ships to (AI 410 GLN, or AI 421/420 postal code), its use-by and best-before dates (AI 17, 15),
content GTIN (AI 02, else 01), item count (AI 37) and net and gross weight in kg (AI 310n, 330n).

Accepted forms of the same label::

    ]C1 00376130321109103420 410 3761303211001 ...   AIM symbology identifier (]C1, ]d2, ]Q3, ]e0)
    00376130321109103420 420 69001 <GS> 37 12       GS (0x1D) after variable-length fields
    (00)376130321109103420(410)3761303211001          human-readable text under the barcode

Keyboard-wedge scanners drop the GS character. When a scan has none, the label is read every
plausible way (see :mod:`xdock.protocol._gs1_split`): one reading is accepted, several are
refused as ambiguous. A scan that carries any GS is read exactly as separated. A scanner that
sends no GS cannot tell a label ending in a long field from one with a field missing its
separator, so even a well-printed label can read two ways, e.g. ``...(420)69001(37)12`` and
``...(420)690013712``; such scans are refused rather than guessed.

Every refusal is a :class:`LabelError` whose ``reason`` fits a scanner display:

    LabelError(ValueError)
      reason: "empty scan" | "not an SSCC" | "no SSCC on label" | "bad check digit"
              | "bad ship-to GLN" | "bad postal code" | "bad GTIN" | "unreadable label" | "ambiguous label"

Check digits and postal code forms follow :mod:`xdock.protocol.identifiers`, the rules central
applies again to whatever an edge sends.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from biip import ParseConfig, ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology, SymbologyIdentifier

from xdock.protocol import _gs1_split
from xdock.protocol.identifiers import IdentifierError, check_digit_problem, check_postal_code

__all__ = ["LabelError", "PalletLabel", "ShipTo", "build_label", "sscc_with_check_digit"]

GS = "\x1d"
_MAX_SCAN = 512  # far above any real label; bounds the work done on one scan
_CONFIG = ParseConfig(separator_chars=(GS,))
_HRI = re.compile(r"(?:\(\d{2,4}\)[^()]+)+")
_GTIN = re.compile(r"[0-9]{8}|[0-9]{12,14}")
_DIGITS = re.compile(r"[0-9]+")
# What the parser may raise on malformed text besides its own ParseError.
_PARSER_ERRORS = (ParseError, ValueError, LookupError)


class LabelError(ValueError):
    """A scanned label that cannot be used.

    ``reason`` is short text for a scanner display; ``str(error)`` names the input, what was
    expected and what was found.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ShipTo:
    """Where the pallet goes: a GLN (AI 410) or a postal code (AI 421 with country, AI 420)."""

    kind: Literal["gln", "postal"]
    value: str
    country: str | None = None


@dataclass(frozen=True)
class PalletLabel:
    """The fields of a pallet's logistic label that the dock works with."""

    sscc: str
    ship_to: ShipTo | None
    expiry: dt.date | None
    best_before: dt.date | None
    gtin: str | None
    count: int | None
    net_weight_kg: float | None
    gross_weight_kg: float | None
    symbology: str | None
    raw: str
    max_temp_c: float | None = None
    """Highest temperature the goods may see, in °C: AI 4331, or AI 4330 converted from °F."""
    min_temp_c: float | None = None
    """Lowest temperature, in °C: AI 4333, or AI 4332 converted from °F."""
    dangerous_goods: bool = False
    """AI 4321 set to 1: the pallet carries dangerous goods."""

    @classmethod
    def parse(cls, raw: str) -> PalletLabel:
        """Read a scan; raise :class:`LabelError` (and nothing else) if it is not a usable label."""
        text = raw.strip()
        if not text:
            raise LabelError(f"Empty scan {raw!r}: expected a label, found no characters", reason="empty scan")
        if len(text) > _MAX_SCAN:
            raise LabelError(
                f"Unreadable label {text[:24]!r}...: expected at most {_MAX_SCAN} characters, found {len(text)}",
                reason="unreadable label",
            )
        symbology, body = _split_symbology(text)
        if not body:
            raise LabelError(f"Empty scan {text!r}: expected a label after {symbology}", reason="empty scan")
        if symbology is None and _GTIN.fullmatch(body) and _has_check_digit(body):
            raise LabelError(
                f"Not an SSCC label {text!r}: expected GS1 element strings, found a product code (GTIN)",
                reason="not an SSCC",
            )
        elements = _read_elements(body, text)
        return _build(elements, raw=raw, text=text, symbology=symbology)


def sscc_with_check_digit(body17: str) -> str:
    """The 18-digit SSCC made of ``body17`` and its GS1 mod-10 check digit."""
    if len(body17) != 17 or not _DIGITS.fullmatch(body17):
        raise ValueError(f"Invalid SSCC body {body17!r}: expected 17 digits")
    return body17 + str(gs1_standard_check_digit(body17))


def build_label(
    sscc: str,
    *,
    ship_to_gln: str | None = None,
    ship_to_postal: str | None = None,
    country: str | None = None,
    expiry: dt.date | None = None,
    count: int | None = None,
    max_temp_c: float | None = None,
    dangerous_goods: bool = False,
    gross_weight_kg: float | None = None,
    gs: str = GS,
) -> str:
    """The element string of a pallet label, without symbology identifier.

    Fixed-length fields come first; ``gs`` follows each variable-length field that has more
    after it (pass ``gs=""`` to get what a keyboard-wedge scanner sends). Field shapes are
    checked, check digits are not, so a simulator can print a faulty label on purpose.
    """
    if country is not None and ship_to_postal is None:
        raise ValueError(f"Invalid label: country {country!r} given without ship_to_postal")
    fixed = [f"00{sscc}"]
    if ship_to_gln is not None:
        fixed.append(f"410{ship_to_gln}")
    if expiry is not None:
        fixed.append(f"17{expiry:%y%m%d}")
    if gross_weight_kg is not None:
        fixed.append(f"3301{round(gross_weight_kg * 10):06d}")
    variable: list[str] = []
    if max_temp_c is not None:
        hundredths = round(abs(max_temp_c) * 100)
        variable.append(f"4331{hundredths:06d}{'-' if max_temp_c < 0 else ''}")
    if dangerous_goods:
        variable.append("43211")
    if ship_to_postal is not None:
        variable.append(f"420{ship_to_postal}" if country is None else f"421{country}{ship_to_postal}")
    if count is not None:
        variable.append(f"37{count}")
    for element in fixed + variable:
        try:
            GS1ElementString.parse(element, config=_CONFIG)
        except _PARSER_ERRORS as exc:
            raise ValueError(f"Invalid label field {element!r}: {exc}") from exc
    return "".join(fixed) + gs.join(variable)


def _split_symbology(text: str) -> tuple[str | None, str]:
    """The AIM symbology identifier (if any) and the data after it."""
    if not text.startswith("]"):
        return None, text
    unreadable = LabelError(
        f"Unreadable label {text!r}: expected a symbology identifier such as ']C1', found {text[:3]!r}",
        reason="unreadable label",
    )
    if len(text) < 3:
        raise unreadable
    try:
        identifier = SymbologyIdentifier.extract(text)
    except (ParseError, ValueError) as exc:
        raise unreadable from exc
    if identifier.gs1_symbology not in GS1Symbology.with_gs1_messages():
        raise LabelError(
            f"Not an SSCC label {text!r}: expected a GS1 symbology (]C1, ]d2, ]Q3, ]e0), found {identifier.value!r}",
            reason="not an SSCC",
        )
    return identifier.value, text[len(identifier) :].strip()


def _read_elements(body: str, text: str) -> Sequence[GS1ElementString]:
    """The element strings of ``body``, by the rules of its form (HRI, separated, unseparated)."""
    if not body.isascii():
        raise _not_readable(body, text, "expected ASCII characters only")
    if body.startswith("("):
        compact = "".join(body.split())
        if not _HRI.fullmatch(compact):
            raise _not_readable(body, text, f"expected '(AI)data(AI)data', found {compact!r}")
        return _parse_message(body, text, compact, hri=True)
    if GS in body:
        return _parse_message(body, text, body, hri=False)
    try:
        readings = _gs1_split.readings(body)
    except _gs1_split.SplitBudgetExceeded as exc:
        raise _not_readable(body, text, "too many ways to place the missing separators") from exc
    if len(readings) == 1:
        return readings[0]
    if len(readings) > 1:
        count = f"at least {len(readings)}" if len(readings) >= 3 else str(len(readings))
        raise LabelError(
            f"Ambiguous label {text!r}: expected one way to place the missing separators, "
            f"found {count}: " + " or ".join(_gs1_split.hri(reading) for reading in readings),
            reason="ambiguous label",
        )
    return _parse_message(body, text, body, hri=False)


def _parse_message(body: str, text: str, data: str, *, hri: bool) -> Sequence[GS1ElementString]:
    try:
        message = GS1Message.parse_hri(data, config=_CONFIG) if hri else GS1Message.parse(data, config=_CONFIG)
    except _PARSER_ERRORS as exc:
        raise _not_readable(body, text, str(exc)) from exc
    return message.element_strings


def _not_readable(body: str, text: str, detail: str) -> LabelError:
    """Refusal as "unreadable label" if ``body`` starts like GS1 element strings, else "not an SSCC"."""
    if body.startswith(("00", "(")) or _first_element_reads(body):
        return LabelError(f"Unreadable label {text!r}: {detail}", reason="unreadable label")
    return LabelError(
        f"Not an SSCC label {text!r}: expected GS1 element strings with an SSCC (AI 00), found other text ({detail})",
        reason="not an SSCC",
    )


def _first_element_reads(body: str) -> bool:
    try:
        GS1ApplicationIdentifier.extract(body)
        GS1ElementString.extract(body, config=_CONFIG)
    except _PARSER_ERRORS:
        return False
    return True


def _has_check_digit(digits: str) -> bool:
    return check_digit_problem("GTIN", digits) is None


def _check_digit_error(what: str, value: str, reason: str) -> LabelError:
    return LabelError(check_digit_problem(what, value) or f"Invalid {what} {value!r}", reason=reason)


def _find(elements: Sequence[GS1ElementString], *ais: str) -> GS1ElementString | None:
    """The first element with the first of ``ais`` present, in the order of ``ais``."""
    for ai in ais:
        for element in elements:
            if element.ai.ai == ai:
                return element
    return None


def _build(elements: Sequence[GS1ElementString], *, raw: str, text: str, symbology: str | None) -> PalletLabel:
    seen: dict[str, str] = {}
    for element in elements:
        if seen.setdefault(element.ai.ai, element.value) != element.value:
            raise LabelError(
                f"Unreadable label {text!r}: expected each AI once, found {element.ai} "
                f"{seen[element.ai.ai]!r} and {element.value!r}",
                reason="unreadable label",
            )
    sscc = _find(elements, "00")
    if sscc is None:
        found = "".join(element.as_hri() for element in elements) or "nothing"
        raise LabelError(f"No SSCC on label {text!r}: expected AI (00), found {found}", reason="no SSCC on label")
    if sscc.sscc_error is not None:
        raise _check_digit_error("SSCC", sscc.value, "bad check digit")
    ship_to = _ship_to(elements)
    gtin = _find(elements, "02", "01")
    if gtin is not None and gtin.gtin_error is not None:
        raise _check_digit_error("GTIN", gtin.value, "bad GTIN")
    count = _find(elements, "37")
    return PalletLabel(
        sscc=sscc.value,
        ship_to=ship_to,
        expiry=_date(elements, "17"),
        best_before=_date(elements, "15"),
        gtin=None if gtin is None else gtin.value,
        count=None if count is None else int(count.value),
        net_weight_kg=_weight(elements, "310"),
        gross_weight_kg=_weight(elements, "330"),
        symbology=symbology,
        raw=raw,
        max_temp_c=_temperature(elements, celsius="4331", fahrenheit="4330"),
        min_temp_c=_temperature(elements, celsius="4333", fahrenheit="4332"),
        dangerous_goods=_flag(elements, "4321"),
    )


def _ship_to(elements: Sequence[GS1ElementString]) -> ShipTo | None:
    gln = _find(elements, "410")
    if gln is not None:
        if gln.gln_error is not None:
            raise _check_digit_error("ship-to GLN", gln.value, "bad ship-to GLN")
        return ShipTo(kind="gln", value=gln.value)
    postal = _find(elements, "421")
    if postal is not None:
        country, code = postal.pattern_groups
        return ShipTo(kind="postal", value=_postal_code(code), country=country)
    postal = _find(elements, "420")
    return None if postal is None else ShipTo(kind="postal", value=_postal_code(postal.value))


def _postal_code(code: str) -> str:
    try:
        return check_postal_code(code)
    except IdentifierError as exc:
        raise LabelError(str(exc), reason="bad postal code") from exc


def _date(elements: Sequence[GS1ElementString], ai: str) -> dt.date | None:
    element = _find(elements, ai)
    return None if element is None else element.date


def _temperature(elements: Sequence[GS1ElementString], *, celsius: str, fahrenheit: str) -> float | None:
    """AI 4330-4333: hundredths of a degree, six digits, a trailing ``-`` for below zero."""
    for ai in (celsius, fahrenheit):
        element = _find(elements, ai)
        if element is None:
            continue
        digits = element.value.rstrip("-")
        degrees = int(digits) / 100 * (-1 if element.value.endswith("-") else 1)
        return round(degrees if ai == celsius else (degrees - 32) * 5 / 9, 2)
    return None


def _flag(elements: Sequence[GS1ElementString], ai: str) -> bool:
    element = _find(elements, ai)
    return element is not None and element.value == "1"


def _weight(elements: Sequence[GS1ElementString], ai3: str) -> float | None:
    element = _find(elements, *(f"{ai3}{decimals}" for decimals in range(6)))
    if element is None or element.decimal is None:
        return None
    return float(element.decimal)

"""GS1 logistic pallet labels as ZPL II for a 4x6 inch label at 203 dpi, and reading labels back.

:func:`pallet_label` lays out one label (812 x 1218 dots), top to bottom::

    FROM / site name
    SHIP TO / ship-to name / GLN (when given)
    CONTENTS / one line per GTIN and quantity (at most 6)
    MAX TEMP, the mixed pallet it was split from (each when given)
    the (410) ship-to GLN barcode and its text (when given)
    SSCC / the (00) SSCC barcode and its text

Barcodes are GS1-128 (``^BC`` mode N, FNC1 first), written by :func:`xdock.protocol.zpl.gs1_128_field_data`,
with a 4-dot module (0.5 mm: GS1's least X-dimension for an SSCC) and 40-dot quiet zones or more.
Text is UTF-8 (``^CI28``); a text holding a character ZPL gives meaning to (``^``, ``~``, and ``_``, the
hex indicator) goes out hex-escaped under ``^FH``; control characters are refused, as is text too long for
its line. :func:`parse_labels` reads what a printer receives back into
:class:`~xdock.protocol.zpl.ParsedLabel` values; :class:`~xdock.protocol.zpl.ZplDecoder` does the same piece
by piece.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from xdock.protocol.identifiers import IdentifierError, check_gln, check_gtin, check_sscc
from xdock.protocol.zpl import ParsedLabel, ZplDecoder, ZplError, gs1_128_field_data

__all__ = ["MAX_LINES", "MAX_TEXT", "LabelContentError", "PalletLabel", "pallet_label", "parse_labels"]

MAX_LINES: Final = 6
"""Content lines the label has room for."""
MAX_TEXT: Final = 40
"""Longest site or ship-to name, in characters, that fits the label's width."""
_ESCAPED: Final = frozenset("^~_")
_MAX_QUANTITY: Final = 999_999
_LEFT: Final = 40
_BARCODE_LEFT: Final = 60
_LINE_STEP: Final = 34


class LabelContentError(ValueError):
    """A pallet label that cannot be printed; the text names the field, what was expected and what was found."""


@dataclass(frozen=True)
class PalletLabel:
    """What a pallet label says; checked when made."""

    sscc: str
    """The pallet (AI 00)."""
    ship_to_name: str
    site_name: str
    """The site the pallet leaves from."""
    ship_to_gln: str | None = None
    """Where it goes (AI 410), when known."""
    parent_sscc: str | None = None
    """The mixed pallet it was split from, printed as text."""
    lines: tuple[tuple[str, int], ...] = ()
    """(GTIN, quantity) of what it carries, printed as text."""
    max_temp_c: float | None = None
    """The highest temperature its goods may see, printed."""

    def __post_init__(self) -> None:
        _key("sscc", self.sscc, check_sscc)
        _key("parent_sscc", self.parent_sscc, check_sscc)
        _key("ship_to_gln", self.ship_to_gln, check_gln)
        _text("ship_to_name", self.ship_to_name)
        _text("site_name", self.site_name)
        if len(self.lines) > MAX_LINES:
            raise LabelContentError(
                f"field 'lines': expected at most {MAX_LINES} lines, found {len(self.lines)}"
            )
        for n, (gtin, quantity) in enumerate(self.lines):
            _key(f"lines[{n}]", gtin, check_gtin)
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= _MAX_QUANTITY:
                raise LabelContentError(
                    f"field 'lines[{n}]': expected a quantity of 1 to {_MAX_QUANTITY}, found {quantity!r}"
                )
        if self.max_temp_c is not None and not math.isfinite(self.max_temp_c):
            raise LabelContentError(f"field 'max_temp_c': expected a finite temperature, found {self.max_temp_c!r}")


def _key(name: str, value: str | None, check: Callable[[str], str]) -> None:
    if value is None:
        return
    try:
        check(value)
    except IdentifierError as error:
        raise LabelContentError(f"field {name!r}: {error}") from None


def _text(name: str, value: str) -> None:
    if not value.strip():
        raise LabelContentError(f"field {name!r}: expected 1 to {MAX_TEXT} characters of text, found {value!r}")
    if len(value) > MAX_TEXT:
        raise LabelContentError(
            f"field {name!r}: expected at most {MAX_TEXT} characters, found {len(value)} in {value[:MAX_TEXT]!r}..."
        )
    control = next((i for i, char in enumerate(value) if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0), None)
    if control is not None:
        raise LabelContentError(
            f"field {name!r}: expected printable text, found control character U+{ord(value[control]):04X} "
            f"at {control} in {value!r}"
        )


def pallet_label(label: PalletLabel) -> str:
    """The ZPL II of ``label`` (send it UTF-8 encoded), one command per line."""
    out = ["^XA", "^CI28", "^PW812", "^LL1218", "^LH0,0"]
    out += [_text_field(30, 24, "FROM"), _text_field(60, 36, label.site_name), _rule(110)]
    out += [_text_field(130, 24, "SHIP TO"), _text_field(160, 48, label.ship_to_name)]
    if label.ship_to_gln is not None:
        out.append(_text_field(220, 28, f"GLN {label.ship_to_gln}"))
    out += [_rule(270), _text_field(290, 24, "CONTENTS")]
    for n, (gtin, quantity) in enumerate(label.lines):
        out.append(_text_field(320 + n * _LINE_STEP, 28, f"GTIN {gtin}  QTY {quantity}"))
    if label.max_temp_c is not None:
        out.append(_text_field(540, 36, f"MAX TEMP {label.max_temp_c:+.1f} °C"))
    if label.parent_sscc is not None:
        out.append(_text_field(585, 28, f"SPLIT FROM SSCC {label.parent_sscc}"))
    out.append(_rule(630))
    if label.ship_to_gln is not None:
        out += [
            _barcode(650, 120, (("410", label.ship_to_gln),)),
            _text_field(780, 28, f"(410) {label.ship_to_gln}", x=_BARCODE_LEFT),
        ]
    out += [
        _rule(830),
        _text_field(850, 24, "SSCC"),
        _barcode(880, 230, (("00", label.sscc),)),
        _text_field(1120, 36, f"(00) {label.sscc}", x=_BARCODE_LEFT),
        "^XZ",
    ]
    return "\n".join(out) + "\n"


def _text_field(y: int, height: int, text: str, *, x: int = _LEFT) -> str:
    head = f"^FO{x},{y}^A0N,{height},{height}"
    if not _ESCAPED.intersection(text):
        return f"{head}^FD{text}^FS"
    escaped = "".join(
        "".join(f"_{byte:02X}" for byte in char.encode()) if char in _ESCAPED else char for char in text
    )
    return f"{head}^FH^FD{escaped}^FS"


def _rule(y: int) -> str:
    return f"^FO{_LEFT},{y}^GB732,3,3^FS"


def _barcode(y: int, height: int, elements: tuple[tuple[str, str], ...]) -> str:
    return f"^FO{_BARCODE_LEFT},{y}^BY4^BCN,{height},N,N,N^FD{gs1_128_field_data(elements)}^FS"


def parse_labels(data: bytes) -> list[ParsedLabel]:
    """Every label format in ``data``, a whole stream as a printer receives it; ``~`` commands are skipped.

    Raises :class:`~xdock.protocol.zpl.ZplError` for the first format that cannot be read, or one left
    unfinished.
    """
    decoder = ZplDecoder()
    labels: list[ParsedLabel] = []
    for event in [*decoder.feed(data), *decoder.end()]:
        if isinstance(event, ZplError):
            raise event
        if isinstance(event, ParsedLabel):
            labels.append(event)
    return labels

"""ZPL II as a label printer receives it: a sans-I/O stream reader, and GS1-128 barcode data both ways.

A networked Zebra printer reads one byte stream per connection. :class:`ZplDecoder` takes it in pieces
(``feed(bytes)``) and returns what they complete, keeping the rest for the next piece:

- :class:`ParsedLabel`, one label format from ``^XA`` to ``^XZ``: its fields in order, each with its
  origin (``^FO``/``^FT``), its data (``^FD``/``^FV``) after ``^FH`` hex escapes and in the ``^CI``
  encoding (28: UTF-8; otherwise read as Latin-1), and for a barcode field its :class:`Barcode`;
- :class:`HostStatusQuery` for ``~HS``, :class:`ControlCommand` for any other ``~`` command: a printer
  acts on these at once, between formats or inside one (they are no part of the format);
- :class:`ZplError` for a format it cannot read, naming the stream offset: that format is dropped, the
  stream goes on.

Bytes between formats are ignored, as a printer does. :meth:`ZplDecoder.end` reports a format left
unfinished when the stream ends.

Code 128 field data (``^BC``, mode N) uses ZPL's invocation codes: ``>;`` start in subset C (digit pairs),
``>:`` start in B, ``>9`` start in A, ``>5``/``>6``/``>7`` switch to C/B/A, ``>8`` FNC1, ``><`` a literal
``>``. Data starting with FNC1 is GS1-128: :func:`gs1_128_field_data` writes it from (AI, value) pairs and
the decoder gives them back in :attr:`Barcode.elements`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from biip import ParseConfig, ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_messages import GS1Message

__all__ = [
    "Barcode",
    "ControlCommand",
    "Field",
    "HostStatusQuery",
    "ParsedLabel",
    "ZplDecoder",
    "ZplError",
    "ZplEvent",
    "decode_code128",
    "gs1_128_field_data",
    "read_format",
]

GS: Final = "\x1d"
"""FNC1 inside GS1-128 data, as a scanner sends it."""
DEFAULT_MAX_FORMAT: Final = 256 * 1024
_PREFIX = re.compile(rb"[\^~]")
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]{2}")
_GS1_CONFIG = ParseConfig(separator_chars=(GS,))
_START = {";": "C", ":": "B", "9": "A"}
_SWITCH = {"5": "C", "6": "B", "7": "A"}
_SHOWN = 24


class ZplError(ValueError):
    """A format or field the decoder cannot read; ``offset`` is where, in bytes from the stream's start."""

    def __init__(self, message: str, *, offset: int) -> None:
        super().__init__(f"{message} (at byte {offset})")
        self.offset = offset


@dataclass(frozen=True)
class Barcode:
    """A barcode field: its symbology, its field data as sent, and what it encodes."""

    symbology: str
    """``gs1-128``, ``code128``, or the ZPL command of a symbology this decoder does not read (``^BQ``)."""
    data: str
    """The field data as sent, invocation codes and all (``>;>800376130321109103420``)."""
    content: str = ""
    """The characters encoded, FNC1 after the first as GS (empty for a symbology not read)."""
    elements: tuple[tuple[str, str], ...] = ()
    """The (AI, value) pairs of a GS1-128 barcode."""


@dataclass(frozen=True)
class Field:
    """One field of a label: where it is printed and its data."""

    x: int
    y: int
    data: str
    barcode: Barcode | None = None


@dataclass(frozen=True)
class ParsedLabel:
    """One label format as received, ``^XA`` to ``^XZ``."""

    fields: tuple[Field, ...]
    raw: bytes
    """The format's bytes from ``^XA`` to ``^XZ``, without any ``~`` command that came inside it."""

    @property
    def texts(self) -> tuple[str, ...]:
        """The data of the fields that are not barcodes, in order."""
        return tuple(f.data for f in self.fields if f.barcode is None)

    @property
    def barcodes(self) -> tuple[Barcode, ...]:
        return tuple(f.barcode for f in self.fields if f.barcode is not None)

    def element(self, ai: str) -> str | None:
        """The value of AI ``ai`` in the label's first GS1-128 barcode that has it, or ``None``."""
        return next((value for b in self.barcodes for code, value in b.elements if code == ai), None)


@dataclass(frozen=True)
class HostStatusQuery:
    """``~HS``: the host asks for the printer's three status lines."""


@dataclass(frozen=True)
class ControlCommand:
    """A ``~`` command other than ``~HS``, by its two-letter name (``JA``)."""

    name: str


ZplEvent = ParsedLabel | HostStatusQuery | ControlCommand | ZplError


class ZplDecoder:
    """Turns the byte stream of one printer connection into labels, host queries and refusals."""

    def __init__(self, *, max_format: int = DEFAULT_MAX_FORMAT) -> None:
        self._buffer = bytearray()
        self._offset = 0  # stream offset of _buffer[0]
        self._format: bytearray | None = None
        self._format_at = 0  # stream offset of the open format's ^XA
        self._max = max_format

    @property
    def in_format(self) -> bool:
        """Whether a format has begun (``^XA``) and not yet ended."""
        return self._format is not None

    @property
    def buffered(self) -> int:
        """Bytes held for a format not yet ended, or for a command cut off by the end of a piece."""
        return len(self._buffer) + (len(self._format) if self._format is not None else 0)

    def feed(self, data: bytes) -> list[ZplEvent]:
        """Add ``data``; return what it completes, in stream order."""
        self._buffer += data
        out: list[ZplEvent] = []
        pos = 0
        buffer = self._buffer
        while True:
            match = _PREFIX.search(buffer, pos)
            end = match.start() if match else len(buffer)
            self._keep(buffer[pos:end], out)
            pos = end
            if match is None or len(buffer) - pos < 3:
                break
            command = bytes(buffer[pos + 1 : pos + 3]).upper()
            at = self._offset + pos
            if buffer[pos] == ord("~"):
                out.append(HostStatusQuery() if command == b"HS" else ControlCommand(command.decode("latin-1")))
            elif self._format is None:
                if command == b"XA":
                    self._format, self._format_at = bytearray(buffer[pos : pos + 3]), at
            elif command == b"XZ":
                self._format += buffer[pos : pos + 3]
                out.append(self._finish())
            elif command == b"XA":
                out.append(ZplError("Invalid format: expected ^XZ before the next ^XA, found ^XA", offset=at))
                self._format, self._format_at = bytearray(buffer[pos : pos + 3]), at
            else:
                self._keep(buffer[pos : pos + 3], out)
            pos += 3
        del buffer[:pos]
        self._offset += pos
        return out

    def end(self) -> list[ZplEvent]:
        """The stream has ended: a refusal for a format left unfinished (dropped), else nothing."""
        if self._format is None:
            return []
        size = len(self._format) + len(self._buffer)
        self._format = None
        self._offset += len(self._buffer)
        self._buffer.clear()
        return [ZplError(f"Invalid format: expected ^XZ, found the end of the stream after {size} bytes",
                         offset=self._format_at)]

    def _keep(self, data: bytes | bytearray, out: list[ZplEvent]) -> None:
        """Add ``data`` to the open format (dropping it once too long); outside a format, drop it."""
        if self._format is None or not data:
            return
        self._format += data
        if len(self._format) > self._max:
            out.append(ZplError(f"Invalid format: expected at most {self._max} bytes, found more without ^XZ",
                                offset=self._format_at))
            self._format = None

    def _finish(self) -> ParsedLabel | ZplError:
        assert self._format is not None
        raw, self._format = bytes(self._format), None
        try:
            return read_format(raw, offset=self._format_at)
        except ZplError as error:
            return error


@dataclass
class _OpenField:
    x: int = 0
    y: int = 0
    data: bytes | None = None
    data_at: int = 0
    hex_indicator: bytes | None = None
    symbology: str | None = None


def read_format(raw: bytes, *, offset: int = 0) -> ParsedLabel:
    """The label of one whole format ``raw`` (``^XA`` ... ``^XZ``); ``offset``: where it began in its stream."""
    fields: list[Field] = []
    field = _OpenField()
    encoding = "latin-1"
    starts = [m.start() for m in re.finditer(rb"\^", raw)]
    for start, stop in zip(starts, [*starts[1:], len(raw)], strict=True):
        command = raw[start + 1 : start + 3].upper()
        params = raw[start + 3 : stop]
        at = offset + start
        if command in {b"FO", b"FT"}:
            field.x, field.y = _origin(command, params, at)
        elif command in {b"FD", b"FV"}:
            field.data, field.data_at = params, at + 3
        elif command == b"FH":
            field.hex_indicator = params[:1] or b"_"
        elif command[:1] == b"B" and command != b"BY":
            field.symbology = "^" + command.decode("latin-1")
        elif command == b"CI":
            encoding = "utf-8" if params.strip().split(b",")[0] == b"28" else "latin-1"
        elif command in {b"FS", b"XZ"}:
            if field.data is not None:
                fields.append(_field(field, encoding))
            field = _OpenField()
    return ParsedLabel(tuple(fields), raw)


def _origin(command: bytes, params: bytes, at: int) -> tuple[int, int]:
    parts = params.strip().split(b",")
    try:
        x, y = (int(p) if p.strip() else 0 for p in [*parts, b""][:2])
    except ValueError:
        shown = params.decode("latin-1")[:_SHOWN]
        raise ZplError(f"Invalid ^{command.decode()}: expected x,y in dots, found {shown!r}", offset=at) from None
    return x, y


def _field(field: _OpenField, encoding: str) -> Field:
    assert field.data is not None
    data = field.data if field.hex_indicator is None else _unhex(field.data, field.hex_indicator, field.data_at)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ZplError(f"Invalid field data: expected {encoding}, found byte {data[error.start]:#04x}",
                       offset=field.data_at + error.start) from None
    if field.symbology is None:
        return Field(field.x, field.y, text)
    if field.symbology != "^BC":
        return Field(field.x, field.y, text, Barcode(field.symbology, text))
    try:
        content = decode_code128(text)
        return Field(field.x, field.y, text, _code128(text, content))
    except ValueError as error:
        raise ZplError(f"Invalid ^BC field data {text[:_SHOWN]!r}: {error}", offset=field.data_at) from None


def _unhex(data: bytes, indicator: bytes, at: int) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i : i + 1] != indicator:
            out.append(data[i])
            i += 1
            continue
        pair = data[i + 1 : i + 3]
        if not _HEX.fullmatch(pair):
            raise ZplError(f"Invalid field data: expected two hex digits after {indicator.decode('latin-1')!r} "
                           f"(^FH), found {pair.decode('latin-1')!r}", offset=at + i)
        out.append(int(pair, 16))
        i += 3
    return bytes(out)


def _code128(data: str, content: str) -> Barcode:
    if not content.startswith(GS):
        return Barcode("code128", data, content)
    try:
        message = GS1Message.parse(content[1:], config=_GS1_CONFIG)
    except ParseError as error:
        raise ValueError(f"expected GS1 element strings after FNC1: {error}") from None
    return Barcode("gs1-128", data, content, tuple((e.ai.ai, e.value) for e in message.element_strings))


def decode_code128(data: str) -> str:
    """The characters Code 128 field data (``^BC`` mode N) encodes; FNC1 comes back as GS (``\\x1d``)."""
    subset, i = "B", 0
    if data[:1] == ">" and data[1:2] in _START:
        subset, i = _START[data[1]], 2
    out: list[str] = []
    while i < len(data):
        char = data[i]
        if char == ">":
            code = data[i + 1 : i + 2]
            if code == "8":
                out.append(GS)
            elif code == "<" and subset != "C":
                out.append(">")
            elif code in _SWITCH and _SWITCH[code] != subset:
                subset = _SWITCH[code]
            else:
                found = f"'>{code}'" if code else "'>' at the end"
                raise ValueError(f"expected an invocation code of subset {subset} at {i}, found {found}")
            i += 2
        elif subset == "C":
            pair = data[i : i + 2]
            if not (len(pair) == 2 and pair.isdigit() and pair.isascii()):
                raise ValueError(f"expected a digit pair in subset C at {i}, found {pair!r}")
            out.append(pair)
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def gs1_128_field_data(elements: Sequence[tuple[str, str]]) -> str:
    """``^BC`` mode N field data for GS1-128 carrying ``elements`` ((AI, value) pairs, in order): FNC1 first,
    FNC1 after each variable-length value but the last, digit pairs in subset C and the rest in B."""
    if not elements:
        raise ValueError("Invalid GS1-128 data: expected at least one element string, found none")
    chunks: list[str | None] = []  # None: FNC1
    for n, (ai, value) in enumerate(elements):
        known = _application_identifier(ai)
        if not re.fullmatch(known.pattern, ai + value):
            raise ValueError(f"Invalid GS1 element ({ai}) {value[:_SHOWN]!r}: expected {known.format}")
        chunks.append(ai + value)
        if known.separator_required and n < len(elements) - 1:
            chunks.append(None)
    out = [">;", ">8"]  # every element string starts with its AI, two digits or more: start in subset C
    subset = "C"
    for chunk in chunks:
        if chunk is None:
            out.append(">8")
            continue
        i = 0
        while i < len(chunk):
            run = _DIGITS.match(chunk, i)
            digits = run.end() - i if run else 0
            if digits >= 2 and (subset == "C" or digits >= 4):
                pairs = digits - digits % 2
                if subset != "C":
                    out.append(">5")
                    subset = "C"
                out.append(chunk[i : i + pairs])
                i += pairs
                continue
            if subset != "B":
                out.append(">6")
                subset = "B"
            out.append("><" if chunk[i] == ">" else chunk[i])
            i += 1
    return "".join(out)


def _application_identifier(ai: str) -> GS1ApplicationIdentifier:
    try:
        known = GS1ApplicationIdentifier.extract(ai)
    except ParseError:
        known = None
    if known is None or known.ai != ai:
        raise ValueError(f"Invalid GS1 Application Identifier {ai[:_SHOWN]!r}: expected one GS1 defines")
    return known

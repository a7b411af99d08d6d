"""Wire format of the dock's serial barcode scanner, without I/O.

Scanner → host, one line per scan::

    [AIM symbology identifier, e.g. "]C1"] data CR LF

The data is UTF-8 (ASCII in practice) and may contain GS (0x1D), the GS1 field separator; any other
C0 control character makes the line invalid.

Host → scanner, one ASCII command per line, CR LF terminated:

``BEEP GOOD``        good-read beep, green LED
``BEEP ERROR``       error beep, red LED
``DISPLAY <text>``   show one line of UTF-8 text, at most 64 characters
``CLEAR``            clear the display

Both decoders accept CR LF, a bare LF or a bare CR as the end of a line (CR LF counts once), buffer
partial lines across :meth:`feed` calls, and report a bad line as a rejection event instead of raising,
so any byte stream can be fed to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COMMAND_MAX_LINE",
    "DISPLAY_MAX_CHARS",
    "SCAN_MAX_LINE",
    "Beep",
    "Clear",
    "CommandDecoder",
    "CommandRejected",
    "Display",
    "LineRejected",
    "ScanLine",
    "ScanLineDecoder",
    "ScannerCommand",
    "encode_command",
    "encode_scan",
]

SCAN_MAX_LINE = 512
"""Longest scan line (bytes, terminator excluded) the scanner sends and the host accepts by default."""
COMMAND_MAX_LINE = 256
"""Longest command line (bytes, terminator excluded) the scanner accepts by default."""
DISPLAY_MAX_CHARS = 64
"""Characters the scanner's one-line display holds."""

GS = "\x1d"
_CR, _LF = 0x0D, 0x0A
_TERMINATOR = re.compile(rb"[\r\n]")
_AIM_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_SCAN_FORBIDDEN = re.compile(r"[\x00-\x1c\x1e\x1f]")
_COMMAND_FORBIDDEN = re.compile(r"[\x00-\x1f]")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class ScanLine:
    """One decoded scan: the data, and the AIM symbology identifier (e.g. ``"]C1"``) if one was sent."""

    data: str
    symbology: str | None


@dataclass(frozen=True)
class LineRejected:
    """A scan line the host could not accept; ``raw`` is the line without its terminator."""

    reason: str
    raw: bytes


@dataclass(frozen=True)
class Beep:
    """Sound the good-read (green) or error (red) beep."""

    kind: Literal["good", "error"]


@dataclass(frozen=True)
class Display:
    """Show one line of text on the scanner's display."""

    text: str


@dataclass(frozen=True)
class Clear:
    """Clear the scanner's display."""


ScannerCommand = Beep | Display | Clear


@dataclass(frozen=True)
class CommandRejected:
    """A command line the scanner could not accept; ``raw`` is the line without its terminator."""

    reason: str
    raw: bytes


@dataclass(frozen=True)
class _Overlong:
    raw: bytes
    length: int


class _LineSplitter:
    """Cuts a byte stream into lines; keeps at most ``max_line`` bytes of a line in memory."""

    def __init__(self, max_line: int) -> None:
        if max_line < 1:
            raise ValueError(f"max_line must be at least 1, got {max_line}")
        self._max = max_line
        self._buf = bytearray()
        self._length = 0
        self._after_cr = False

    def feed(self, data: bytes) -> list[bytes | _Overlong]:
        out: list[bytes | _Overlong] = []
        pos, end = 0, len(data)
        if self._after_cr and end:
            self._after_cr = False
            if data[0] == _LF:
                pos = 1
        while pos < end:
            match = _TERMINATOR.search(data, pos)
            stop = match.start() if match else end
            self._take(data[pos:stop])
            if match is None:
                break
            out.append(self._finish())
            pos = stop + 1
            if data[stop] == _CR:
                if pos == end:
                    self._after_cr = True
                elif data[pos] == _LF:
                    pos += 1
        return out

    def _take(self, chunk: bytes) -> None:
        room = self._max - len(self._buf)
        if room > 0:
            self._buf += chunk[:room]
        self._length += len(chunk)

    def _finish(self) -> bytes | _Overlong:
        line: bytes | _Overlong = bytes(self._buf)
        if self._length > self._max:
            line = _Overlong(bytes(self._buf), self._length)
        self._buf.clear()
        self._length = 0
        return line


def _check_line(raw: bytes, forbidden: re.Pattern[str]) -> str:
    """The line's text; raises ValueError with the rejection reason."""
    if not raw:
        raise ValueError("empty line")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}") from None
    bad = forbidden.search(text)
    if bad:
        offset = len(text[: bad.start()].encode("utf-8"))
        raise ValueError(f"control character 0x{ord(bad.group()):02X} at byte {offset}")
    return text


def _too_long(line: _Overlong, max_line: int) -> str:
    return f"line too long ({line.length} bytes, max {max_line})"


class ScanLineDecoder:
    """Host side: turns the bytes a scanner sends into :class:`ScanLine` or :class:`LineRejected` events.

    An over-long line is rejected once, when its terminator arrives; its ``raw`` holds the first
    ``max_line`` bytes and the rest is discarded.
    """

    def __init__(self, max_line: int = SCAN_MAX_LINE) -> None:
        self._max = max_line
        self._lines = _LineSplitter(max_line)

    def feed(self, data: bytes) -> list[ScanLine | LineRejected]:
        return [self._decode(line) for line in self._lines.feed(data)]

    def _decode(self, line: bytes | _Overlong) -> ScanLine | LineRejected:
        if isinstance(line, _Overlong):
            return LineRejected(_too_long(line, self._max), line.raw)
        try:
            text = _check_line(line, _SCAN_FORBIDDEN)
        except ValueError as exc:
            return LineRejected(str(exc), line)
        if _AIM_ID.match(text):
            symbology, data = text[:3], text[3:]
            if not data:
                return LineRejected(f"no data after symbology identifier {symbology}", line)
            return ScanLine(data, symbology)
        return ScanLine(text, None)


def encode_scan(data: str, symbology: str | None = "]C1") -> bytes:
    """The line a scanner sends for ``data``; raises ValueError for data the wire cannot carry."""
    if not data:
        raise ValueError("Invalid scan data '': expected at least one character")
    if symbology is not None and not _AIM_ID.fullmatch(symbology):
        raise ValueError(f"Invalid symbology identifier {symbology!r}: expected ']' + letter + modifier")
    if symbology is None and _AIM_ID.match(data):
        raise ValueError(f"Invalid scan data {data!r}: starts like a symbology identifier but none is given")
    bad = _SCAN_FORBIDDEN.search(data)
    if bad:
        raise ValueError(f"Invalid scan data {data!r}: control character 0x{ord(bad.group()):02X}")
    line = ((symbology or "") + data).encode("utf-8")
    if len(line) > SCAN_MAX_LINE:
        raise ValueError(f"Invalid scan data: {len(line)} bytes, max {SCAN_MAX_LINE}")
    return line + b"\r\n"


def _fit_display(text: str) -> str:
    """One display line: control characters become spaces, cut with "…" to fit display and line."""
    text = _COMMAND_FORBIDDEN.sub(" ", text)
    budget = COMMAND_MAX_LINE - len(b"DISPLAY ")
    if len(text) <= DISPLAY_MAX_CHARS and len(text.encode("utf-8")) <= budget:
        return text
    cut = text[: DISPLAY_MAX_CHARS - 1]
    while len((cut + _ELLIPSIS).encode("utf-8")) > budget:
        cut = cut[:-1]
    return cut + _ELLIPSIS


def encode_command(command: ScannerCommand) -> bytes:
    """The line the host sends for ``command``.

    Display text has control characters (CR, LF, …) replaced by spaces and is cut with "…" to
    64 characters (and to the scanner's 256-byte line).
    """
    match command:
        case Beep(kind="good"):
            return b"BEEP GOOD\r\n"
        case Beep(kind="error"):
            return b"BEEP ERROR\r\n"
        case Display(text=text):
            return b"DISPLAY " + _fit_display(text).encode("utf-8") + b"\r\n"
        case Clear():
            return b"CLEAR\r\n"
    raise ValueError(f"Invalid scanner command {command!r}: expected Beep, Display or Clear")


class CommandDecoder:
    """Scanner side: turns the bytes the host sends into commands or :class:`CommandRejected` events.

    Keywords are matched case-insensitively; the display text is kept exactly as sent.
    """

    def __init__(self, max_line: int = COMMAND_MAX_LINE) -> None:
        self._max = max_line
        self._lines = _LineSplitter(max_line)

    def feed(self, data: bytes) -> list[ScannerCommand | CommandRejected]:
        return [self._decode(line) for line in self._lines.feed(data)]

    def _decode(self, line: bytes | _Overlong) -> ScannerCommand | CommandRejected:
        if isinstance(line, _Overlong):
            return CommandRejected(_too_long(line, self._max), line.raw)
        try:
            return _parse_command(_check_line(line, _COMMAND_FORBIDDEN))
        except ValueError as exc:
            return CommandRejected(str(exc), line)


def _parse_command(text: str) -> ScannerCommand:
    keyword, _, argument = text.partition(" ")
    match keyword.upper():
        case "BEEP":
            kind = argument.strip().upper()
            if kind == "GOOD":
                return Beep("good")
            if kind == "ERROR":
                return Beep("error")
            raise ValueError(f"BEEP expects GOOD or ERROR, got {argument!r}")
        case "DISPLAY":
            if len(argument) > DISPLAY_MAX_CHARS:
                found = len(argument)
                raise ValueError(f"display text too long ({found} characters, max {DISPLAY_MAX_CHARS})")
            return Display(argument)
        case "CLEAR":
            if argument.strip():
                raise ValueError(f"CLEAR takes no argument, got {argument!r}")
            return Clear()
    raise ValueError(f"unknown command {keyword!r}: expected BEEP, DISPLAY or CLEAR")

"""EDIFACT syntax for the reader: bytes to text, the UNA service characters, and text to numbered segments.

pydifact splits segments, elements and components and undoes the release character. Before it runs,
one pass over the text (regular expressions, so cheap on a large file) refuses what pydifact would pass
over or misread: a release character before anything but a service character, a segment that does not
start with a tag, a message cut mid-segment, and more pallets (GIN+BJ) than allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from pydifact.control.characters import Characters
from pydifact.exceptions import EDISyntaxError, ValidationError
from pydifact.parser import Parser
from pydifact.tokenizer import Tokenizer

from xdock.partners.desadv._rules import shown
from xdock.partners.desadv.errors import DesadvError

__all__ = ["DEFAULT_SERVICE_CHARACTERS", "Segment", "decode", "split"]

DEFAULT_SERVICE_CHARACTERS: Final = ":+.? '"
"""Component separator, data separator, decimal mark, release character, reserved, segment terminator."""
_BLANKS: Final = " \r\n"
"""What may stand between segments (pydifact skips these after a terminator)."""
_HEADER = re.compile(rb"[ \r\n]*(?:UNA.{6})?[ \r\n]*UNB.(UNO[A-Z])", re.DOTALL)
_CODECS: Final = {"UNOA": ("ascii", "ASCII"), "UNOB": ("ascii", "ASCII"), "UNOC": ("latin-1", "ISO 8859-1"),
                  "UNOY": ("utf-8", "UTF-8")}
_QUALIFIED: Final = frozenset({"BGM", "DTM", "NAD", "TDT", "PCI", "GIN", "PIA", "QTY", "DGS", "LOC", "MEA"})
_QUALIFIER = re.compile(r"[A-Z0-9]{1,3}")


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its number in the interchange (UNB = 1), tag, and elements of components."""

    number: int
    tag: str
    elements: tuple[tuple[str, ...], ...]

    def get(self, element: int, component: int = 1) -> str:
        """The component (1-based, after the tag), ``""`` when absent."""
        if element > len(self.elements) or component > len(self.elements[element - 1]):
            return ""
        return self.elements[element - 1][component - 1]

    @property
    def label(self) -> str:
        """The tag, with its qualifier when it has one: ``GIN+BJ``."""
        qualifier = self.get(1)
        if self.tag in _QUALIFIED and _QUALIFIER.fullmatch(qualifier):
            return f"{self.tag}+{qualifier}"
        return self.tag

    def error(self, reason: str, element: str | None = None) -> DesadvError:
        """A refusal of this segment."""
        return DesadvError(reason, segment=self.number, tag=self.label, element=element)


def decode(data: bytes) -> str:
    """``data`` as text, in the character set its UNB declares (UTF-8 when none is read)."""
    header = _HEADER.match(data)
    syntax = header.group(1).decode() if header else ""
    codec, name = _CODECS.get(syntax, ("utf-8", "UTF-8"))
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        declared = f"the UNB declares {syntax}" if syntax in _CODECS else "no known UNB syntax, UTF-8 assumed"
        raise DesadvError(
            f"0x{data[exc.start]:02X}: expected {name} text ({declared})", offset=exc.start) from exc


def _service_characters(text: str) -> tuple[str, str]:
    """The service characters and the text after the UNA (all of it when there is none)."""
    if not text.startswith("UNA"):
        return DEFAULT_SERVICE_CHARACTERS, text
    chars = text[3:9]
    if len(chars) < 6:
        raise DesadvError(f"expected 6 service characters, found {len(chars)}", tag="UNA", element="UNA1-UNA6")
    decimal = chars[2]
    separators = (chars[0], chars[1], chars[3], chars[5])
    if (decimal not in ".," or len(set(separators)) < 4
            or any(c.isalnum() or c.isspace() or c == decimal for c in separators)):
        raise DesadvError(
            f"service characters {chars!r}: expected separators, release and terminator distinct,"
            " none a letter, digit, space or the decimal mark, and . or , as decimal mark",
            tag="UNA", element="UNA1-UNA6")
    return chars, text[9:]


def _refuse_at(number: int, body: str, start: int, reason: str) -> DesadvError:
    tag = re.match(r"[A-Z0-9]{3}", body[start:start + 3])
    return DesadvError(reason, segment=number, tag=tag.group() if tag else None)


def _scan(body: str, chars: str, max_pallets: int) -> int:
    """The number of segments in ``body``, after checking what pydifact does not (see the module)."""
    component, data, release, terminator = chars[0], chars[1], chars[3], chars[5]
    service = (component, data, release, terminator)
    marks = re.compile(f"{re.escape(release)}(.?)|{re.escape(terminator)}", re.DOTALL)
    tag = re.compile(f"[A-Z][A-Z0-9]{{2}}(?:{re.escape(data)}|{re.escape(terminator)})")
    blanks = re.compile(f"[{_BLANKS}]*")
    pallet = (f"GIN{data}BJ{data}", f"GIN{data}BJ{terminator}", f"GIN{data}BJ{component}")
    count = pallets = 0
    start = 0
    while start < len(body):
        number = count + 1
        if not tag.match(body, start):
            found = shown(body[start:start + 8])
            raise DesadvError(f"expected a segment tag (3 capital letters or digits), found {found}", segment=number)
        if body.startswith(pallet, start):
            pallets += 1
            if pallets > max_pallets:
                raise DesadvError(f"pallet {pallets}: expected at most {max_pallets} pallets (GIN+BJ) in the input",
                                  segment=number, tag="GIN+BJ")
        end = None
        for mark in marks.finditer(body, start):
            escaped = mark.group(1)
            if escaped is None:
                end = mark.end()
                break
            if escaped == "":
                raise _refuse_at(number, body, start, f"cut off after the release character {release!r}")
            if escaped not in service:
                raise _refuse_at(number, body, start, f"release character {release!r} before {escaped!r}:"
                                 f" expected it only before {' '.join(repr(c) for c in service)}")
        if end is None:
            raise _refuse_at(number, body, start, f"cut off: expected {terminator!r} to end the segment,"
                             " found the end of the input")
        count = number
        gap = blanks.match(body, end)
        start = gap.end() if gap else end
    return count


def _raw_segments(body: str, chars: str) -> Iterator[list[str | list[str]]]:
    characters = Characters.from_str("UNA" + chars)
    yield from Parser().convert_tokens_to_raw_segments(Tokenizer().get_tokens(body, characters))


def split(text: str, *, max_pallets: int) -> list[Segment]:
    """``text`` (an interchange, UNA optional) as segments, numbered from UNB = 1."""
    chars, body = _service_characters(text.lstrip(_BLANKS))
    body = body.lstrip(_BLANKS)
    expected = _scan(body, chars, max_pallets)
    segments: list[Segment] = []
    try:
        for raw in _raw_segments(body, chars):
            tag, *elements = raw
            segments.append(Segment(
                len(segments) + 1,
                str(tag),
                tuple((e,) if isinstance(e, str) else tuple(e) for e in elements),
            ))
    except (EDISyntaxError, ValidationError) as exc:
        raise DesadvError(f"EDIFACT syntax: {exc}", segment=len(segments) + 1) from exc
    if len(segments) != expected:
        raise DesadvError(f"expected {expected} segments, pydifact read {len(segments)}",
                          segment=len(segments) + 1)
    return segments

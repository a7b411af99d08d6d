"""Reading an EDIFACT interchange of DESADV messages (EANCOM D96A subset: see :mod:`xdock.partners.desadv`).

The envelope is checked here: UNB first (syntax UNOA, UNOB, UNOC or UNOY), then UNH ... UNT messages,
each ``DESADV:D:96A:UN`` with UNT counting its segments from UNH to UNT and repeating UNH's reference,
then UNZ counting the messages and repeating UNB's reference, and nothing after it. An SSCC may appear
once in the whole interchange. Every refusal, whatever the input, is a :class:`DesadvError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import Final

from xdock.partners.desadv._message_read import MessageReader
from xdock.partners.desadv._rules import shown
from xdock.partners.desadv._syntax import Segment, decode, split
from xdock.partners.desadv.errors import DesadvError
from xdock.partners.desadv.model import DespatchAdvice

__all__ = ["DEFAULT_MAX_PALLETS", "DEFAULT_MAX_SIZE", "parse_edifact", "parse_edifact_all"]

DEFAULT_MAX_SIZE: Final = 16 * 1024 * 1024
"""Largest input read, in bytes (characters for ``str``)."""
DEFAULT_MAX_PALLETS: Final = 20_000
"""Most pallets (GIN+BJ segments) read from one input."""
SYNTAXES: Final = frozenset({"UNOA", "UNOB", "UNOC", "UNOY"})
MESSAGE_TYPE: Final = ("DESADV", "D", "96A", "UN")


def parse_edifact(
    text: str | bytes, *, max_size: int = DEFAULT_MAX_SIZE, max_pallets: int = DEFAULT_MAX_PALLETS,
    zone: tzinfo = UTC,
) -> DespatchAdvice:
    """The one DESADV message of an interchange; :class:`DesadvError` when it holds none or several.
    ``zone``: the time zone its dates and times are in (EDIFACT's formats 203/204 carry none)."""
    return _parse(text, max_size, max_pallets, one=True, zone=zone)[0]


def parse_edifact_all(
    text: str | bytes, *, max_size: int = DEFAULT_MAX_SIZE, max_pallets: int = DEFAULT_MAX_PALLETS,
    zone: tzinfo = UTC,
) -> list[DespatchAdvice]:
    """Every DESADV message of an interchange, in order (none for an interchange without messages)."""
    return _parse(text, max_size, max_pallets, one=False, zone=zone)


def _parse(
    text: str | bytes, max_size: int, max_pallets: int, *, one: bool, zone: tzinfo,
) -> list[DespatchAdvice]:
    if isinstance(text, bytearray | memoryview):
        text = bytes(text)
    if not isinstance(text, str | bytes):
        raise DesadvError(f"input of type {type(text).__name__}: expected str or bytes")
    if len(text) > max_size:
        unit = "characters" if isinstance(text, str) else "bytes"
        raise DesadvError(f"input of {len(text)} {unit}: expected at most {max_size} (max_size)")
    segments = split(decode(text) if isinstance(text, bytes) else text, max_pallets=max_pallets)
    return _Interchange(segments, one=one, zone=zone).read()


def _missing(segments: Sequence[Segment], tag: str, after: str) -> DesadvError:
    return DesadvError(f"expected {tag} {after}, found the end of the input", segment=len(segments) + 1, tag=tag)


class _Interchange:
    def __init__(self, segments: Sequence[Segment], *, one: bool, zone: tzinfo) -> None:
        self._zone = zone
        self._segments = segments
        self._one = one
        self._ssccs: dict[str, int] = {}

    def read(self) -> list[DespatchAdvice]:
        segments = self._segments
        if not segments:
            raise _missing(segments, "UNB", "to open the interchange")
        unb = segments[0]
        self._check_unb(unb)
        advices: list[DespatchAdvice] = []
        at = 1
        while at < len(segments) and segments[at].tag == "UNH":
            if self._one and advices:
                raise segments[at].error("expected one message in the interchange, found a second")
            end = self._unt_of(at)
            advices.append(self._message(segments[at], segments[at + 1:end], segments[end]))
            at = end + 1
        if at == len(segments):
            raise _missing(segments, "UNZ", "to close the interchange")
        unz = segments[at]
        if unz.tag != "UNZ":
            raise unz.error(f"expected UNH or UNZ, found {unz.tag}")
        if self._one and not advices:
            raise unz.error("expected one message in the interchange, found none")
        if unz.get(1) != str(len(advices)):
            raise unz.error(f"message count {shown(unz.get(1))}: expected {len(advices)}", "0036")
        if unz.get(2) != unb.get(5):
            raise unz.error(f"interchange reference {shown(unz.get(2))}: expected {shown(unb.get(5))} as in UNB",
                            "0020")
        if at + 1 < len(segments):
            raise segments[at + 1].error(f"expected nothing after UNZ, found {segments[at + 1].tag}")
        return advices

    @staticmethod
    def _check_unb(unb: Segment) -> None:
        if unb.tag != "UNB":
            raise unb.error(f"expected UNB to open the interchange, found {unb.tag}")
        if unb.get(1) not in SYNTAXES:
            raise unb.error(f"syntax {shown(unb.get(1))}: expected one of {', '.join(sorted(SYNTAXES))}", "0001")
        for element, what, de in ((2, "sender", "0004"), (3, "recipient", "0010"), (5, "interchange reference",
                                                                                    "0020")):
            if not unb.get(element):
                raise unb.error(f"{what}: expected one, found none", de)

    def _unt_of(self, unh_at: int) -> int:
        segments = self._segments
        for at in range(unh_at + 1, len(segments)):
            if segments[at].tag == "UNT":
                return at
            if segments[at].tag in {"UNH", "UNZ"}:
                raise segments[at].error(f"expected UNT to close the message of segment {unh_at + 1},"
                                         f" found {segments[at].tag}")
        raise _missing(segments, "UNT", f"to close the message of segment {unh_at + 1}")

    def _message(self, unh: Segment, body: Sequence[Segment], unt: Segment) -> DespatchAdvice:
        kind = tuple(unh.get(2, c) for c in range(1, 5))
        if kind != MESSAGE_TYPE:
            raise unh.error(f"message type {shown(':'.join(kind).rstrip(':'))}: expected {':'.join(MESSAGE_TYPE)}",
                            "0065")
        if not unh.get(1):
            raise unh.error("message reference: expected one, found none", "0062")
        count = len(body) + 2
        if unt.get(1) != str(count):
            raise unt.error(f"segment count {shown(unt.get(1))}: expected {count} (UNH to UNT)", "0074")
        if unt.get(2) != unh.get(1):
            raise unt.error(f"message reference {shown(unt.get(2))}: expected {shown(unh.get(1))} as in UNH", "0062")
        return MessageReader(self._ssccs, self._zone).read(body, unt)

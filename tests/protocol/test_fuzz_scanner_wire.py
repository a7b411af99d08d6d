"""Fuzzing the serial scanner's line decoders: any bytes, any chunking, one event per line, never stuck."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.protocol.scanner_wire import (
    Beep,
    Clear,
    CommandDecoder,
    CommandRejected,
    Display,
    LineRejected,
    ScanLine,
    ScanLineDecoder,
    ScannerCommand,
    encode_command,
    encode_scan,
)

LABEL = "00376130321109103420\x1d42069001"
LINE_END = re.compile(rb"\r\n|\r|\n")
SCAN_REASON = re.compile(
    r"empty line|invalid UTF-8 at byte \d+|control character 0x[0-9A-F]{2} at byte \d+"
    r"|line too long \(\d+ bytes, max \d+\)|no data after symbology identifier \][A-Za-z][0-9A-Za-z]"
)
COMMAND_REASON = re.compile(
    r"empty line|invalid UTF-8 at byte \d+|control character 0x[0-9A-F]{2} at byte \d+"
    r"|line too long \(\d+ bytes, max \d+\)|BEEP expects GOOD or ERROR, got .*|CLEAR takes no argument, got .*"
    r"|unknown command .*: expected BEEP, DISPLAY or CLEAR|display text too long \(\d+ characters, max 64\)",
    re.DOTALL,
)

# Bytes a scanner line is made of, weighted towards the interesting ones: terminators, GS, other
# controls, bytes of multi-byte UTF-8 and bytes that are never valid UTF-8.
wire_bytes = st.binary(max_size=600) | st.lists(
    st.sampled_from([b"\r", b"\n", b"\r\n", b"\x1d", b"\x00", b"\x07", b"]C1", b"A", b"0", b"\xc3\xa9", b"\xc3",
                     b"\xff", b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", b"BEEP GOOD", b"DISPLAY ", b"CLEAR", b" "]),
    max_size=80,
).map(b"".join)


def chunked(wire: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(wire)) for c in cuts})
    return [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]


def complete_lines(wire: bytes) -> list[bytes]:
    """The terminated lines of ``wire`` (CR LF counts once; a trailing partial line is not one)."""
    return LINE_END.split(wire)[:-1]


def raw_of(event: object) -> bytes:
    assert isinstance(event, LineRejected | CommandRejected)
    return event.raw


# -- scan lines ---------------------------------------------------------------------------------------


@given(wire=wire_bytes, cuts=st.lists(st.integers(0, 700), max_size=12), max_line=st.sampled_from([8, 64, 512]))
def test_scan_decoder_gives_one_event_per_line_whatever_the_chunking(
    wire: bytes, cuts: list[int], max_line: int
) -> None:
    whole = ScanLineDecoder(max_line).feed(wire)
    pieces = ScanLineDecoder(max_line)
    chunked_events = [event for chunk in chunked(wire, cuts) for event in pieces.feed(chunk)]
    bytewise = ScanLineDecoder(max_line)
    byte_events = [event for i in range(len(wire)) for event in bytewise.feed(wire[i : i + 1])]
    assert chunked_events == whole
    assert byte_events == whole
    lines = complete_lines(wire)
    assert len(whole) == len(lines)
    for line, event in zip(lines, whole, strict=True):
        if isinstance(event, ScanLine):
            assert ((event.symbology or "") + event.data).encode() == line
            assert not re.search(r"[\x00-\x1c\x1e\x1f]", event.data)
        else:
            assert SCAN_REASON.fullmatch(event.reason), event.reason
            assert event.raw == line[:max_line]
            if len(line) > max_line:
                assert event.reason == f"line too long ({len(line)} bytes, max {max_line})"


@given(garbage=wire_bytes, cuts=st.lists(st.integers(0, 700), max_size=6))
def test_a_valid_label_after_garbage_comes_out_exactly(garbage: bytes, cuts: list[int]) -> None:
    decoder = ScanLineDecoder()
    wire = garbage + b"\r\n" + encode_scan(LABEL)
    events = [event for chunk in chunked(wire, cuts) for event in decoder.feed(chunk)]
    assert events[-1] == ScanLine(LABEL, "]C1")
    assert decoder.feed(encode_scan(LABEL, "]d2")) == [ScanLine(LABEL, "]d2")]


def test_a_megabyte_without_terminator_is_one_bounded_rejection() -> None:
    decoder = ScanLineDecoder()
    for _ in range(1024):
        assert decoder.feed(b"\xff" * 1024) == []
    assert decoder.feed(b"\r\n" + encode_scan(LABEL)) == [
        LineRejected(f"line too long ({1024 * 1024} bytes, max 512)", b"\xff" * 512),
        ScanLine(LABEL, "]C1"),
    ]


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (b"\xed\xa0\x80\r\n", [LineRejected("invalid UTF-8 at byte 0", b"\xed\xa0\x80")]),
        (b"]C1\xf0\x9f\x98\r\n", [LineRejected("invalid UTF-8 at byte 3", b"]C1\xf0\x9f\x98")]),
        (b"]C1\x00\r\n", [LineRejected("control character 0x00 at byte 3", b"]C1\x00")]),
        (b"\x1d\r\n", [ScanLine("\x1d", None)]),
        (b"]C1\xc3\xa9\r\n", [ScanLine("é", "]C1")]),
        (b"\r\r\n\n", [LineRejected("empty line", b"")] * 3),
    ],
)
def test_scan_decoder_hand_picked_garbage(wire: bytes, expected: list[ScanLine | LineRejected]) -> None:
    assert ScanLineDecoder().feed(wire) == expected


# -- commands -----------------------------------------------------------------------------------------


@given(wire=wire_bytes, cuts=st.lists(st.integers(0, 700), max_size=12), max_line=st.sampled_from([8, 64, 256]))
def test_command_decoder_gives_one_event_per_line_whatever_the_chunking(
    wire: bytes, cuts: list[int], max_line: int
) -> None:
    whole = CommandDecoder(max_line).feed(wire)
    pieces = CommandDecoder(max_line)
    assert [event for chunk in chunked(wire, cuts) for event in pieces.feed(chunk)] == whole
    lines = complete_lines(wire)
    assert len(whole) == len(lines)
    for line, event in zip(lines, whole, strict=True):
        if isinstance(event, CommandRejected):
            assert COMMAND_REASON.fullmatch(event.reason), event.reason
            assert event.raw == line[:max_line]
        else:
            assert CommandDecoder().feed(encode_command(event)) == [event]


@given(garbage=wire_bytes, command=st.sampled_from([Beep("good"), Beep("error"), Clear(), Display("→ D12 LYON")]))
def test_a_valid_command_after_garbage_comes_out_exactly(garbage: bytes, command: ScannerCommand) -> None:
    decoder = CommandDecoder()
    decoder.feed(garbage + b"\r\n")
    assert decoder.feed(encode_command(command)) == [command]


def test_command_decoder_hand_picked_garbage() -> None:
    assert CommandDecoder().feed(b"DISPLAY \xed\xa0\x80\r\nBEEP\r\n\xff\nCLEAR\r\n") == [
        CommandRejected("invalid UTF-8 at byte 8", b"DISPLAY \xed\xa0\x80"),
        CommandRejected("BEEP expects GOOD or ERROR, got ''", b"BEEP"),
        CommandRejected("invalid UTF-8 at byte 0", b"\xff"),
        Clear(),
    ]

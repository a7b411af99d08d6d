"""The serial scanner's wire format: exact outcomes, round trips, chunking, arbitrary bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
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

SSCC_LABEL = "]C1" + "00376123450000000018" + "\x1d" + "410" + "3760000000017"

# -- scans: exact outcomes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (b"]C100376123450000000018\r\n", [ScanLine("00376123450000000018", "]C1")]),
        (b"]E05012345678900\n", [ScanLine("5012345678900", "]E0")]),
        (b"PLAIN-LABEL\r", [ScanLine("PLAIN-LABEL", None)]),
        (b"]!x\r\n", [ScanLine("]!x", None)]),
        (SSCC_LABEL.encode() + b"\r\n", [ScanLine("00376123450000000018\x1d4103760000000017", "]C1")]),
        (b"A\r\nB\nC\rD\r\n", [ScanLine(c, None) for c in "ABCD"]),
        (b"A\n\rB\r\n", [ScanLine("A", None), LineRejected("empty line", b""), ScanLine("B", None)]),
        (b"\r\n", [LineRejected("empty line", b"")]),
        (b"]C1\r\n", [LineRejected("no data after symbology identifier ]C1", b"]C1")]),
        (b"ab\xffc\r\n", [LineRejected("invalid UTF-8 at byte 2", b"ab\xffc")]),
        (b"]C1ab\x07c\r\n", [LineRejected("control character 0x07 at byte 5", b"]C1ab\x07c")]),
        ("]C1é\tx\r\n".encode(), [LineRejected("control character 0x09 at byte 5", "]C1é\tx".encode())]),
        (b"no terminator yet", []),
    ],
)
def test_scan_decoder_exact_outcomes(wire: bytes, expected: list[ScanLine | LineRejected]) -> None:
    assert ScanLineDecoder().feed(wire) == expected


def test_overlong_scan_rejected_once_and_remainder_discarded() -> None:
    decoder = ScanLineDecoder(max_line=512)
    events = decoder.feed(b"x" * 300)
    events += decoder.feed(b"y" * 300 + b"\r\n]C1OK\r\n")
    assert events == [
        LineRejected("line too long (600 bytes, max 512)", b"x" * 300 + b"y" * 212),
        ScanLine("OK", "]C1"),
    ]


def test_line_of_exactly_max_bytes_is_accepted() -> None:
    assert ScanLineDecoder(max_line=8).feed(b"12345678\r\n123456789\r\n") == [
        ScanLine("12345678", None),
        LineRejected("line too long (9 bytes, max 8)", b"12345678"),
    ]


def test_cr_lf_split_across_feeds_counts_once() -> None:
    decoder = ScanLineDecoder()
    assert decoder.feed(b"A\r") == [ScanLine("A", None)]
    assert decoder.feed(b"\nB\r") == [ScanLine("B", None)]
    assert decoder.feed(b"\r\n") == [LineRejected("empty line", b"")]


@pytest.mark.parametrize(
    ("data", "symbology", "message"),
    [
        ("", "]C1", "Invalid scan data '': expected at least one character"),
        ("A", "C1", "Invalid symbology identifier 'C1': expected ']' + letter + modifier"),
        ("]C1A", None, "Invalid scan data ']C1A': starts like a symbology identifier but none is given"),
        ("A\rB", "]C1", "Invalid scan data 'A\\rB': control character 0x0D"),
        ("x" * 510, "]C1", "Invalid scan data: 513 bytes, max 512"),
    ],
)
def test_encode_scan_refuses_what_the_wire_cannot_carry(data: str, symbology: str | None, message: str) -> None:
    with pytest.raises(ValueError) as err:  # noqa: PT011 - the exact text is asserted below
        encode_scan(data, symbology)
    assert str(err.value) == message


def test_encode_scan_exact_bytes() -> None:
    assert encode_scan("00376123450000000018") == b"]C100376123450000000018\r\n"
    assert encode_scan("LABEL", None) == b"LABEL\r\n"


# -- commands: exact outcomes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "wire"),
    [
        (Beep("good"), b"BEEP GOOD\r\n"),
        (Beep("error"), b"BEEP ERROR\r\n"),
        (Display("→ D12  LYON  dep 16:40"), "DISPLAY → D12  LYON  dep 16:40\r\n".encode()),
        (Display("two\r\nlines"), b"DISPLAY two  lines\r\n"),
        (Display(""), b"DISPLAY \r\n"),
        (Clear(), b"CLEAR\r\n"),
    ],
)
def test_encode_command_exact_bytes(command: ScannerCommand, wire: bytes) -> None:
    assert encode_command(command) == wire


def test_long_display_text_is_cut_with_ellipsis() -> None:
    wire = encode_command(Display("A" * 70))
    assert wire == b"DISPLAY " + ("A" * 63 + "…").encode() + b"\r\n"
    assert CommandDecoder().feed(wire) == [Display("A" * 63 + "…")]


def test_display_of_wide_characters_fits_the_command_line() -> None:
    wire = encode_command(Display("😀" * 64))
    assert len(wire) - 2 <= 256
    assert CommandDecoder().feed(wire) == [Display("😀" * 61 + "…")]


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (b"beep good\n", [Beep("good")]),
        (b"BEEP ERROR\r", [Beep("error")]),
        (b"DISPLAY\r\n", [Display("")]),
        (b"DISPLAY  padded \r\n", [Display(" padded ")]),
        (b"CLEAR\r\nCLEAR\r\n", [Clear(), Clear()]),
        (b"BEEP LOUD\r\n", [CommandRejected("BEEP expects GOOD or ERROR, got 'LOUD'", b"BEEP LOUD")]),
        (b"CLEAR now\r\n", [CommandRejected("CLEAR takes no argument, got 'now'", b"CLEAR now")]),
        (
            b"RESET\r\n",
            [CommandRejected("unknown command 'RESET': expected BEEP, DISPLAY or CLEAR", b"RESET")],
        ),
        (b"\r\n", [CommandRejected("empty line", b"")]),
        (b"DISPLAY \x1dx\r\n", [CommandRejected("control character 0x1D at byte 8", b"DISPLAY \x1dx")]),
        (b"DISPLAY \xc3\r\n", [CommandRejected("invalid UTF-8 at byte 8", b"DISPLAY \xc3")]),
        (
            b"DISPLAY " + b"x" * 65 + b"\r\n",
            [CommandRejected("display text too long (65 characters, max 64)", b"DISPLAY " + b"x" * 65)],
        ),
        (
            b"DISPLAY " + b"x" * 300 + b"\r\nCLEAR\r\n",
            [
                CommandRejected("line too long (308 bytes, max 256)", (b"DISPLAY " + b"x" * 300)[:256]),
                Clear(),
            ],
        ),
    ],
)
def test_command_decoder_exact_outcomes(wire: bytes, expected: list[ScannerCommand | CommandRejected]) -> None:
    assert CommandDecoder().feed(wire) == expected


# -- properties --------------------------------------------------------------------------------------

scan_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters=[chr(c) for c in range(32) if c != 0x1D]),
    min_size=1,
    max_size=120,
)
symbologies = st.none() | st.from_regex(r"\][A-Za-z][0-9A-Za-z]", fullmatch=True)
commands = st.one_of(
    st.sampled_from([Beep("good"), Beep("error"), Clear()]),
    st.builds(Display, st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=64)),
)


@st.composite
def scans(draw: st.DrawFn) -> ScanLine:
    symbology = draw(symbologies)
    data = draw(scan_text)
    if symbology is None and data.startswith("]"):
        data = "x" + data
    return ScanLine(data, symbology)


def chunked(wire: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(wire)) for c in cuts})
    return [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]


@settings(deadline=None)
@given(st.lists(scans(), max_size=6))
def test_scans_round_trip(lines: list[ScanLine]) -> None:
    wire = b"".join(encode_scan(line.data, line.symbology) for line in lines)
    assert ScanLineDecoder().feed(wire) == lines


@settings(deadline=None)
@given(st.lists(commands, max_size=6))
def test_commands_round_trip(sent: list[ScannerCommand]) -> None:
    wire = b"".join(encode_command(c) for c in sent)
    assert CommandDecoder().feed(wire) == sent


@settings(deadline=None)
@given(st.text(max_size=200))
def test_any_display_text_encodes_to_an_accepted_command(text: str) -> None:
    (decoded,) = CommandDecoder().feed(encode_command(Display(text)))
    assert isinstance(decoded, Display)
    assert len(decoded.text) <= 64


def feed_all(decoder: ScanLineDecoder | CommandDecoder, chunks: list[bytes]) -> list[object]:
    events: list[object] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    return events


SAMPLE_WIRE = (
    encode_scan("00376123450000000018\x1d4103760000000017")
    + b"A\r\rB\n\r\nbad\xff\r\n"
    + b"x" * 20
    + b"\r\n]C1\x07\n"
    + encode_command(Display("→ D12  LYON  dep 16:40"))
    + b"BEEP GOOD\rCLEAR"
)


@pytest.mark.parametrize("decoder_type", [ScanLineDecoder, CommandDecoder])
def test_split_at_every_byte_boundary_gives_the_same_events(
    decoder_type: type[ScanLineDecoder] | type[CommandDecoder],
) -> None:
    whole = decoder_type(max_line=16).feed(SAMPLE_WIRE)
    assert len(whole) == 10
    for cut in range(len(SAMPLE_WIRE) + 1):
        assert feed_all(decoder_type(max_line=16), chunked(SAMPLE_WIRE, [cut])) == whole, cut
    assert feed_all(decoder_type(max_line=16), [bytes([b]) for b in SAMPLE_WIRE]) == whole


@settings(deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=8), st.integers(1, 64))
def test_arbitrary_bytes_never_raise_in_any_chunking(data: bytes, cuts: list[int], max_line: int) -> None:
    for decoder_type in (ScanLineDecoder, CommandDecoder):
        whole = decoder_type(max_line=max_line).feed(data)
        assert feed_all(decoder_type(max_line=max_line), chunked(data, cuts)) == whole

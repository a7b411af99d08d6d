"""The ZPL stream decoder: labels from any pieces, ~ commands in stream order, refusals; GS1-128 data both ways."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.partners.labels import PalletLabel, ParsedLabel, ZplDecoder, ZplError, pallet_label, parse_labels
from xdock.protocol.zpl import (
    ControlCommand,
    Field,
    HostStatusQuery,
    decode_code128,
    gs1_128_field_data,
)

FIRST = pallet_label(PalletLabel(sscc="376130321109103420", ship_to_name="Lyon", site_name="Paris-Nord",
                                 ship_to_gln="3761303211001")).encode()
SECOND = pallet_label(PalletLabel(sscc="376130321109103437", ship_to_name="Lille ~ Nord", site_name="Paris-Nord",
                                  parent_sscc="376130321109103420", max_temp_c=-18.5)).encode()
STREAM = FIRST + SECOND


def ssccs(events: list[object]) -> list[str | None]:
    return [e.element("00") for e in events if isinstance(e, ParsedLabel)]


def test_a_piece_that_ends_inside_a_format_gives_nothing_and_keeps_it_for_the_next() -> None:
    decoder = ZplDecoder()
    cut = len(FIRST) + 100
    assert ssccs(decoder.feed(STREAM[:cut])) == ["376130321109103420"]
    assert decoder.in_format
    assert decoder.buffered == 100
    rest = decoder.feed(STREAM[cut:])
    assert ssccs(rest) == ["376130321109103437"]
    assert not decoder.in_format
    assert decoder.buffered == 0
    assert decoder.end() == []


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_labels_fed_in_pieces_of_any_size_come_out_as_from_the_whole_stream(size: int) -> None:
    decoder = ZplDecoder()
    events = [e for i in range(0, len(STREAM), size) for e in decoder.feed(STREAM[i : i + size])]
    assert events == parse_labels(STREAM)
    assert [e.raw for e in events if isinstance(e, ParsedLabel)] == [FIRST.rstrip(b"\n"), SECOND.rstrip(b"\n")]


def test_every_cut_of_the_stream_gives_both_labels() -> None:
    whole = parse_labels(STREAM)
    for cut in range(len(STREAM) + 1):
        decoder = ZplDecoder()
        assert [*decoder.feed(STREAM[:cut]), *decoder.feed(STREAM[cut:]), *decoder.end()] == whole, cut


def test_tilde_commands_come_out_at_once_in_stream_order_and_are_no_part_of_the_format() -> None:
    decoder = ZplDecoder()
    events = decoder.feed(b"~HS" + FIRST[:50] + b"~hs~JA")
    assert events == [HostStatusQuery(), HostStatusQuery(), ControlCommand("JA")]
    [label] = decoder.feed(FIRST[50:])
    assert isinstance(label, ParsedLabel)
    assert label.raw == FIRST.rstrip(b"\n")


def test_bytes_between_formats_are_ignored() -> None:
    assert parse_labels(b"garbage ^FDnot a label^FS\r\n" + FIRST + b"\x00\xff more") == parse_labels(FIRST)


def test_a_format_opened_again_before_its_end_is_refused_and_the_next_one_read() -> None:
    decoder = ZplDecoder()
    error, label = decoder.feed(b"^XA^FO1,1^FDlost" + FIRST)
    assert isinstance(error, ZplError)
    assert str(error) == "Invalid format: expected ^XZ before the next ^XA, found ^XA (at byte 16)"
    assert isinstance(label, ParsedLabel)
    assert label.element("00") == "376130321109103420"


def test_a_format_longer_than_the_limit_is_dropped() -> None:
    decoder = ZplDecoder(max_format=64)
    [error] = decoder.feed(b"xx^XA" + b"^FDy" * 20)
    assert str(error) == "Invalid format: expected at most 64 bytes, found more without ^XZ (at byte 2)"
    assert not decoder.in_format
    assert decoder.feed(b"^FS^XZ^XA^FO1,2^FDz^FS^XZ") == [ParsedLabel((Field(1, 2, "z"),), b"^XA^FO1,2^FDz^FS^XZ")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"^XA^FO10,y^FDa^FS^XZ", "Invalid ^FO: expected x,y in dots, found '10,y' (at byte 3)"),
        (b"^XA^FH^FDa_4Gb^FS^XZ",
         "Invalid field data: expected two hex digits after '_' (^FH), found '4G' (at byte 10)"),
        (b"^XA^CI28^FDa\xffb^FS^XZ", "Invalid field data: expected utf-8, found byte 0xff (at byte 12)"),
        (b"^XA^BCN^FD>;12345^FS^XZ",
         "Invalid ^BC field data '>;12345': expected a digit pair in subset C at 6, found '5' (at byte 10)"),
        (b"^XA^BCN^FD>;>812>4AB^FS^XZ",
         "Invalid ^BC field data '>;>812>4AB': expected an invocation code of subset C at 6, found '>4' (at byte 10)"),
        (b"^XA^BCN^FD>:>8AB12^FS^XZ",
         "Invalid ^BC field data '>:>8AB12': expected GS1 element strings after FNC1: Failed to get GS1 Application "
         "Identifier from 'AB12'. (at byte 10)"),
    ],
)
def test_an_unreadable_format_is_refused_naming_the_stream_offset(data: bytes, message: str) -> None:
    [error] = ZplDecoder().feed(data)
    assert isinstance(error, ZplError)
    assert str(error) == message
    assert error.offset == int(message.rsplit("(at byte ", 1)[1].rstrip(")"))


def test_a_field_with_another_symbology_keeps_its_data_unread() -> None:
    [label] = parse_labels(b"^XA^FO5,6^BQN,2,4^FDQA,hello^FS^XZ")
    assert label.fields[0].barcode is not None
    assert (label.fields[0].barcode.symbology, label.fields[0].barcode.data) == ("^BQ", "QA,hello")


def test_gs1_128_field_data_uses_subset_c_for_digit_pairs_and_fnc1_after_variable_length_fields() -> None:
    elements = (("00", "376130321109103420"), ("10", "AB>5"), ("37", "123"), ("410", "3761303211001"))
    data = gs1_128_field_data(elements)
    assert data == ">;>80037613032110910342010>6AB><5>8>53712>63>8>54103761303211001"
    assert decode_code128(data) == "\x1d0037613032110910342010AB>5\x1d37123\x1d4103761303211001"
    [label] = parse_labels(f"^XA^BCN,100,N,N,N^FD{data}^FS^XZ".encode())
    assert label.barcodes[0].elements == elements


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        ((), "Invalid GS1-128 data: expected at least one element string, found none"),
        ((("99999", "1"),), "Invalid GS1 Application Identifier '99999': expected one GS1 defines"),
        ((("00", "12"),), "Invalid GS1 element (00) '12': expected N2+N18"),
        ((("10", "A^B"),), "Invalid GS1 element (10) 'A^B': expected N2+X..20"),
    ],
)
def test_gs1_128_field_data_refuses_what_gs1_does_not_allow(
    elements: tuple[tuple[str, str], ...], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        gs1_128_field_data(elements)


BATCHES = st.text(st.sampled_from("0123456789ABCXYZabc-./>_"), min_size=1, max_size=20)


@given(batch=BATCHES, count=st.integers(1, 99_999_999), serial=st.integers(0, 10**17 - 1))
def test_gs1_128_field_data_reads_back_as_its_elements(batch: str, count: int, serial: int) -> None:
    sscc = f"{serial:017d}"
    sscc += str((10 - sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(sscc)) % 10) % 10)
    elements = (("10", batch), ("37", str(count)), ("00", sscc))
    [label] = parse_labels(f"^XA^BCN^FD{gs1_128_field_data(elements)}^FS^XZ".encode())
    assert label.barcodes[0].elements == elements

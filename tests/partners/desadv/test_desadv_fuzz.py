"""Fuzzing the EDIFACT reader: cut, flipped, salted and hugely repeated input gives an advice or a DesadvError, and
finishes; a large file reads whole."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_desadv_sample import ENVELOPE, EXPECTED, SAMPLE

from xdock.partners.desadv import (
    DesadvError,
    DespatchAdvice,
    PalletAdvice,
    TradeItemLine,
    parse_edifact,
    parse_edifact_all,
    to_edifact,
)
from xdock.protocol.gs1 import sscc_with_check_digit

DATA = SAMPLE.encode("latin-1")
_END = re.compile(r"found the end of the input|cut off|expected 6 service characters|expected a segment tag")


def outcome(data: str | bytes) -> DespatchAdvice | DesadvError:
    """What parsing ``data`` gives; any exception but :class:`DesadvError` fails the test."""
    try:
        return parse_edifact(data)
    except DesadvError as exc:
        return exc


@given(cut=st.integers(0, len(SAMPLE)))
def test_every_truncation_is_refused_for_its_missing_end(cut: int) -> None:
    result = outcome(SAMPLE[:cut])
    if cut >= len(SAMPLE.rstrip()):
        assert result == EXPECTED
    else:
        assert isinstance(result, DesadvError)
        assert _END.search(str(result)), str(result)


@given(flips=st.lists(st.tuples(st.integers(0, len(DATA) - 1), st.integers(0, 255)), min_size=1, max_size=4))
def test_flipped_bytes_give_an_advice_or_a_desadv_error(flips: list[tuple[int, int]]) -> None:
    data = bytearray(DATA)
    for at, value in flips:
        data[at] = value
    assert isinstance(outcome(bytes(data)), DespatchAdvice | DesadvError)


@given(salt=st.lists(st.tuples(st.integers(0, len(SAMPLE)), st.sampled_from(["?", "'", "+", ":", "??", "?'"])),
                     min_size=1, max_size=4))
def test_inserted_service_characters_give_an_advice_or_a_desadv_error(salt: list[tuple[int, str]]) -> None:
    text = SAMPLE
    for at, characters in sorted(salt, reverse=True):
        text = text[:at] + characters + text[at:]
    assert isinstance(outcome(text), DespatchAdvice | DesadvError)


@given(noise=st.binary(max_size=400) | st.text(max_size=400))
def test_noise_gives_a_desadv_error(noise: bytes | str) -> None:
    assert isinstance(outcome(noise), DesadvError)
    assert isinstance(outcome("UNA:+.? '\nUNB+UNOC:3+1:14+2:14+240502:0615+R'\n" + str(noise)), DesadvError)


def test_a_segment_repeated_a_hundred_thousand_times_is_counted() -> None:
    text = SAMPLE.replace("CPS+1'\n", "FTX+AAI+++note'\n" * 100_000 + "CPS+1'\n")
    assert str(outcome(text)) == "segment 100034 UNT: segment count 33: expected 100033 (UNH to UNT)"
    assert outcome(text.replace("UNT+33+1'", "UNT+100033+1'")) == EXPECTED


def test_huge_runs_of_release_characters_finish() -> None:
    released = SAMPLE.replace("CPS+1'\n", "FTX+AAI+++" + "?'" * 500_000 + "'\nCPS+1'\n").replace("UNT+33", "UNT+34")
    assert outcome(released) == EXPECTED
    assert str(outcome("?" * 1_000_000)) == (
        "segment 1: expected a segment tag (3 capital letters or digits), found '????????'")


def test_too_many_pallets_are_refused_before_splitting() -> None:
    pallets = "GIN+BJ+340123450000000017'\n" * 20_001
    text = SAMPLE.replace("CPS+1'\n", pallets + "CPS+1'\n")
    assert str(outcome(text)) == (
        "segment 20010 GIN+BJ: pallet 20001: expected at most 20000 pallets (GIN+BJ) in the input")


def test_a_repeated_message_is_refused_for_its_duplicate_ssccs() -> None:
    message = SAMPLE[SAMPLE.index("UNH+"):SAMPLE.index("UNZ+")]
    text = SAMPLE.replace("UNZ+1+", message * 50 + "UNZ+51+")
    with pytest.raises(DesadvError) as caught:
        parse_edifact_all(text)
    assert str(caught.value) == (
        "segment 49 GIN+BJ: SSCC 340123450000000017: expected once in the interchange, found again"
        " (first in segment 16)")


def test_a_thousand_pallets_read_whole() -> None:
    pallets = tuple(
        PalletAdvice(sscc=sscc_with_check_digit(f"34012345{n:09d}"), gross_weight_kg=300 + n / 4, lines=(
            TradeItemLine(gtin="4012345111118", quantity=n + 1, final_destination_gln="4098765000102"),
            TradeItemLine(gtin="4012345222227", quantity=2, batch=f"B{n}"),
        ))
        for n in range(1000)
    )
    advice = DespatchAdvice.model_validate({**dict(EXPECTED), "pallets": pallets})
    text = to_edifact(advice, **ENVELOPE)
    assert len(text.splitlines()) == 1000 * 11 + 14
    read = parse_edifact(text.encode("latin-1"))
    assert read == advice
    assert (len(read.pallets), sum(len(p.lines) for p in read.pallets)) == (1000, 2000)
    assert sum(p.mixed for p in read.pallets) == 1000

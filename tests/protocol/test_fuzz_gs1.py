"""Fuzzing the pallet label parser with element strings, not just characters: only LabelError escapes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.protocol.gs1 import LabelError, PalletLabel, sscc_with_check_digit
from xdock.protocol.scanner_wire import ScanLine, ScanLineDecoder

GS = "\x1d"
REASONS = {
    "empty scan", "not an SSCC", "no SSCC on label", "bad check digit", "bad ship-to GLN", "bad postal code",
    "bad GTIN", "unreadable label", "ambiguous label",
}
"""Every reason a LabelError may give (the list in :mod:`xdock.protocol.gs1`'s docstring)."""
# The AIs the parser reads, their neighbours, and a few it ignores, with data of any length and alphabet:
# dates that do not exist, temperatures with a stray minus, weights with odd decimals.
ais = st.sampled_from([
    "00", "01", "02", "10", "11", "13", "15", "17", "21", "37", "3100", "3102", "3105", "3109", "3300", "3303",
    "3309", "400", "410", "420", "421", "4321", "4330", "4331", "4332", "4333", "7003", "8020", "99", "9",
    "23", "3", "",
])
data_chars = st.sampled_from([*"0123456789-A.z ", GS, "(", ")", "é"])
element_data = st.text(data_chars, max_size=24) | st.from_regex(r"[0-9]{1,20}", fullmatch=True)
sscc_data = st.from_regex(r"[0-9]{17}", fullmatch=True).map(sscc_with_check_digit)


@st.composite
def element_strings(draw: st.DrawFn) -> str:
    """A label-like scan: an optional symbology, then (AI, data) pairs in one of the three forms."""
    symbology = draw(st.sampled_from(["", "]C1", "]d2", "]Q3", "]e0", "]E0", "]A0", "]C", "]"]))
    form = draw(st.sampled_from(["separated", "unseparated", "hri"]))
    pairs = draw(st.lists(st.tuples(ais, element_data), max_size=6))
    if draw(st.booleans()):
        pairs.insert(0, ("00", draw(sscc_data)))
    if form == "hri":
        body = "".join(f"({ai}){data}" for ai, data in pairs)
    else:
        body = (GS if form == "separated" else "").join(ai + data for ai, data in pairs)
    padding = draw(st.sampled_from(["", " ", GS, "\t", " \r"]))
    return padding + symbology + body + padding


def read(text: str) -> PalletLabel | LabelError:
    try:
        return PalletLabel.parse(text)
    except LabelError as error:
        return error


def check(outcome: PalletLabel | LabelError) -> None:
    if isinstance(outcome, LabelError):
        assert outcome.reason in REASONS
        assert str(outcome)
    else:
        assert len(outcome.sscc) == 18
        assert outcome.sscc == sscc_with_check_digit(outcome.sscc[:17])


@given(element_strings())
def test_element_strings_only_ever_raise_label_error(text: str) -> None:
    check(read(text))


@given(st.binary(max_size=200))
def test_whatever_the_scanner_decoder_lets_through_only_raises_label_error(wire: bytes) -> None:
    for event in ScanLineDecoder().feed(wire + b"\r\n"):
        if isinstance(event, ScanLine):
            check(read((event.symbology or "") + event.data))


@given(st.text(min_size=513, max_size=2000))
def test_oversized_scans_are_refused_without_parsing(text: str) -> None:
    outcome = read("0" + text.strip() + "0")
    assert isinstance(outcome, LabelError)
    assert outcome.reason == "unreadable label"
    assert "expected at most 512 characters" in str(outcome)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("]C100" + sscc_with_check_digit("37613032110910342") + GS + "17261340", "unreadable label"),
        ("]C100" + sscc_with_check_digit("37613032110910342") + GS + "4330-", "unreadable label"),
        ("(00)" + sscc_with_check_digit("37613032110910342") + "(3109)", "unreadable label"),
        ("]C1" + GS * 5, "empty scan"),
        ("]" + "\u00e9" * 3, "unreadable label"),
    ],
)
def test_hand_picked_damaged_fields(text: str, reason: str) -> None:
    outcome = read(text)
    assert isinstance(outcome, LabelError)
    assert outcome.reason == reason

"""Pallet labels as scanners send them: forms, fields, missing separators and every refusal."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.sscc import Sscc
from hypothesis import given
from hypothesis import strategies as st

from xdock.protocol import _gs1_split
from xdock.protocol.gs1 import LabelError, PalletLabel, ShipTo, build_label, sscc_with_check_digit

GS = "\x1d"
SSCC = "376130321109103420"
GLN = "3761303211001"
GTIN = "03761303210004"
REASONS = {
    "empty scan",
    "not an SSCC",
    "no SSCC on label",
    "bad check digit",
    "bad ship-to GLN",
    "bad postal code",
    "bad GTIN",
    "unreadable label",
    "ambiguous label",
}


def reject(text: str) -> LabelError:
    with pytest.raises(LabelError) as info:
        PalletLabel.parse(text)
    return info.value


def read(text: str) -> PalletLabel | LabelError:
    """The label, or the refusal."""
    try:
        return PalletLabel.parse(text)
    except LabelError as error:
        return error


def label(text: str, **fields: object) -> PalletLabel:
    """The label ``text`` should read as: SSCC only, plus ``fields``."""
    values: dict[str, object] = {
        "sscc": SSCC,
        "ship_to": None,
        "expiry": None,
        "best_before": None,
        "gtin": None,
        "count": None,
        "net_weight_kg": None,
        "gross_weight_kg": None,
        "symbology": None,
        "raw": text,
    }
    values.update(fields)
    return PalletLabel(**values)  # type: ignore[arg-type]


# --- reading labels --------------------------------------------------------------------------


def test_full_label_with_symbology_and_separator() -> None:
    text = f"]C100{SSCC}410{GLN}172612311526113002{GTIN}3102001250330100130042125069001{GS}3712\r\n"
    assert PalletLabel.parse(text) == label(
        text,
        ship_to=ShipTo(kind="gln", value=GLN),
        expiry=dt.date(2026, 12, 31),
        best_before=dt.date(2026, 11, 30),
        gtin=GTIN,
        count=12,
        net_weight_kg=12.5,
        gross_weight_kg=130.0,
        symbology="]C1",
    )


@pytest.mark.parametrize("symbology", ["]C1", "]d2", "]Q3", "]e0"])
def test_gs1_symbologies_are_kept(symbology: str) -> None:
    text = f"{symbology}00{SSCC}"
    assert PalletLabel.parse(text) == label(text, symbology=symbology)


def test_surrounding_whitespace_and_separators_are_stripped_and_raw_kept() -> None:
    text = f"  {GS}00{SSCC}42069001\r\n"
    assert PalletLabel.parse(text) == label(text, ship_to=ShipTo(kind="postal", value="69001"))


def test_human_readable_form_with_spaces() -> None:
    text = "(00) 3 7613032 110910342 0 (410) 3761303211001 (17) 261231 (37) 12"
    assert PalletLabel.parse(text) == label(
        text, ship_to=ShipTo(kind="gln", value=GLN), expiry=dt.date(2026, 12, 31), count=12
    )


@pytest.mark.parametrize(
    ("elements", "ship_to"),
    [
        (f"410{GLN}42125069001{GS}42069001", ShipTo(kind="gln", value=GLN)),
        (f"42125069001{GS}42069002", ShipTo(kind="postal", value="69001", country="250")),
        ("4201010-123", ShipTo(kind="postal", value="1010-123")),
        ("", None),
    ],
)
def test_ship_to_prefers_gln_then_421_then_420(elements: str, ship_to: ShipTo | None) -> None:
    text = f"00{SSCC}{elements}"
    assert PalletLabel.parse(text).ship_to == ship_to


def test_content_gtin_is_preferred_over_item_gtin() -> None:
    assert PalletLabel.parse(f"00{SSCC}0105901234123457{GS}02{GTIN}").gtin == GTIN
    assert PalletLabel.parse(f"00{SSCC}0105901234123457").gtin == "05901234123457"


def test_weights_use_the_decimals_of_the_ai() -> None:
    parsed = PalletLabel.parse(f"(00){SSCC}(3105)012345(3300)000250")
    assert (parsed.net_weight_kg, parsed.gross_weight_kg) == (0.12345, 250.0)


def test_day_00_means_last_day_of_month() -> None:
    assert PalletLabel.parse(f"00{SSCC}17260200").expiry == dt.date(2026, 2, 28)


def test_separated_scan_is_read_as_separated() -> None:
    text = f"00{SSCC}10ABC3712{GS}17261231"  # batch "ABC3712", no count
    assert PalletLabel.parse(text) == label(text, expiry=dt.date(2026, 12, 31))


# --- keyboard-wedge scans without separators -------------------------------------------------


@pytest.mark.parametrize(
    ("elements", "fields"),
    [
        # postal code then expiry: "6900117261231" is too long for a postal code
        ("4206900117261231", {"ship_to": ShipTo("postal", "69001"), "expiry": dt.date(2026, 12, 31)}),
        # count then expiry: a count has at most 8 digits, (21) and (12) are not pallet AIs
        ("371217261231", {"count": 12, "expiry": dt.date(2026, 12, 31)}),
        # count then postal code: (37)124206(90)01 would need an internal AI
        ("371242069001", {"count": 12, "ship_to": ShipTo("postal", "69001")}),
        # postal code then a 4-digit count: "69001371200" is too long for a postal code
        ("42069001371200", {"count": 1200, "ship_to": ShipTo("postal", "69001")}),
        ("42125069001371200", {"count": 1200, "ship_to": ShipTo("postal", "69001", "250")}),
        # nothing variable-length before the end: nothing to guess
        (f"410{GLN}3102001250", {"ship_to": ShipTo("gln", GLN), "net_weight_kg": 12.5}),
    ],
)
def test_unambiguous_scans_without_separator(elements: str, fields: dict[str, object]) -> None:
    text = f"00{SSCC}{elements}"
    assert PalletLabel.parse(text) == label(text, **fields)


def test_postal_code_then_short_count_is_ambiguous() -> None:
    # (420)69001(37)12 or the postal code "690013712"; (12) needs six digits so it is no third way
    error = reject(f"00{SSCC}420690013712")
    assert error.reason == "ambiguous label"
    assert str(error) == (
        f"Ambiguous label '00{SSCC}420690013712': expected one way to place the missing separators, "
        f"found 2: (00){SSCC}(420)69001(37)12 or (00){SSCC}(420)690013712"
    )


@pytest.mark.parametrize(
    "elements",
    [
        "10ABC3712",  # batch "ABC" and count 12, or batch "ABC3712"
        f"3712410{GLN}",  # count 12 and a GLN, or count 124 and batch "3761303211001"
    ],
)
def test_more_scans_without_separator_that_read_two_ways(elements: str) -> None:
    error = reject(f"00{SSCC}{elements}")
    assert error.reason == "ambiguous label"
    assert "found 2: " in str(error)


def test_scan_without_separator_and_bad_sscc_reports_the_check_digit() -> None:
    error = reject("00376130321109103424420690013712")
    assert (error.reason, str(error)) == (
        "bad check digit",
        "Invalid SSCC check digit for '376130321109103424': expected 0, got 4",
    )


def test_scan_without_separator_and_no_plausible_split_is_read_left_to_right() -> None:
    # a count of "01" is implausible, an internal AI (91) is never guessed: read as printed
    assert PalletLabel.parse(f"00{SSCC}3701").count == 1
    assert PalletLabel.parse(f"00{SSCC}17261231" + "91ABC").expiry == dt.date(2026, 12, 31)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Empty scan '': expected a label, found no characters"),
        (" \r\n", "Empty scan ' \\r\\n': expected a label, found no characters"),
        ("]C1\r\n", "Empty scan ']C1': expected a label after ]C1"),
    ],
)
def test_empty_scan(text: str, message: str) -> None:
    error = reject(text)
    assert (error.reason, str(error)) == ("empty scan", message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "HELLO",
            "Not an SSCC label 'HELLO': expected GS1 element strings with an SSCC (AI 00), found other "
            "text (Failed to get GS1 Application Identifier from 'HELLO'.)",
        ),
        (
            "5901234123457",
            "Not an SSCC label '5901234123457': expected GS1 element strings, found a product code (GTIN)",
        ),
        (
            "4006381333931",  # also reads as (400)6381333931, but it is an EAN-13
            "Not an SSCC label '4006381333931': expected GS1 element strings, found a product code (GTIN)",
        ),
        (
            "]E05901234123457",
            "Not an SSCC label ']E05901234123457': expected a GS1 symbology (]C1, ]d2, ]Q3, ]e0), found ']E0'",
        ),
    ],
)
def test_not_an_sscc(text: str, message: str) -> None:
    error = reject(text)
    assert (error.reason, str(error)) == ("not an SSCC", message)


def test_gs1_label_without_sscc() -> None:
    error = reject("(01)05901234123457(17)261231")
    assert (error.reason, str(error)) == (
        "no SSCC on label",
        "No SSCC on label '(01)05901234123457(17)261231': expected AI (00), found (01)05901234123457(17)261231",
    )


@pytest.mark.parametrize(
    "text",
    ["00376130321109103424", "]C100376130321109103424", "(00)376130321109103424(37)12"],
)
def test_bad_sscc_check_digit(text: str) -> None:
    error = reject(text)
    assert (error.reason, str(error)) == (
        "bad check digit",
        "Invalid SSCC check digit for '376130321109103424': expected 0, got 4",
    )


def test_bad_ship_to_gln() -> None:
    error = reject(f"00{SSCC}4103761303211008")
    assert (error.reason, str(error)) == (
        "bad ship-to GLN",
        "Invalid ship-to GLN check digit for '3761303211008': expected 1, got 8",
    )


@pytest.mark.parametrize(
    ("text", "code"), [(f"00{SSCC}420690/01", "690/01"), (f"(00){SSCC}(421)250-25000", "-25000")]
)
def test_bad_ship_to_postal_code(text: str, code: str) -> None:
    error = reject(text)
    assert (error.reason, str(error)) == (
        "bad postal code",
        f"Invalid postal code {code!r}: expected 1-20 letters, digits, spaces or -, a letter or digit first",
    )


def test_bad_gtin() -> None:
    error = reject(f"00{SSCC}0203761303210009")
    assert (error.reason, str(error)) == (
        "bad GTIN",
        "Invalid GTIN check digit for '03761303210009': expected 4, got 9",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("00123", "Unreadable label '00123': Failed to match '00123' with GS1 AI (00) pattern '^00(\\d{18})$'."),
        (
            f"00{SSCC}17260230",
            f"Unreadable label '00{SSCC}17260230': Failed to parse GS1 AI (17) date/time from '260230'.",
        ),
        (
            f"(00){SSCC}(",
            f"Unreadable label '(00){SSCC}(': expected '(AI)data(AI)data', found '(00){SSCC}('",
        ),
        ("]", "Unreadable label ']': expected a symbology identifier such as ']C1', found ']'"),
        ("]Yx00", "Unreadable label ']Yx00': expected a symbology identifier such as ']C1', found ']Yx'"),
        (
            f"00{SSCC}3712{GS}3713",
            f"Unreadable label '00{SSCC}3712\\x1d3713': expected each AI once, found (37) '12' and '13'",
        ),
        (f"00{SSCC}١٢", f"Unreadable label '00{SSCC}١٢': expected ASCII characters only"),
        ("00" + "1" * 600, f"Unreadable label '{'00' + '1' * 22}'...: expected at most 512 characters, found 602"),
    ],
)
def test_unreadable_label(text: str, message: str) -> None:
    error = reject(text)
    assert (error.reason, str(error)) == ("unreadable label", message)


def test_scan_with_too_many_possible_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_gs1_split, "_BUDGET", 2)
    error = reject(f"00{SSCC}10ABC3712")
    assert (error.reason, str(error)) == (
        "unreadable label",
        f"Unreadable label '00{SSCC}10ABC3712': too many ways to place the missing separators",
    )


def test_parser_error_is_chained_and_label_error_is_a_value_error() -> None:
    error = reject("00123")
    assert isinstance(error, ValueError)
    assert isinstance(error.__cause__, ParseError)


# --- building labels -------------------------------------------------------------------------


def test_sscc_with_check_digit() -> None:
    assert sscc_with_check_digit("37613032110910342") == SSCC


@pytest.mark.parametrize("body", ["3761303211091034", "376130321109103420", "3761303211091034x", "١" * 17])
def test_sscc_with_check_digit_needs_17_digits(body: str) -> None:
    with pytest.raises(ValueError, match="expected 17 digits"):
        sscc_with_check_digit(body)


def test_build_label_puts_fixed_fields_first_and_separates_variable_ones() -> None:
    text = build_label(
        SSCC, ship_to_gln=GLN, ship_to_postal="69001", country="250", expiry=dt.date(2026, 12, 31), count=12
    )
    assert text == f"00{SSCC}410{GLN}1726123142125069001{GS}3712"
    assert build_label(SSCC, ship_to_postal="69001", count=12, gs="") == f"00{SSCC}420690013712"
    assert build_label(SSCC, count=12) == f"00{SSCC}3712"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sscc": "123"}, "Invalid label field '00123'"),
        ({"sscc": SSCC, "ship_to_gln": "12"}, "Invalid label field '41012'"),
        ({"sscc": SSCC, "count": -1}, "Invalid label field '37-1'"),
        ({"sscc": SSCC, "country": "250"}, "country '250' given without ship_to_postal"),
        ({"sscc": SSCC, "ship_to_postal": "69 001"}, "Invalid label field '42069 001'"),
    ],
)
def test_build_label_refuses_malformed_fields(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        build_label(**kwargs)  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------------------

digits17 = st.from_regex(r"[0-9]{17}", fullmatch=True)
ssccs = digits17.map(sscc_with_check_digit)
glns = st.from_regex(r"[0-9]{12}", fullmatch=True).map(lambda body: body + str(gs1_standard_check_digit(body)))
postal_codes = st.from_regex(r"[0-9A-Z]{3,9}", fullmatch=True)
countries = st.from_regex(r"[0-9]{3}", fullmatch=True)
dates = st.dates(dt.date(2000, 1, 1), dt.date(2075, 12, 31))
counts = st.integers(1, 99_999_999)
symbologies = st.sampled_from(["", "]C1", "]d2", "]Q3", "]e0"])


@given(ssccs)
def test_sscc_with_check_digit_is_a_valid_sscc(sscc: str) -> None:
    assert Sscc.parse(sscc).value == sscc


@st.composite
def labels(draw: st.DrawFn) -> tuple[dict[str, object], PalletLabel]:
    """Keyword arguments for build_label, and the label they describe (``raw`` left empty)."""
    sscc = draw(ssccs)
    gln = draw(st.none() | glns)
    postal = draw(st.none() | postal_codes)
    country = None if postal is None else draw(st.none() | countries)
    expiry = draw(st.none() | dates)
    count = draw(st.none() | counts)
    kwargs: dict[str, object] = {
        "sscc": sscc,
        "ship_to_gln": gln,
        "ship_to_postal": postal,
        "country": country,
        "expiry": expiry,
        "count": count,
    }
    ship_to = ShipTo("gln", gln) if gln else ShipTo("postal", postal, country) if postal else None
    return kwargs, label("", sscc=sscc, ship_to=ship_to, expiry=expiry, count=count)


def hri(kwargs: dict[str, object]) -> str:
    """What a label built from ``kwargs`` reads as, in the human-readable form."""
    parts = [f"(00){kwargs['sscc']}"]
    if kwargs["ship_to_gln"] is not None:
        parts.append(f"(410){kwargs['ship_to_gln']}")
    if isinstance(expiry := kwargs["expiry"], dt.date):
        parts.append(f"(17){expiry:%y%m%d}")
    if kwargs["ship_to_postal"] is not None:
        country = kwargs["country"]
        parts.append(f"(421){country}" if country is not None else "(420)")
        parts.append(f"{kwargs['ship_to_postal']}")
    if kwargs["count"] is not None:
        parts.append(f"(37){kwargs['count']}")
    return "".join(parts)


@given(labels(), symbologies)
def test_round_trip_human_readable(case: tuple[dict[str, object], PalletLabel], symbology: str) -> None:
    kwargs, expected = case
    text = symbology + hri(kwargs)
    assert PalletLabel.parse(text) == replace(expected, raw=text, symbology=symbology or None)


@given(labels(), symbologies, st.sampled_from([GS, ""]))
def test_round_trip_reads_true_or_refuses_as_ambiguous_without_separator(
    case: tuple[dict[str, object], PalletLabel], symbology: str, gs: str
) -> None:
    """A scan with a GS reads exactly; one without reads exactly or names the true reading."""
    kwargs, expected = case
    text = symbology + build_label(**kwargs, gs=gs)  # type: ignore[arg-type]
    outcome = read(text)
    if isinstance(outcome, LabelError):
        assert GS not in text
        assert outcome.reason == "ambiguous label"
        assert "at least 3" in str(outcome) or hri(kwargs) in str(outcome)
    else:
        assert outcome == replace(expected, raw=text, symbology=symbology or None)


label_alphabet = st.sampled_from(list("0123456789()] \r\nCdQeEYAZaz-" + GS))


@given(
    st.text()
    | st.text(label_alphabet, max_size=80)
    | st.builds("00{}{}".format, ssccs, st.text(label_alphabet, max_size=60))
)
def test_arbitrary_text_only_ever_raises_label_error(text: str) -> None:
    outcome = read(text)
    if isinstance(outcome, LabelError):
        assert outcome.reason in REASONS
    else:
        assert Sscc.parse(outcome.sscc).value == outcome.sscc
        assert outcome.sscc.isascii()


@given(st.builds(build_label, ssccs, count=counts, ship_to_postal=postal_codes), st.data())
def test_damaged_labels_only_ever_raise_label_error(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(text)))
    damage = data.draw(st.sampled_from(["", "1", "A", GS, "("]))
    skip = data.draw(st.integers(0, 2))
    damaged = text[:position] + damage + text[position + skip :]
    outcome = read(damaged)
    if isinstance(outcome, LabelError):
        assert outcome.reason in REASONS
    else:
        assert Sscc.parse(outcome.sscc).value == outcome.sscc

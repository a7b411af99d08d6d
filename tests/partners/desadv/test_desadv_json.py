"""The JSON form: each refusal names the JSON path of the problem; bytes, limits and shapes are checked first."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_desadv_sample import EXPECTED

from xdock.partners.desadv import DesadvError, parse_json, to_json


def document(**changes: Any) -> dict[str, Any]:
    """The sample advice's JSON with top-level ``changes``."""
    return {**to_json(EXPECTED), **changes}


def pallet(index: int, **changes: Any) -> list[dict[str, Any]]:
    """The sample's pallets with pallet ``index`` changed."""
    pallets: list[dict[str, Any]] = to_json(EXPECTED)["pallets"]
    pallets[index] = {**pallets[index], **changes}
    return pallets


def refusal(data: Any, **limits: int) -> str:
    with pytest.raises(DesadvError) as caught:
        parse_json(data, **limits)
    return str(caught.value)


LINE = {"gtin": "4012345333336", "quantity": 1}
CASES = [
    ("an SSCC's check digit", document(pallets=pallet(1, sscc="340123450000000025")),
     "pallets[1].sscc: SSCC 340123450000000025: bad check digit (expected 4, got 5)"),
    ("a GTIN's length", document(pallets=pallet(0, lines=[LINE, {**LINE, "gtin": "40123"}])),
     "pallets[0].lines[1].gtin: GTIN 40123: expected 8, 12, 13 or 14 digits, found 5 digits"),
    ("a quantity of nothing", document(pallets=pallet(0, lines=[{**LINE, "quantity": 0}])),
     "pallets[0].lines[0].quantity: Input should be greater than 0"),
    ("a quantity as text", document(pallets=pallet(0, lines=[{**LINE, "quantity": "12"}])),
     "pallets[0].lines[0].quantity: Input should be a valid integer"),
    ("a best-before that is not", document(pallets=pallet(0, lines=[{**LINE, "best_before": "2024-06-31"}])),
     "pallets[0].lines[0].best_before: Input should be a valid date or datetime, day value is outside expected range"),
    ("a GLN's check digit", document(ultimate_consignee_gln="4098765000301"),
     "ultimate_consignee_gln: GLN 4098765000301: bad check digit (expected 0, got 1)"),
    ("a time without zone", document(issued_at="2024-05-02T06:15:00"), "issued_at: Input should have timezone info"),
    ("an unknown field", document(pallets=pallet(0, colour="blue")),
     "pallets[0].colour: Extra inputs are not permitted"),
    ("a missing field", {k: v for k, v in document().items() if k != "supplier_gln"}, "supplier_gln: Field required"),
    ("two problems", document(supplier_gln="1", consignee_gln="2"),
     "supplier_gln: GLN 1: expected 13 digits, found 1 digits (and 1 more)"),
    ("no pallets", document(pallets=[]), "pallets: Tuple should have at least 1 item after validation, not 0"),
    ("a duplicate SSCC", document(pallets=pallet(1, sscc="340123450000000017")),
     "pallets: SSCC 340123450000000017: expected once, found at pallets[0] and pallets[1]"),
    ("dangerous goods without a line", document(pallets=pallet(1, lines=[])),
     "pallets[1]: dangerous_goods: expected at least one line to carry them (D96A: DGS in a LIN group)"),
    ("a temperature range upside down", document(pallets=pallet(1, min_temp_c=9.0)),
     "pallets[1]: temperature range: expected min_temp_c 9.0 <= max_temp_c 8.0"),
    ("a temperature off the scale", document(pallets=pallet(1, max_temp_c=1e9)),
     "pallets[1].max_temp_c: Input should be less than or equal to 100"),
    ("an ADR class", document(pallets=pallet(1, dangerous_goods=[{"adr_class": "4", "un_number": "1203"}])),
     "pallets[1].dangerous_goods[0].adr_class: ADR class 4: expected one of 1-9, 1.1-1.6, 4.1-4.3, 5.1, 5.2, 6.1, 6.2"),
    ("a carrier with neither GLN nor name", document(carrier={}), "carrier: expected a GLN or a name, found neither"),
    ("free text with a line feed", document(truck_id="AB\n12"),
     "truck_id: truck id 'AB\\n12': expected printable ISO 8859-1 characters (UNOC), found '\\n' at 3"),
]


@pytest.mark.parametrize(("data", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_refusal_names_the_json_path(data: dict[str, Any], message: str) -> None:
    assert refusal(data) == message
    assert refusal(json.dumps(data)) == message


def test_the_error_carries_its_path() -> None:
    with pytest.raises(DesadvError) as caught:
        parse_json(document(pallets=pallet(1, sscc="340123450000000025")))
    assert (caught.value.path, caught.value.segment, caught.value.tag) == ("pallets[1].sscc", None, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"shipment_id": "\xff"}', "byte 17: 0xFF: expected UTF-8 text"),
        ("{", "$: not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("[1, 2]", "$: expected an object, found list"),
        ("[" * 100_000, "$: not JSON: maximum recursion depth exceeded while decoding a JSON array from a unicode"
                        " string"),
    ],
    ids=["bytes not UTF-8", "not JSON", "not an object", "nested too deep"],
)
def test_what_is_not_a_json_object_is_refused(data: str | bytes, message: str) -> None:
    assert refusal(data) == message


def test_limits_are_refused_before_validation() -> None:
    text = json.dumps(to_json(EXPECTED))
    assert refusal(text, max_size=100) == f"input of {len(text)} characters: expected at most 100 (max_size)"
    assert refusal(document(), max_pallets=1) == "pallets: 2 pallets: expected at most 1"


def test_the_json_form_reads_back_from_text_bytes_and_mappings() -> None:
    data = to_json(EXPECTED)
    assert parse_json(data) == parse_json(json.dumps(data)) == parse_json(json.dumps(data).encode()) == EXPECTED

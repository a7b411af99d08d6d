"""The hand-written sample DESADV read into exactly the expected advice, written back byte for byte, and the
package docstring's example read as it claims."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import xdock.partners.desadv as desadv
from xdock.partners.desadv import (
    Carrier,
    DangerousGoods,
    DesadvError,
    DespatchAdvice,
    PalletAdvice,
    TradeItemLine,
    parse_edifact,
    parse_edifact_all,
    parse_json,
    to_edifact,
    to_edifact_all,
    to_json,
)

SAMPLE = (Path(__file__).parent / "samples" / "two_pallets.edi").read_text(encoding="latin-1")
SITE, STORE_A, STORE_B, HUB = "4098765000003", "4098765000102", "4098765000201", "4098765000300"
ENVELOPE: dict[str, Any] = {"sender_gln": "4012345000009", "recipient_gln": SITE, "interchange_ref": "DES42",
            "prepared_at": datetime(2024, 5, 2, 6, 15, tzinfo=UTC)}

EXPECTED = DespatchAdvice(
    shipment_id="DES-2024-0042",
    issued_at=datetime(2024, 5, 2, 6, 15, tzinfo=UTC),
    expected_arrival=datetime(2024, 5, 2, 11, 30, tzinfo=UTC),
    supplier_gln="4012345000009",
    consignee_gln=SITE,
    ultimate_consignee_gln=HUB,
    carrier=Carrier(gln="4011111000007", name="Rapid Freight+Co"),
    truck_id="AB-123-CD",
    pallets=(
        PalletAdvice(
            sscc="340123450000000017",
            lines=(
                TradeItemLine(gtin="4012345111118", quantity=24, best_before=date(2024, 6, 1), batch="L2404:A",
                              final_destination_gln=STORE_A),
                TradeItemLine(gtin="4012345222227", quantity=12, final_destination_gln=STORE_B),
            ),
            gross_weight_kg=412.5,
        ),
        PalletAdvice(
            sscc="340123450000000024",
            lines=(TradeItemLine(gtin="4012345333336", quantity=40),),
            max_temp_c=8.0,
            min_temp_c=2.0,
            dangerous_goods=(DangerousGoods(adr_class="3", un_number="1203"),),
            gross_weight_kg=655.0,
        ),
    ),
)


def test_the_sample_reads_into_exactly_the_expected_advice() -> None:
    assert parse_edifact(SAMPLE) == EXPECTED
    assert parse_edifact(SAMPLE.encode("latin-1")) == EXPECTED


def test_a_line_without_its_own_destination_goes_to_the_ultimate_consignee() -> None:
    mixed, chilled = EXPECTED.pallets
    assert chilled.lines[0].final_destination_gln == HUB
    assert (mixed.final_destinations, mixed.mixed) == (frozenset({STORE_A, STORE_B}), True)
    assert (chilled.final_destinations, chilled.mixed) == (frozenset({HUB}), False)


def test_without_an_ultimate_consignee_a_line_may_have_no_destination() -> None:
    pallet = PalletAdvice(sscc="340123450000000031", lines=(TradeItemLine(gtin="4012345333336", quantity=1),))
    again = DespatchAdvice.model_validate({**dict(EXPECTED), "ultimate_consignee_gln": None, "pallets": (pallet,)})
    assert again.pallets[0].lines[0].final_destination_gln is None
    assert (again.pallets[0].final_destinations, again.pallets[0].mixed) == (frozenset(), False)


def test_the_advice_is_written_back_byte_for_byte() -> None:
    assert to_edifact(EXPECTED, **ENVELOPE) == SAMPLE


def test_the_json_form_names_every_field() -> None:
    document = to_json(EXPECTED)
    assert json.loads(json.dumps(document)) == document
    assert {k: v for k, v in document.items() if k != "pallets"} == {
        "shipment_id": "DES-2024-0042", "issued_at": "2024-05-02T06:15:00Z",
        "expected_arrival": "2024-05-02T11:30:00Z", "supplier_gln": "4012345000009", "consignee_gln": SITE,
        "ultimate_consignee_gln": HUB, "carrier": {"gln": "4011111000007", "name": "Rapid Freight+Co"},
        "truck_id": "AB-123-CD",
    }
    assert document["pallets"][1] == {
        "sscc": "340123450000000024",
        "lines": [{"gtin": "4012345333336", "quantity": 40, "best_before": None, "batch": None,
                   "final_destination_gln": HUB}],
        "max_temp_c": 8.0, "min_temp_c": 2.0, "dangerous_goods": [{"adr_class": "3", "un_number": "1203"}],
        "gross_weight_kg": 655.0,
    }
    assert document["pallets"][0]["lines"][0]["best_before"] == "2024-06-01"
    assert parse_json(json.dumps(document)) == EXPECTED


def test_the_package_docstring_example_reads_as_documented() -> None:
    doc = desadv.__doc__ or ""
    example = doc[doc.index("A complete message::") + len("A complete message::"):]
    text = "\n".join(line.removeprefix("    ") for line in example.strip("\n").splitlines())
    advice = parse_edifact(text)
    assert advice.carrier == Carrier(name="Rapid Freight+Co")
    assert [(p.sscc, p.min_temp_c, p.max_temp_c, p.dangerous_goods, p.final_destinations) for p in advice.pallets] == [
        ("340123450000000017", 2.0, 8.0, (DangerousGoods(adr_class="3", un_number="1203"),), frozenset({STORE_A})),
    ]


def test_several_messages_read_in_order_and_parse_edifact_wants_one() -> None:
    second = DespatchAdvice.model_validate({**dict(EXPECTED), "shipment_id": "DES-2024-0043", "pallets": (
        PalletAdvice(sscc="340123450000000031", lines=(TradeItemLine(gtin="4012345333336", quantity=2),)),)})
    text = to_edifact_all([EXPECTED, second], **ENVELOPE)
    assert parse_edifact_all(text) == [EXPECTED, second]
    with pytest.raises(DesadvError) as caught:
        parse_edifact(text)
    assert str(caught.value) == "segment 35 UNH: expected one message in the interchange, found a second"
    empty = to_edifact_all([], **ENVELOPE)
    assert parse_edifact_all(empty) == []
    with pytest.raises(DesadvError, match=r"^segment 2 UNZ: expected one message in the interchange, found none$"):
        parse_edifact(empty)


def test_an_outbound_advice_from_the_site_reads_back() -> None:
    outbound = DespatchAdvice(
        shipment_id="TRL-7", issued_at=datetime(2024, 5, 2, 18, 5, 30, 999, tzinfo=UTC), supplier_gln=SITE,
        consignee_gln=STORE_A, truck_id="TRL-7",
        pallets=(PalletAdvice(sscc="340123450000000017"), PalletAdvice(sscc="340123450000000024")),
    )
    text = to_edifact(outbound, **{**ENVELOPE, "sender_gln": SITE, "recipient_gln": STORE_A})
    assert "DTM+137:20240502180530:204'" in text.splitlines()
    assert parse_edifact(text) == outbound
    assert outbound.issued_at == datetime(2024, 5, 2, 18, 5, 30, tzinfo=UTC)

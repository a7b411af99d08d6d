"""Round trips over generated advices: EDIFACT and JSON read back to the very advice written, and the writer's
own checks of its arguments."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from desadv_strategies import advices, texts
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from test_desadv_sample import ENVELOPE, EXPECTED

from xdock.partners.desadv import (
    DespatchAdvice,
    parse_edifact,
    parse_edifact_all,
    parse_json,
    to_edifact,
    to_edifact_all,
    to_json,
)
from xdock.testing.partner_site import advice


@given(advice=advices, reference=texts.filter(lambda t: len(t) <= 14))
def test_edifact_reads_back_the_advice_written(advice: DespatchAdvice, reference: str) -> None:
    text = to_edifact(advice, **{**ENVELOPE, "interchange_ref": reference})
    assert parse_edifact(text) == advice
    assert parse_edifact(text.encode("latin-1")) == advice


@given(advice=advices)
def test_json_reads_back_the_advice_written(advice: DespatchAdvice) -> None:
    document = to_json(advice)
    assert parse_json(document) == advice
    assert parse_json(json.dumps(document).encode()) == advice


@given(batch=st.lists(advices, max_size=3).filter(
    lambda batch: len({p.sscc for a in batch for p in a.pallets}) == sum(len(a.pallets) for a in batch)))
def test_an_interchange_of_several_messages_reads_back_in_order(batch: list[DespatchAdvice]) -> None:
    text = to_edifact_all(batch, **ENVELOPE)
    assert parse_edifact_all(text) == batch
    lines = text.splitlines()
    assert (lines[0], lines[-1]) == ("UNA:+.? '", f"UNZ+{len(batch)}+DES42'")
    units = [i for i, line in enumerate(lines) if line.startswith("UNH+")]
    trailers = [i for i, line in enumerate(lines) if line.startswith("UNT+")]
    assert [lines[t] for t in trailers] == [f"UNT+{t - u + 1}+{n}'" for n, (u, t) in enumerate(zip(units, trailers,
                                                                                               strict=True), 1)]


def test_free_text_is_released_where_it_must_be() -> None:
    advice = DespatchAdvice.model_validate({**dict(EXPECTED), "shipment_id": "a?b+c:d'e", "truck_id": "?"})
    text = to_edifact(advice, **ENVELOPE)
    assert "BGM+351+a??b?+c?:d?'e+9'" in text.splitlines()
    assert "TDT+20++30+31+4011111000007::9:Rapid Freight?+Co+++:::??'" in text.splitlines()
    assert parse_edifact(text) == advice


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sender_gln": "4012345000008"}, "sender_gln: GLN 4012345000008: bad check digit (expected 9, got 8)"),
        ({"recipient_gln": "12"}, "recipient_gln: GLN 12: expected 13 digits, found 2 digits"),
        ({"interchange_ref": "R" * 15}, f"interchange_ref {'R' * 15!r}: expected at most 14 characters"),
        ({"interchange_ref": ""}, "interchange_ref '': expected 1-35 characters, found 0"),
        ({"prepared_at": datetime(2024, 5, 2, 6, 15)},
         "prepared_at 2024-05-02T06:15:00: expected a timezone-aware time"),
    ],
)
def test_the_writer_refuses_bad_arguments_naming_them(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        to_edifact(EXPECTED, **{**ENVELOPE, **changes})
    assert str(caught.value) == message


def test_the_model_is_frozen_and_times_are_utc_to_the_second() -> None:
    with pytest.raises(ValidationError, match="Instance is frozen"):
        EXPECTED.shipment_id = "other"
    local = DespatchAdvice.model_validate({**dict(EXPECTED), "issued_at": "2024-05-02T08:15:00.75+02:00"})
    assert local.issued_at == datetime(2024, 5, 2, 6, 15, tzinfo=UTC)
    assert local.issued_at.tzinfo is UTC


def test_times_are_written_and_read_in_the_zone_the_parties_agree_on() -> None:
    paris = ZoneInfo("Europe/Paris")
    sent = advice().model_copy(update={"issued_at": datetime(2026, 11, 23, 7, 0, tzinfo=UTC)})
    text = to_edifact(sent, sender_gln="4012345000009", recipient_gln="3761303200005", interchange_ref="Z1",
                      prepared_at=sent.issued_at, zone=paris)
    assert "DTM+137:202611230800:203'" in text  # 07:00 UTC is 08:00 in Paris
    assert "+261123:0800+Z1'" in text
    assert parse_edifact(text, zone=paris) == sent
    assert parse_edifact(text).issued_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # read as UTC: an hour off

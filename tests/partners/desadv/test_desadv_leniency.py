"""What the EDIFACT reader takes besides what the writer writes: other segments and qualifiers passed over, the
consignment level left out, a carrier in NAD+CA, a bare date, a decimal comma, UTF-8 in what is passed over."""

from __future__ import annotations

from datetime import UTC, datetime

from test_desadv_sample import EXPECTED, SAMPLE

from xdock.partners.desadv import Carrier, DespatchAdvice, parse_edifact


def edited(*changes: tuple[str, str]) -> str:
    text = SAMPLE
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_segments_and_qualifiers_outside_the_subset_are_passed_over() -> None:
    text = edited(
        ("DTM+132:202405021130:203'\n", "DTM+132:202405021130:203'\nDTM+11:202405020600:203'\nRFF+ON:PO-77'\n"),
        ("NAD+UC+4098765000300::9'\n", "NAD+UC+4098765000300::9'\nNAD+BY+4098765000003::9'\nCTA+IC+:Dock office'\n"),
        ("PAC+1++PX'\nMEA+AAE+AAB+KGM:412.5", "PAC+1++PX'\nHAN+EAT'\nMEA+AAE+AAB+KGM:412.5"),
        ("QTY+12:24'", "IMD+F++:::Apples'\nQTY+12:24'\nQTY+59:6'\nFTX+AAI+++fragile'"),
        ("LOC+7+4098765000201::9'", "LOC+7+4098765000201::9'\nLOC+11+4098765000003::9'\nMEA+AAE+AAB+KGM:9'"),
        ("UNT+33+1'", "CNT+2:2'\nUNT+44+1'"),
    )
    assert parse_edifact(text) == EXPECTED


def test_the_consignment_level_may_be_left_out() -> None:
    assert parse_edifact(edited(("CPS+1'\nPAC+2++PX'\n", ""), ("UNT+33+1'", "UNT+31+1'"))) == EXPECTED


def test_a_carrier_in_nad_ca_joins_the_one_in_tdt() -> None:
    text = edited(
        ("NAD+UC+4098765000300::9'\n", "NAD+UC+4098765000300::9'\nNAD+CA+4011111000007::9++Rapid Freight?+Co'\n"),
        ("TDT+20++30+31+4011111000007::9:Rapid Freight?+Co+++:::AB-123-CD'", "TDT+20++30+31++++:::AB-123-CD'"),
        ("UNT+33+1'", "UNT+34+1'"),
    )
    assert parse_edifact(text) == EXPECTED
    named = edited(("TDT+20++30+31+4011111000007::9:Rapid Freight?+Co+++:::AB-123-CD'", "NAD+CA+++Haulier'"))
    advice = parse_edifact(named)
    assert (advice.carrier, advice.truck_id) == (Carrier(name="Haulier"), None)


def test_a_bare_date_is_its_midnight_in_utc_and_a_decimal_comma_reads() -> None:
    advice = parse_edifact(edited(("DTM+137:202405020615:203", "DTM+137:20240502:102"), ("KGM:412.5", "KGM:412,5")))
    assert advice.issued_at == datetime(2024, 5, 2, tzinfo=UTC)
    assert advice.pallets[0].gross_weight_kg == 412.5


def test_a_temperature_range_may_be_open_on_one_side() -> None:
    frozen = parse_edifact(edited(("CEL::2:8", "CEL:::-18")))
    assert (frozen.pallets[1].min_temp_c, frozen.pallets[1].max_temp_c) == (None, -18.0)
    warm = parse_edifact(edited(("CEL::2:8", "CEL::15")))
    assert (warm.pallets[1].min_temp_c, warm.pallets[1].max_temp_c) == (15.0, None)


def test_utf8_in_what_is_passed_over_reads() -> None:
    text = edited(("UNB+UNOC:3", "UNB+UNOY:3"), ("QTY+12:40'", "QTY+12:40'\nFTX+AAI+++東京行き'"))
    assert parse_edifact(text.replace("UNT+33+1'", "UNT+34+1'").encode()) == EXPECTED


def test_blank_lines_and_crlf_between_segments_are_taken() -> None:
    crlf = "\r\n".join(SAMPLE.splitlines()) + "\r\n"
    assert parse_edifact(crlf) == EXPECTED
    assert parse_edifact(SAMPLE.replace("\n", "")) == EXPECTED
    assert isinstance(parse_edifact("\n\n" + SAMPLE), DespatchAdvice)

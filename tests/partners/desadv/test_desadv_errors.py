"""Each way an EDIFACT despatch advice is refused, with its exact text, segment, tag and element."""

from __future__ import annotations

from pathlib import Path

import pytest

from xdock.partners.desadv import DesadvError, parse_edifact

SAMPLE = (Path(__file__).parent / "samples" / "two_pallets.edi").read_text(encoding="latin-1")


def edited(old: str, new: str) -> str:
    assert SAMPLE.count(old) == 1, old
    return SAMPLE.replace(old, new)


def refusal(text: str | bytes, **limits: int) -> DesadvError:
    with pytest.raises(DesadvError) as caught:
        parse_edifact(text, **limits)
    return caught.value


# (what, the sample edited: old → new, the refusal's text)
CASES = [
    ("no UNT nor UNZ", "UNT+33+1'\nUNZ+1+DES42'\n", "",
     "segment 34 UNT: expected UNT to close the message of segment 2, found the end of the input"),
    ("no UNZ", "UNZ+1+DES42'\n", "",
     "segment 35 UNZ: expected UNZ to close the interchange, found the end of the input"),
    ("cut mid-segment", "UNZ+1+DES42'\n", "UNZ+1+DE",
     """segment 35 UNZ: cut off: expected "'" to end the segment, found the end of the input"""),
    ("cut after a release character", "UNZ+1+DES42'\n", "UNZ+1+DES?",
     "segment 35 UNZ: cut off after the release character '?'"),
    ("a release character before a letter", "L2404?:A", "L2404?A",
     """segment 18 PIA: release character '?' before 'A': expected it only before ':' '+' '?' "'\""""),
    ("a segment without a tag", "CPS+1'\n", "'\n",
     "segment 10: expected a segment tag (3 capital letters or digits), found \"'\\nPAC+2+\""),
    ("UNT counting too few", "UNT+33+1'", "UNT+32+1'", "segment 34 UNT: segment count 32: expected 33 (UNH to UNT)"),
    ("UNT with another reference", "UNT+33+1'", "UNT+33+2'",
     "segment 34 UNT: message reference 2: expected 1 as in UNH"),
    ("UNZ counting two messages", "UNZ+1+DES42'", "UNZ+2+DES42'", "segment 35 UNZ: message count 2: expected 1"),
    ("UNZ with another reference", "UNZ+1+DES42'", "UNZ+1+DES43'",
     "segment 35 UNZ: interchange reference DES43: expected DES42 as in UNB"),
    ("another message type", "DESADV:D:96A:UN:EAN005", "ORDERS:D:96A:UN:EAN008",
     "segment 2 UNH: message type ORDERS:D:96A:UN: expected DESADV:D:96A:UN"),
    ("another directory", "DESADV:D:96A:UN:EAN005", "DESADV:D:01B:UN:EAN007",
     "segment 2 UNH: message type DESADV:D:01B:UN: expected DESADV:D:96A:UN"),
    ("no UNB", "UNB+UNOC:3+4012345000009:14+4098765000003:14+240502:0615+DES42'\n", "",
     "segment 1 UNH: expected UNB to open the interchange, found UNH"),
    ("an unknown syntax", "UNB+UNOC:3", "UNB+UNOX:3",
     "segment 1 UNB: syntax UNOX: expected one of UNOA, UNOB, UNOC, UNOY"),
    ("something after UNZ", "UNZ+1+DES42'\n", "UNZ+1+DES42'\nUNH+2'\n",
     "segment 36 UNH: expected nothing after UNZ, found UNH"),
    ("a pallet with no SSCC", "PCI+33E'\nGIN+BJ+340123450000000024'", "PCI+17'\nFTX+AAI+++no label'",
     "segment 25 CPS: pallet with no SSCC: expected PCI+33E and GIN+BJ in its CPS group"),
    ("an SSCC without PCI+33E", "PCI+33E'\nGIN+BJ+340123450000000024'", "PCI+17'\nGIN+BJ+340123450000000024'",
     "segment 30 GIN+BJ: SSCC without PCI+33E: expected PCI+33E before the pallet's GIN+BJ"),
    ("a duplicate SSCC", "GIN+BJ+340123450000000024", "GIN+BJ+340123450000000017",
     "segment 30 GIN+BJ: SSCC 340123450000000017: expected once in the interchange, found again (first in segment 16)"),
    ("an SSCC's check digit", "GIN+BJ+340123450000000017", "GIN+BJ+340123450000000018",
     "segment 16 GIN+BJ: SSCC 340123450000000018: bad check digit (expected 7, got 8)"),
    ("a short SSCC", "GIN+BJ+340123450000000017", "GIN+BJ+34012345000000001",
     "segment 16 GIN+BJ: SSCC 34012345000000001: expected 18 digits, found 17 digits"),
    ("a GTIN's check digit", "4012345111118:SRV", "4012345111119:SRV",
     "segment 17 LIN: GTIN 4012345111119: bad check digit (expected 8, got 9)"),
    ("an item number not a GTIN", "4012345111118:SRV", "4012345111118:SA",
     "segment 17 LIN: item number type SA: expected SRV (GTIN)"),
    ("a GLN's check digit", "NAD+SU+4012345000009", "NAD+SU+4012345000008",
     "segment 6 NAD+SU: GLN 4012345000008: bad check digit (expected 9, got 8)"),
    ("a GLN not of GS1", "NAD+DP+4098765000003::9", "NAD+DP+4098765000003::ZZZ",
     "segment 7 NAD+DP: code list agency ZZZ: expected 9 (GS1) for GLN 4098765000003"),
    ("a final destination's check digit", "LOC+7+4098765000102", "LOC+7+4098765000103",
     "segment 21 LOC+7: GLN 4098765000103: bad check digit (expected 2, got 3)"),
    ("a quantity not a number", "QTY+12:24", "QTY+12:2x",
     "segment 19 QTY+12: quantity 2x: expected a whole number from 1 to 999999999999999"),
    ("a quantity of nothing", "QTY+12:24", "QTY+12:0",
     "segment 19 QTY+12: quantity 0: expected a whole number from 1 to 999999999999999"),
    ("a line without QTY+12", "QTY+12:12'", "QTY+21:12'",
     "segment 22 LIN: line without QTY+12: expected the despatched quantity in its LIN group"),
    ("a day that is not", "DTM+361:20240601:102", "DTM+361:20240631:102",
     "segment 20 DTM+361: date 20240631: expected a real CCYYMMDD (format 102)"),
    ("a best-before with a time format", "DTM+361:20240601:102", "DTM+361:202406011200:203",
     "segment 20 DTM+361: format 203: expected 102"),
    ("an hour that is not", "DTM+137:202405020615:203", "DTM+137:202405022515:203",
     "segment 4 DTM+137: date/time 202405022515: expected a real CCYYMMDDHHMM (format 203)"),
    ("no issue date", "DTM+137:202405020615:203", "DTM+11:202405020615:203",
     "segment 10 CPS: message without DTM+137: expected the issue date/time in the header"),
    ("two issue dates", "DTM+132:202405021130:203", "DTM+137:202405021130:203",
     "segment 5 DTM+137: expected one DTM+137 per message, found a second (first in segment 4)"),
    ("no BGM first", "BGM+351+DES-2024-0042+9'", "FTX+AAI+++x'",
     "segment 3 FTX: expected BGM right after UNH, found FTX"),
    ("not a despatch advice", "BGM+351+", "BGM+220+",
     "segment 3 BGM+220: document type 220: expected 351 (despatch advice)"),
    ("a party in the detail", "CPS+3+1'", "NAD+BY+4098765000003::9'",
     "segment 25 NAD+BY: NAD in the detail: expected it in the header, before the first CPS"),
    ("dangerous goods outside a line", "PCI+33E'\nGIN+BJ+340123450000000024'", "DGS+ADR+3+1203'\nPCI+33E'",
     "segment 29 DGS+ADR: DGS outside a line: expected it in a LIN group"),
    ("dangerous goods by another regulation", "DGS+ADR+3+1203", "DGS+IMD+3+1203",
     "segment 33 DGS+IMD: regulation IMD: expected ADR"),
    ("an ADR class that is not", "DGS+ADR+3+1203", "DGS+ADR+10+1203",
     "segment 33 DGS+ADR: ADR class 10: expected one of 1-9, 1.1-1.6, 4.1-4.3, 5.1, 5.2, 6.1, 6.2"),
    ("a UN number that is not", "DGS+ADR+3+1203", "DGS+ADR+3+123",
     "segment 33 DGS+ADR: UN number 123: expected 4 digits (0001-9999)"),
    ("a weight in pounds", "KGM:655", "LBR:655", "segment 27 MEA+AAE: unit LBR: expected KGM"),
    ("a weight not a number", "KGM:655", "KGM:6e2",
     "segment 27 MEA+AAE: gross weight 6e2: expected a decimal number such as 12.5 or -18"),
    ("a temperature range upside down", "CEL::2:8", "CEL::8:2",
     "segment 28 MEA+AAE: temperature range 8 to 2: expected the minimum first"),
    ("a temperature off the scale", "CEL::2:8", "CEL::2:180",
     "segment 28 MEA+AAE: temperature 180: expected -100 to 100 °C"),
    ("two weights", "MEA+AAE+TE+CEL::2:8'", "MEA+AAE+AAB+KGM:1'",
     "segment 28 MEA+AAE: expected one MEA+AAE+AAB per pallet, found a second (first in segment 27)"),
    ("a carrier named twice otherwise", "NAD+UC+4098765000300::9'", "NAD+CA+4011111000014::9'",
     "segment 9 TDT+20: carrier gln 4011111000007: expected the same as in segment 8 (4011111000014)"),
    ("a shipment id too long", "DES-2024-0042", "D" * 36,
     f"segment 3 BGM+351: shipment id {'D' * 36}: expected 1-35 characters, found 36"),
    ("a control character in free text", "AB-123-CD", "AB\x01CD",
     "segment 9 TDT+20: truck id 'AB\\x01CD': expected printable ISO 8859-1 characters (UNOC), found '\\x01' at 3"),
]


@pytest.mark.parametrize(("old", "new", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_refusal_names_segment_and_what_was_expected(old: str, new: str, message: str) -> None:
    assert str(refusal(edited(old, new))) == message


def test_the_refusal_carries_segment_tag_and_element() -> None:
    error = refusal(edited("GIN+BJ+340123450000000017", "GIN+BJ+340123450000000018"))
    assert (error.segment, error.tag, error.element, error.path, error.offset) == (16, "GIN+BJ", "7402", None, None)
    assert error.reason == "SSCC 340123450000000018: bad check digit (expected 7, got 8)"
    assert isinstance(error, ValueError)
    quantity = refusal(edited("QTY+12:24", "QTY+12:ten"))
    assert (quantity.segment, quantity.tag, quantity.element) == (19, "QTY+12", "6060")
    day = refusal(edited("DTM+361:20240601:102", "DTM+361:2024061:102"))
    assert (day.segment, day.tag, day.element) == (20, "DTM+361", "2380")


def test_bytes_that_are_not_text_name_the_byte() -> None:
    declared = edited("UNB+UNOC:3", "UNB+UNOY:3").encode()
    at = declared.index(b"AB-123-CD")
    broken = declared[:at] + b"\xff" + declared[at + 1:]
    error = refusal(broken)
    assert str(error) == f"byte {at}: 0xFF: expected UTF-8 text (the UNB declares UNOY)"
    assert error.offset == at
    assert str(refusal(b"\xfe\xffUNB")) == "byte 0: 0xFE: expected UTF-8 text (no known UNB syntax, UTF-8 assumed)"
    ascii_only = edited("UNB+UNOC:3", "UNB+UNOA:3").replace("Rapid", "R\xe4pid").encode("latin-1")
    at = ascii_only.index(b"R\xe4") + 1
    assert str(refusal(ascii_only)) == f"byte {at}: 0xE4: expected ASCII text (the UNB declares UNOA)"


def test_utf8_text_outside_unoc_is_refused_by_the_model_rule() -> None:
    text = edited("UNB+UNOC:3", "UNB+UNOY:3").replace("AB-123-CD", "東京-1")
    assert str(refusal(text.encode())) == (
        "segment 9 TDT+20: truck id '東京-1': expected printable ISO 8859-1 characters (UNOC), found '東' at 1")


def test_service_characters_of_the_una_are_checked_and_used() -> None:
    assert str(refusal("UNA:+.")) == "UNA: expected 6 service characters, found 3"
    assert str(refusal("UNA::.? '" + SAMPLE[9:])) == (
        """UNA: service characters "::.? '": expected separators, release and terminator distinct, none a letter,"""
        " digit, space or the decimal mark, and . or , as decimal mark")
    other = SAMPLE.replace("?+", "\x00").replace("?:", "\x01").replace("+", "*").replace(":", "^").replace("'", "~")
    other = other.replace("\x00", "+").replace("\x01", ":")
    assert other.startswith("UNA^*.? ~\nUNB*UNOC^3*")
    assert parse_edifact(other) == parse_edifact(SAMPLE)
    assert parse_edifact(SAMPLE[len("UNA:+.? '\n"):]) == parse_edifact(SAMPLE)


def test_limits_are_refused_before_the_work() -> None:
    size = len(SAMPLE)
    assert str(refusal(SAMPLE, max_size=100)) == f"input of {size} characters: expected at most 100 (max_size)"
    assert str(refusal(SAMPLE.encode(), max_size=100)) == f"input of {size} bytes: expected at most 100 (max_size)"
    error = refusal(SAMPLE, max_pallets=1)
    assert str(error) == "segment 30 GIN+BJ: pallet 2: expected at most 1 pallets (GIN+BJ) in the input"
    assert parse_edifact(SAMPLE, max_pallets=2).pallets[1].sscc == "340123450000000024"


def test_anything_but_text_is_refused() -> None:
    assert str(refusal(42)) == "input of type int: expected str or bytes"  # type: ignore[arg-type]
    assert str(refusal("")) == "segment 1 UNB: expected UNB to open the interchange, found the end of the input"

"""Pallet labels in ZPL: the exact label, reading it back, escaped text, and each refusal's text."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.partners.labels import (
    MAX_TEXT,
    LabelContentError,
    PalletLabel,
    ZplError,
    pallet_label,
    parse_labels,
)

SSCC = "376130321109103420"
PARENT = "376130321109103437"
GLN = "3761303211001"
FULL = PalletLabel(
    sscc=SSCC,
    ship_to_name="Carrefour Lyon Est",
    site_name="Paris-Nord",
    ship_to_gln=GLN,
    parent_sscc=PARENT,
    lines=(("03761303211001", 12), ("3761303211018", 4)),
    max_temp_c=4,
)
MINIMAL = PalletLabel(sscc=SSCC, ship_to_name="Lyon", site_name="Paris-Nord")

FULL_ZPL = """\
^XA
^CI28
^PW812
^LL1218
^LH0,0
^FO40,30^A0N,24,24^FDFROM^FS
^FO40,60^A0N,36,36^FDParis-Nord^FS
^FO40,110^GB732,3,3^FS
^FO40,130^A0N,24,24^FDSHIP TO^FS
^FO40,160^A0N,48,48^FDCarrefour Lyon Est^FS
^FO40,220^A0N,28,28^FDGLN 3761303211001^FS
^FO40,270^GB732,3,3^FS
^FO40,290^A0N,24,24^FDCONTENTS^FS
^FO40,320^A0N,28,28^FDGTIN 03761303211001  QTY 12^FS
^FO40,354^A0N,28,28^FDGTIN 3761303211018  QTY 4^FS
^FO40,540^A0N,36,36^FDMAX TEMP +4.0 °C^FS
^FO40,585^A0N,28,28^FDSPLIT FROM SSCC 376130321109103437^FS
^FO40,630^GB732,3,3^FS
^FO60,650^BY4^BCN,120,N,N,N^FD>;>84103761303211001^FS
^FO60,780^A0N,28,28^FD(410) 3761303211001^FS
^FO40,830^GB732,3,3^FS
^FO40,850^A0N,24,24^FDSSCC^FS
^FO60,880^BY4^BCN,230,N,N,N^FD>;>800376130321109103420^FS
^FO60,1120^A0N,36,36^FD(00) 376130321109103420^FS
^XZ
"""


def test_a_full_label_is_this_zpl() -> None:
    assert pallet_label(FULL) == FULL_ZPL


def test_a_label_without_the_optional_parts_leaves_them_out() -> None:
    assert pallet_label(MINIMAL) == """\
^XA
^CI28
^PW812
^LL1218
^LH0,0
^FO40,30^A0N,24,24^FDFROM^FS
^FO40,60^A0N,36,36^FDParis-Nord^FS
^FO40,110^GB732,3,3^FS
^FO40,130^A0N,24,24^FDSHIP TO^FS
^FO40,160^A0N,48,48^FDLyon^FS
^FO40,270^GB732,3,3^FS
^FO40,290^A0N,24,24^FDCONTENTS^FS
^FO40,630^GB732,3,3^FS
^FO40,830^GB732,3,3^FS
^FO40,850^A0N,24,24^FDSSCC^FS
^FO60,880^BY4^BCN,230,N,N,N^FD>;>800376130321109103420^FS
^FO60,1120^A0N,36,36^FD(00) 376130321109103420^FS
^XZ
"""


def test_a_printed_label_reads_back_its_sscc_gln_and_texts() -> None:
    [label] = parse_labels(pallet_label(FULL).encode())
    assert label.element("00") == SSCC
    assert label.element("410") == GLN
    assert [(b.symbology, b.elements) for b in label.barcodes] == [
        ("gs1-128", (("410", GLN),)),
        ("gs1-128", (("00", SSCC),)),
    ]
    assert label.texts == (
        "FROM", "Paris-Nord", "SHIP TO", "Carrefour Lyon Est", "GLN 3761303211001", "CONTENTS",
        "GTIN 03761303211001  QTY 12", "GTIN 3761303211018  QTY 4", "MAX TEMP +4.0 °C",
        "SPLIT FROM SSCC 376130321109103437", "(410) 3761303211001", "SSCC", "(00) 376130321109103420",
    )
    assert label.raw == FULL_ZPL.removesuffix("\n").encode()
    assert [(f.x, f.y) for f in label.fields][:4] == [(40, 30), (40, 60), (40, 130), (40, 160)]


def test_a_label_without_a_gln_has_only_the_sscc_barcode() -> None:
    [label] = parse_labels(pallet_label(MINIMAL).encode())
    assert label.element("410") is None
    assert [b.elements for b in label.barcodes] == [(("00", SSCC),)]


def test_text_with_characters_zpl_gives_meaning_to_goes_hex_escaped_and_reads_back() -> None:
    label = PalletLabel(sscc=SSCC, ship_to_name="Dock ^5 ~A_B", site_name="Paris-Nord")
    zpl = pallet_label(label)
    assert "^FO40,160^A0N,48,48^FH^FDDock _5E5 _7EA_5FB^FS\n" in zpl
    [parsed] = parse_labels(zpl.encode())
    assert parsed.texts[3] == "Dock ^5 ~A_B"


NAMES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), min_codepoint=0x20), min_size=1, max_size=MAX_TEXT
).filter(lambda s: s.strip() != "")


@given(ship_to=NAMES, site=NAMES, temp=st.none() | st.floats(-40, 40))
def test_any_printable_names_read_back_exactly(ship_to: str, site: str, temp: float | None) -> None:
    label = PalletLabel(sscc=SSCC, ship_to_name=ship_to, site_name=site, ship_to_gln=GLN, max_temp_c=temp)
    [parsed] = parse_labels(pallet_label(label).encode())
    assert parsed.texts[1] == site
    assert parsed.texts[3] == ship_to
    assert (parsed.element("00"), parsed.element("410")) == (SSCC, GLN)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sscc": "376130321109103421"},
         "field 'sscc': Invalid SSCC check digit for '376130321109103421': expected 0, got 1"),
        ({"sscc": "37613032110910342"}, "field 'sscc': Invalid SSCC '37613032110910342': expected 18 digits"),
        ({"parent_sscc": "376130321109103430"},
         "field 'parent_sscc': Invalid SSCC check digit for '376130321109103430': expected 7, got 0"),
        ({"ship_to_gln": "3761303211002"},
         "field 'ship_to_gln': Invalid GLN check digit for '3761303211002': expected 1, got 2"),
        ({"lines": (("03761303211004", 1),)},
         "field 'lines[0]': Invalid GTIN check digit for '03761303211004': expected 1, got 4"),
        ({"lines": (("03761303211001", 0),)}, "field 'lines[0]': expected a quantity of 1 to 999999, found 0"),
        ({"lines": (("03761303211001", 1),) * 7}, "field 'lines': expected at most 6 lines, found 7"),
        ({"ship_to_name": " "}, "field 'ship_to_name': expected 1 to 40 characters of text, found ' '"),
        ({"site_name": "x" * 41},
         f"field 'site_name': expected at most 40 characters, found 41 in {'x' * 40!r}..."),
        ({"ship_to_name": "Lyon\nEst"},
         "field 'ship_to_name': expected printable text, found control character U+000A at 4 in 'Lyon\\nEst'"),
        ({"max_temp_c": math.nan}, "field 'max_temp_c': expected a finite temperature, found nan"),
    ],
)
def test_a_label_that_cannot_be_printed_is_refused_naming_the_field(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "sscc": SSCC, "ship_to_name": "Lyon", "site_name": "Paris-Nord", "ship_to_gln": GLN, **changes
    }
    with pytest.raises(LabelContentError) as caught:
        PalletLabel(**fields)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_reading_a_stream_that_ends_inside_a_format_is_refused() -> None:
    zpl = pallet_label(MINIMAL).encode()
    data = zpl + zpl[:40]
    with pytest.raises(ZplError) as caught:
        parse_labels(data)
    assert str(caught.value) == (
        f"Invalid format: expected ^XZ, found the end of the stream after 40 bytes (at byte {len(zpl)})"
    )
    assert caught.value.offset == len(zpl)

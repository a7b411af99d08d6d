from __future__ import annotations

from datetime import UTC, datetime

from xdock.edge.label_check import LabelRejected, read_label, scan_event
from xdock.protocol.gs1 import PalletLabel, build_label
from xdock.protocol.messages import ShipToModel
from xdock.protocol.scanner_wire import ScanLine

SSCC = "376130321109103420"
AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_good_label_becomes_a_scan_event() -> None:
    label = read_label(ScanLine(build_label(SSCC, ship_to_postal="69001"), "]C1"))
    assert isinstance(label, PalletLabel)
    event = scan_event(label, edge_id="e1", seq=4, device_id="s1", door="D1", at=AT)
    assert event.sscc == SSCC
    assert event.ship_to == ShipToModel(kind="postal", value="69001")
    assert event.symbology == "]C1"
    assert event.key == ("e1", 4)


def test_bad_check_digit_is_refused_with_the_reason() -> None:
    label = read_label(ScanLine("00376130321109103424", "]C1"))
    assert isinstance(label, LabelRejected)
    assert label.short == "bad check digit"
    assert label.detail == "Invalid SSCC check digit for '376130321109103424': expected 0, got 4"


def test_product_barcode_is_not_a_pallet() -> None:
    label = read_label(ScanLine("3761303211000", "]E0"))
    assert isinstance(label, LabelRejected)
    assert label.short == "not an SSCC"


def test_cold_chain_and_dangerous_goods_travel_with_the_scan() -> None:
    text = build_label(SSCC, ship_to_postal="69001", max_temp_c=4.0, dangerous_goods=True, gross_weight_kg=380.0)
    label = read_label(ScanLine(text, "]C1"))
    assert isinstance(label, PalletLabel)
    event = scan_event(label, edge_id="e1", seq=1, device_id="s1", door="D1", at=AT)
    assert (event.max_temp_c, event.dangerous_goods, event.weight_kg) == (4.0, True, 380.0)

"""Cold-chain and dangerous-goods fields of a pallet label (AI 4321, 4330-4333, 330x)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xdock.protocol.gs1 import GS, LabelError, PalletLabel, build_label

SSCC = "376130321109103420"


@pytest.mark.parametrize(
    ("elements", "max_c", "min_c"),
    [
        ("4331000800", 8.0, None),
        ("4331001850-", -18.5, None),
        ("4330004640", 8.0, None),  # 46.40 °F
        ("4333000200" + GS + "4331000800", 8.0, 2.0),
        ("4332003200", None, 0.0),  # 32 °F
    ],
)
def test_temperatures_in_celsius(elements: str, max_c: float | None, min_c: float | None) -> None:
    label = PalletLabel.parse(f"]C100{SSCC}{elements}")
    assert (label.max_temp_c, label.min_temp_c) == (max_c, min_c)


def test_dangerous_goods_flag_and_weight() -> None:
    label = PalletLabel.parse(f"00{SSCC}3301004125{GS}43211{GS}42069001")
    assert label.dangerous_goods
    assert label.gross_weight_kg == 412.5
    assert not PalletLabel.parse(f"00{SSCC}43210").dangerous_goods
    assert not PalletLabel.parse(f"00{SSCC}").dangerous_goods


@given(
    st.one_of(st.none(), st.integers(-4000, 4000).map(lambda h: h / 100)),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 99_999).map(lambda d: d / 10)),
    st.sampled_from([GS, ""]),
)
def test_round_trip_with_and_without_separators(
    max_temp: float | None, dangerous: bool, weight: float | None, gs: str
) -> None:
    text = build_label(SSCC, ship_to_postal="69001", max_temp_c=max_temp, dangerous_goods=dangerous,
                       gross_weight_kg=weight, gs=gs)
    try:
        label = PalletLabel.parse(text)
    except LabelError as exc:  # without GS some labels read two ways; they must say so
        assert (gs, exc.reason) == ("", "ambiguous label")  # noqa: PT017
        return
    assert label.max_temp_c == max_temp
    assert label.dangerous_goods is dangerous
    assert label.gross_weight_kg == weight
    assert label.ship_to is not None
    assert label.ship_to.value == "69001"

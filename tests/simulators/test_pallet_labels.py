from __future__ import annotations

import random
from collections import Counter

import pytest

from xdock.protocol.gs1 import LabelError, PalletLabel
from xdock.protocol.identifiers import IdentifierError
from xdock.simulators.pallet_labels import LabelMix, PalletLabels, SimLabel

SSCC = "037613032100000011"


def _scans(seed: int = 1, mix: LabelMix | None = None, n: int = 2000) -> list[list[SimLabel]]:
    labels = PalletLabels(random.Random(seed), mix=mix)
    return [labels.scans(SSCC, "69001", max_temp_c=4.0 if i % 10 == 0 else None) for i in range(n)]


def test_each_kind_parses_as_the_simulator_meant() -> None:
    kinds: Counter[str] = Counter()
    for scans in _scans():
        assert [s.kind for s in scans] in (["good"], ["good", "rescan"], ["product_code", "good"],
                                           ["bad_check_digit", "good"])
        for label in scans:
            kinds[label.kind] += 1
            if label.kind in ("good", "rescan"):
                parsed = PalletLabel.parse(label.text)
                assert (parsed.sscc, parsed.ship_to.value if parsed.ship_to else None) == (SSCC, "69001")
            else:
                with pytest.raises(LabelError) as err:
                    PalletLabel.parse(label.symbology + label.text)
                assert err.value.reason == {"bad_check_digit": "bad check digit",
                                            "product_code": "not an SSCC"}[label.kind]
    assert kinds["good"] == 2000
    assert set(kinds) == {"good", "rescan", "bad_check_digit", "product_code"}


def test_a_label_carries_the_pallets_temperature_limit_and_dangerous_goods_flag() -> None:
    labels = PalletLabels(random.Random(1), mix=LabelMix(0, 0, 0))
    parsed = PalletLabel.parse(labels.scans(SSCC, "75011", max_temp_c=4.0, dangerous_goods=True)[0].text)
    assert (parsed.max_temp_c, parsed.dangerous_goods) == (4.0, True)


def test_same_seed_same_scans() -> None:
    assert _scans(5, n=50) == _scans(5, n=50)


def test_a_bad_postal_code_is_refused() -> None:
    with pytest.raises(IdentifierError) as err:
        PalletLabels(random.Random(1)).scans(SSCC, "69/002")
    assert str(err.value) == (
        "Invalid postal code '69/002': expected 1-20 letters, digits, spaces or -, a letter or digit first")

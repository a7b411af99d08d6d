from __future__ import annotations

import random
from collections import Counter

import pytest

from xdock.protocol.gs1 import LabelError, PalletLabel
from xdock.protocol.identifiers import IdentifierError
from xdock.simulators.pallet_labels import LabelFactory, LabelMix
from xdock.simulators.truck_stream import truck_scans


def factory(seed: int = 1, mix: LabelMix | None = None) -> LabelFactory:
    return LabelFactory(random.Random(seed), {"69001": 3.0, "75011": 1.0}, mix=mix)


def test_each_kind_parses_as_the_simulator_meant() -> None:
    labels = factory()
    kinds: Counter[str] = Counter()
    for _ in range(2000):
        label = labels.next()
        kinds[label.kind] += 1
        if label.kind in ("good", "rescan"):
            parsed = PalletLabel.parse(label.text)
            assert parsed.sscc == label.sscc
            assert parsed.ship_to is not None
            assert parsed.ship_to.value == label.postal
        else:
            with pytest.raises(LabelError) as err:
                PalletLabel.parse(label.symbology + label.text)
            assert err.value.reason == {"bad_check_digit": "bad check digit", "product_code": "not an SSCC"}[label.kind]
    assert set(kinds) == {"good", "rescan", "bad_check_digit", "product_code"}
    assert kinds["good"] > 1700


def test_same_seed_same_stream() -> None:
    assert [factory(5).next() for _ in range(50)] == [factory(5).next() for _ in range(50)]


def test_good_labels_have_unique_ssccs() -> None:
    labels = factory(mix=LabelMix(0, 0, 0))
    ssccs = [labels.next().sscc for _ in range(500)]
    assert len(set(ssccs)) == 500


def test_trucks_take_turns_at_doors() -> None:
    scans = list(truck_scans(random.Random(2), factory(), ["D1", "D2"], min_pallets=2, max_pallets=3, trucks=4))
    trucks = [(s.truck.number, s.truck.door) for s in scans if s.index == 0]
    assert trucks == [(1, "D1"), (2, "D2"), (3, "D1"), (4, "D2")]
    assert 8 <= len(scans) <= 12


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="Invalid GS1 company prefix '12ab': expected 6-12 digits"):
        LabelFactory(random.Random(1), {"1": 1.0}, company_prefix="12ab")
    with pytest.raises(IdentifierError) as err:
        LabelFactory(random.Random(1), {"69001": 1.0, "69/002": 1.0})
    assert str(err.value) == (
        "Invalid postal code '69/002': expected 1-20 letters, digits, spaces or -, a letter or digit first")
    with pytest.raises(ValueError, match="truck_scans needs at least one inbound door"):
        next(truck_scans(random.Random(1), factory(), []))

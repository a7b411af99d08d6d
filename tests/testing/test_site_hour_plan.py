"""The script of a site hour: its derived pace, the doors' pallets, and plans refused naming what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from xdock.cli.mock_llrp_script import pallet_sscc
from xdock.protocol.gs1 import PalletLabel
from xdock.testing.site_hour_plan import DOORS, HourPlan


def test_the_full_hour_at_30x_takes_two_wall_minutes() -> None:
    plan = HourPlan()
    assert plan.wall_s == 120.0
    assert plan.scan_interval_s == 0.2
    assert plan.passage_every_s == pytest.approx((120.0 - 3.0) / 120)


def test_each_door_scans_its_own_pallets_cycling_through_the_destinations() -> None:
    d1, d2 = DOORS
    assert [d1.label(n)[2] for n in range(1, 6)] == ["BRAVO", "CHARLIE", "DELTA", "ALPHA", "BRAVO"]
    sscc, label, _ = d1.label(1)
    assert (sscc, d2.sscc(1)) == ("037613032100000011", "037613032200000010")
    assert PalletLabel.parse(label).sscc == sscc


@pytest.mark.parametrize("serial", [1, 17, 9_000_000])
def test_a_doors_pallets_are_those_its_portal_mock_carries(serial: int) -> None:
    for door in DOORS:
        assert door.sscc(serial) == pallet_sscc(door.company_prefix, serial)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"speed": 0}, "Invalid hour plan: times and speed must be positive"),
        ({"passages_per_door": 700}, "need 1 <= passages_per_door <= scans_per_door < 9000000, got 700 and 600"),
        ({"kill_at": 0.8}, "need 0 < kill_at < broker_restart_at < 1, got 0.8 and 0.6666666666666666"),
        ({"first_pallet_s": 130}, "first_pallet_s must be within the hour's 120.0 wall seconds, got 130"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(fields: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match="Invalid hour plan") as refused:
        HourPlan(**fields)
    assert error in str(refused.value)

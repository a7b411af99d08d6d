"""The breakdown station: a mixed pallet announced by its advance shipping notice is split into one child per
destination, each with a new SSCC from the site's range, routed at once; the parent is off the floor."""

from __future__ import annotations

from pathlib import Path

import pytest
from biip.sscc import Sscc

from support.scans import scan
from xdock.central.site.breakdown import SERIAL_KEY, BreakdownError, ChildPlan, sscc_from
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.identifiers import check_sscc
from xdock.testing.partner_site import GTIN_A, GTIN_B, MIXED, START, advice, partner_site

CHILD_1, CHILD_2 = sscc_from("03761303", 1), sscc_from("03761303", 2)


def _site(db: Path) -> LiveSite:
    return LiveSite(partner_site(), Store(db), ManualClock(START))


def _mixed_at_breakdown(db: Path) -> LiveSite:
    site = _site(db)
    site.apply_asn(advice(), source="api", by="wms")
    answer = site.apply_scan(scan(1, sscc=MIXED, postal=None, at=START)).reply
    assert (answer.outcome, answer.area) == ("breakdown", "B1")
    return site


def test_the_sites_own_ssccs_count_up_with_their_check_digit() -> None:
    assert [CHILD_1, CHILD_2] == ["037613030000000018", "037613030000000025"]
    assert [Sscc.parse(s).value for s in (CHILD_1, CHILD_2)] == [CHILD_1, CHILD_2]  # biip checks the digit too
    assert check_sscc(CHILD_2) == CHILD_2
    with pytest.raises(BreakdownError, match="the site's SSCC range 0376130399999999 is used up"):
        sscc_from("0376130399999999", 10)


def test_a_mixed_pallet_splits_into_one_routed_child_per_destination(tmp_path: Path) -> None:
    site = _mixed_at_breakdown(tmp_path / "c.db")
    made = site.split_pallet(MIXED, by="ben")
    assert [(c.sscc, c.destination, c.row.state, c.row.trailer) for c in made] == [
        (CHILD_1, "LYON", "assigned", "T-LYON-1"), (CHILD_2, "PARIS", "assigned", "T-PARIS-1"),
    ]
    assert [[(x.gtin, x.quantity) for x in c.lines] for c in made] == [[(GTIN_A, 6)], [(GTIN_B, 4)]]
    assert site.state.pallets[MIXED].state == "split"
    assert MIXED not in site.floor().pallets
    assert site.plan().moves[CHILD_2].target == "T-PARIS-1"
    assert [c.sscc for c in site.children_of(MIXED)] == [CHILD_1, CHILD_2]
    event = site._parts.store.events(after=0, limit=100)[-1]
    assert (event.kind, event.sscc, [c["sscc"] for c in event.body["children"]]) == (
        "pallet_split", MIXED, [CHILD_1, CHILD_2])


def test_the_parent_scanned_again_is_told_to_scan_its_children(tmp_path: Path) -> None:
    site = _mixed_at_breakdown(tmp_path / "c.db")
    site.split_pallet(MIXED, by="ben")
    again = site.apply_scan(scan(2, sscc=MIXED, postal=None, at=START)).reply
    assert (again.outcome, again.display) == ("rejected", "split: scan children")


def test_split_survives_a_restart_and_serials_never_repeat(tmp_path: Path) -> None:
    site = _mixed_at_breakdown(tmp_path / "c.db")
    site.split_pallet(MIXED, by="ben")
    again = _site(tmp_path / "c.db")
    assert again.state.pallets[MIXED].state == "split"
    assert [c.sscc for c in again.children_of(MIXED)] == [CHILD_1, CHILD_2]
    assert again.state.announced[CHILD_1].parent == MIXED
    assert again.plan().moves[CHILD_1].target == "T-LYON-1"
    assert again._parts.store.meta(SERIAL_KEY) == "2"


def test_a_grouping_of_the_workers_own_must_add_up_to_the_pallet(tmp_path: Path) -> None:
    site = _mixed_at_breakdown(tmp_path / "c.db")
    with pytest.raises(BreakdownError) as refused:
        site.split_pallet(MIXED, children=[ChildPlan("LYON", ((GTIN_A, 6),))], by="ben")
    assert (refused.value.status, refused.value.detail) == (422, f"pallet {MIXED}: the children's lines"
                                                                 f" ({GTIN_A} x6) must add up to the pallet's"
                                                                 f" ({GTIN_A} x6, {GTIN_B} x4)")
    with pytest.raises(BreakdownError, match=r"children\[0\].destination: 'NICE' is none of the site's destinations"):
        site.split_pallet(MIXED, children=[ChildPlan("NICE", ((GTIN_A, 6), (GTIN_B, 4)))], by="ben")
    made = site.split_pallet(MIXED, children=[ChildPlan("PARIS", ((GTIN_A, 6), (GTIN_B, 4)))], by="ben")
    assert [(c.destination, c.row.trailer) for c in made] == [("PARIS", "T-PARIS-1")]


def test_only_a_pallet_at_a_breakdown_area_with_a_notice_is_split(tmp_path: Path) -> None:
    site = _mixed_at_breakdown(tmp_path / "c.db")
    with pytest.raises(BreakdownError) as unknown:
        site.split_pallet("340123450000000048", by="ben")
    assert (unknown.value.status, unknown.value.detail) == (404, "no pallet 340123450000000048 has been scanned at t")
    site.split_pallet(MIXED, by="ben")
    with pytest.raises(BreakdownError) as twice:
        site.split_pallet(MIXED, by="ben")
    assert (twice.value.status, twice.value.detail) == (409, f"pallet {MIXED} is split, not at a breakdown area")

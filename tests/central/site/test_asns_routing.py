"""Scans of announced pallets, routed with what their advance shipping notice says; disagreements kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from support.advices import LYON_GLN, PARIS_GLN, advice, advice_site, pallet
from support.scans import AT, scan, sscc
from support.sites import inbound, outbound, staging, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.partners.desadv import DangerousGoods, PalletAdvice
from xdock.protocol.clock import ManualClock

SITE = advice_site(
    doors=[inbound(), outbound(), outbound("D14", 30, 30), outbound("D15", 40, 30), outbound("D16", 50, 30)],
    areas=[staging("B1", 8, 10, kind="breakdown")],
    rules={"segregate": [["3", "5.1"]]},
    trailers=[trailer(), trailer("T-LYON-2", "D14"), trailer("T-LYON-R", "D15", reefer=True),
              trailer("T-PARIS-1", "D16", "PARIS")],
)
"""Inbound D1; LYON at D12 (40 m), D14 and D15 (the reefer), PARIS at D16; breakdown B1; no staging area."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "c.db")
    yield opened
    opened.close()


@pytest.fixture
def site(store: Store) -> LiveSite:
    return LiveSite(SITE, store, ManualClock(AT))


def test_a_label_without_ship_to_goes_where_its_notice_says(site: LiveSite) -> None:
    site.apply_asn(advice(pallet(1, weight_kg=412.5), pallet(2, to=PARIS_GLN)), source="api", by="sam")
    unknown = site.apply_scan(scan(9, postal=None)).reply
    assert (unknown.outcome, unknown.display) == ("rejected", "no ship-to on label")
    to_lyon = site.apply_scan(scan(1, postal=None)).reply
    assert (to_lyon.outcome, to_lyon.trailer, to_lyon.door, to_lyon.destination) == (
        "assigned", "T-LYON-1", "D12", "LYON")
    to_paris = site.apply_scan(scan(2, postal=None)).reply
    assert (to_paris.outcome, to_paris.trailer, to_paris.destination) == ("assigned", "T-PARIS-1", "PARIS")
    row = site.state.pallets[sscc(1)]
    assert (row.state, row.destination, row.ship_to, row.weight_kg, row.destinations) == (
        "assigned", "LYON", None, 412.5, ())


def test_a_mixed_pallet_goes_to_the_breakdown_area(site: LiveSite) -> None:
    site.apply_asn(advice(pallet(1, to=(LYON_GLN, PARIS_GLN))), source="api", by="sam")
    reply = site.apply_scan(scan(1, postal="69001")).reply
    assert (reply.outcome, reply.area, reply.trailer, reply.display) == (
        "breakdown", "B1", None, "→ B1  BREAKDOWN  mixed (LYON, PARIS)")
    row = site.state.pallets[sscc(1)]
    assert (row.state, row.target, row.destination, row.destinations) == ("breakdown", "B1", None, ("LYON", "PARIS"))
    announced = site.announced_pallet(sscc(1))
    assert announced is not None
    assert announced.mismatch == {"destination": ["LYON", "LYON, PARIS"]}


def test_dangerous_goods_classes_from_the_notice_keep_apart(site: LiveSite) -> None:
    site.apply_asn(advice(pallet(1, dg=("3", "1203")), pallet(2, dg=("5.1", "1942")), pallet(3, dg=("3", "1993"))),
                   source="api", by="sam")
    trailers = [site.apply_scan(scan(n, dangerous_goods=True)).reply.trailer for n in (1, 2, 3)]
    assert trailers == ["T-LYON-1", "T-LYON-2", "T-LYON-1"]  # 5.1 may not ride with 3
    assert [(site.state.pallets[sscc(n)].hazmat, site.state.pallets[sscc(n)].dangerous) for n in (1, 2, 3)] == [
        ("3", True), ("5.1", True), ("3", True)]
    flagged = site.apply_scan(scan(4, dangerous_goods=True)).reply  # no notice: a class no rule keeps apart
    assert (flagged.trailer, site.state.pallets[sscc(4)].hazmat, site.state.pallets[sscc(4)].dangerous) == (
        "T-LYON-1", None, True)


def test_a_pallet_of_several_classes_is_kept_apart_by_the_one_a_rule_names(site: LiveSite) -> None:
    goods = (DangerousGoods(adr_class="8", un_number="1760"), DangerousGoods(adr_class="5.1", un_number="1942"))
    both = PalletAdvice(sscc=sscc(2), lines=pallet(2).lines, dangerous_goods=goods)
    site.apply_asn(advice(pallet(1, dg=("3", "1203")), both), source="api", by="sam")
    announced = site.announced_pallet(sscc(2))
    assert announced is not None
    assert (announced.hazmat, announced.un_numbers) == ("5.1", ("1760", "1942"))
    replies = [site.apply_scan(scan(n, dangerous_goods=True)).reply for n in (1, 2)]
    assert [r.trailer for r in replies] == ["T-LYON-1", "T-LYON-2"]


def test_a_notices_cold_chain_sends_a_label_without_one_to_a_reefer(site: LiveSite) -> None:
    site.apply_asn(advice(pallet(1, max_temp_c=4), pallet(2, max_temp_c=4)), source="api", by="sam")
    reply = site.apply_scan(scan(1)).reply
    assert (reply.trailer, reply.door, site.state.pallets[sscc(1)].temp) == ("T-LYON-R", "D15", "chilled")
    warmer = site.apply_scan(scan(2, max_temp_c=25)).reply  # the colder class wins
    assert (warmer.trailer, site.state.pallets[sscc(2)].temp) == ("T-LYON-R", "chilled")
    announced = site.announced_pallet(sscc(2))
    assert announced is not None
    assert announced.mismatch == {"temp": ["ambient", "chilled"]}


def test_a_label_that_disagrees_is_routed_the_safer_way_and_the_disagreement_kept(
    site: LiveSite, store: Store
) -> None:
    site.apply_asn(advice(pallet(1, best_before=date(2026, 12, 1)), pallet(2, best_before=date(2026, 12, 1))),
                   source="api", by="sam")
    reply = site.apply_scan(scan(1, postal="75001", expiry=date(2026, 11, 30), dangerous_goods=True)).reply
    assert (reply.trailer, reply.destination) == ("T-LYON-1", "LYON")
    row = site.state.pallets[sscc(1)]
    assert (row.destination, row.ship_to, row.expiry, row.dangerous, row.hazmat) == (
        "LYON", "75001", date(2026, 11, 30), True, None)
    expected = {"best_before": ["2026-11-30", "2026-12-01"], "dangerous_goods": ["yes", "no"],
                "destination": ["PARIS", "LYON"]}
    announced = site.announced_pallet(sscc(1))
    assert announced is not None
    assert announced.mismatch == expected
    assert {p.sscc: p.mismatch for p in store.announced_pallets()} == {sscc(1): expected, sscc(2): None}
    site.apply_scan(scan(2, postal="69001", expiry=date(2026, 12, 1)))  # agrees
    assert site.state.pallets[sscc(2)].expiry == date(2026, 12, 1)
    assert [m.sscc for m in site.receiving("IN-1").mismatched] == [sscc(1)]


def test_a_restarted_site_still_routes_with_the_notices(store_at: str) -> None:
    clock = ManualClock(AT)
    first = Store(store_at)
    sent = advice(pallet(1), pallet(2, to=(LYON_GLN, PARIS_GLN)), pallet(3, to=PARIS_GLN, max_temp_c=4),
                  pallet(4, dg=("5.1", "1942")))
    before = LiveSite(SITE, first, clock)
    before.apply_asn(sent, source="api", by="sam")
    before.apply_scan(scan(1, postal="75001"))
    assert before.state.pallets[sscc(1)].trailer == "T-LYON-1"
    first.close()

    store = Store(store_at)
    after = LiveSite(SITE, store, clock)
    assert after.state.pallets[sscc(1)].trailer == "T-LYON-1"
    replies = [after.apply_scan(scan(n, postal=None)).reply for n in (2, 3)]
    assert [(r.outcome, r.area, r.trailer) for r in replies] == [("breakdown", "B1", None), ("rejected", None, None)]
    assert replies[1].display == "no reefer for PARIS (chilled)"
    dg = after.apply_scan(scan(4, postal=None, dangerous_goods=True)).reply
    assert (dg.trailer, after.state.pallets[sscc(4)].hazmat) == ("T-LYON-1", "5.1")
    announced = after.announced_pallet(sscc(1))
    assert announced is not None
    assert announced.mismatch == {"destination": ["PARIS", "LYON"]}
    assert after.apply_asn(sent, source="api", by="sam").copy
    assert after.receiving("IN-1").received == (sscc(1), sscc(2), sscc(3), sscc(4))
    store.close()


def test_a_notice_silent_on_temperature_is_no_disagreement_with_a_cold_label(site: LiveSite) -> None:
    site.apply_asn(advice(pallet(1)), source="api", by="sam")
    reply = site.apply_scan(scan(1, max_temp_c=4)).reply
    assert (reply.trailer, site.state.pallets[sscc(1)].temp) == ("T-LYON-R", "chilled")
    announced = site.announced_pallet(sscc(1))
    assert announced is not None
    assert announced.mismatch is None

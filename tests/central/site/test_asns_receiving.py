"""Receiving checked against advance shipping notices: received, pending, short, over, mismatched; alerts at unload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.advices import LYON_GLN, PARIS_GLN, advice, advice_site, pallet
from support.scans import AT, scan, sscc
from support.sites import inbound, outbound, staging, trailer
from xdock.central.site.asns import Mismatched, Receiving
from xdock.central.site.inbound import InboundRefusedError
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock

SITE = advice_site(
    doors=[inbound(), inbound("D2", 0, 10), outbound(), outbound("D14", 30, 30)], sscc_prefix="03761303",
    areas=[staging(), staging("B1", 8, 10, kind="breakdown")],
    trailers=[trailer(), trailer("T-PARIS-1", "D14", "PARIS")],
)
"""Inbound D1 and D2; LYON at D12, PARIS at D14; staging S1, breakdown B1; child pallets numbered 03761303..."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "c.db")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(AT)


@pytest.fixture
def site(store: Store, clock: ManualClock) -> LiveSite:
    return LiveSite(SITE, store, clock)


def _minutes(clock: ManualClock, minutes: int) -> None:
    """The clock at AT plus ``minutes``."""
    clock.advance((AT - clock.now()).total_seconds() + minutes * 60)


def test_receiving_before_and_after_unload_with_its_alerts_and_events(
    site: LiveSite, store: Store, clock: ManualClock
) -> None:
    site.apply_asn(advice(pallet(1), pallet(2), pallet(3)), source="api", by="sam")
    assert site.receiving("IN-1") == Receiving("IN-1", "waiting", 3, (), (sscc(1), sscc(2), sscc(3)), (), (), ())
    _minutes(clock, 5)
    site.apply_scan(scan(7))  # at D1 before the truck: not its pallet
    _minutes(clock, 10)
    site.truck_arrived("IN-1", "D1", by="yard")
    _minutes(clock, 15)
    site.apply_scan(scan(1, postal=None))
    site.apply_scan(scan(2, postal="75001"))
    site.apply_scan(scan(9))  # unannounced, at its door while it is there: over
    site.apply_scan(scan(8, door="D2"))  # another door: another truck's
    mismatch = Mismatched(sscc(2), {"destination": ["PARIS", "LYON"]})
    assert site.receiving("IN-1") == Receiving(
        "IN-1", "arrived", 3, received=(sscc(1), sscc(2)), pending=(sscc(3),), short=(), over=(sscc(9),),
        mismatched=(mismatch,))
    assert site.alerts.open_alerts() == []
    _minutes(clock, 30)
    assert site.truck_unloaded("IN-1", by="yard").state == "unloaded"
    _minutes(clock, 35)
    site.apply_scan(scan(10))  # after it left
    assert site.receiving("IN-1") == Receiving(
        "IN-1", "unloaded", 3, received=(sscc(1), sscc(2)), pending=(), short=(sscc(3),), over=(sscc(9),),
        mismatched=(mismatch,))
    assert [(e.sscc, e.body) for e in store.events() if e.kind == "asn_discrepancy"] == [
        (sscc(3), {"truck": "IN-1", "discrepancy": "short"}),
        (sscc(9), {"truck": "IN-1", "discrepancy": "over"}),
        (sscc(2), {"truck": "IN-1", "discrepancy": "mismatch", "fields": {"destination": ["PARIS", "LYON"]}}),
    ]
    assert sorted((a.kind, a.subject, a.message) for a in site.alerts.open_alerts()) == [
        ("asn_mismatch", "IN-1", f"Truck IN-1: 1 pallet(s) label and advance shipping notice disagree: {sscc(2)}"),
        ("asn_over", "IN-1", f"Truck IN-1: 1 pallet(s) received, not announced: {sscc(9)}"),
        ("asn_short", "IN-1", f"Truck IN-1: 1 pallet(s) announced, not received: {sscc(3)}"),
    ]


def test_a_truck_received_as_announced_raises_nothing(site: LiveSite, store: Store, clock: ManualClock) -> None:
    site.apply_asn(advice(pallet(1), pallet(2)), source="api", by="sam")
    site.truck_arrived("IN-1", "D1", by="yard")
    _minutes(clock, 5)
    site.apply_scan(scan(1))
    site.apply_scan(scan(2))
    site.truck_unloaded("IN-1", by="yard")
    assert site.receiving("IN-1") == Receiving("IN-1", "unloaded", 2, (sscc(1), sscc(2)), (), (), (), ())
    assert (site.alerts.open_alerts(), [e for e in store.events() if e.kind == "asn_discrepancy"]) == ([], [])


def test_many_short_pallets_are_named_five_at_most(site: LiveSite, clock: ManualClock) -> None:
    site.apply_asn(advice(*(pallet(n) for n in range(1, 8))), source="api", by="sam")
    site.truck_arrived("IN-1", "D1", by="yard")
    site.truck_unloaded("IN-1", by="yard")
    [alert] = site.alerts.open_alerts()
    shown = ", ".join(sscc(n) for n in range(1, 6))
    assert alert.message == f"Truck IN-1: 7 pallet(s) announced, not received: {shown} +2"


def test_a_truck_without_a_notice_is_not_checked_against_one(
    site: LiveSite, store: Store, clock: ManualClock
) -> None:
    site.announce_truck("IN-2", eta=AT, pallets=2, by="wms")
    site.truck_arrived("IN-2", "D1", by="yard")
    _minutes(clock, 5)
    site.apply_scan(scan(1))
    site.apply_scan(scan(2))
    site.truck_unloaded("IN-2", by="yard")
    assert site.receiving("IN-2") == Receiving("IN-2", "unloaded", 0, (), (), (), (), ())
    assert (site.alerts.open_alerts(), [e for e in store.events() if e.kind == "asn_discrepancy"]) == ([], [])


def test_receiving_of_a_truck_never_announced_is_404(site: LiveSite) -> None:
    with pytest.raises(InboundRefusedError) as caught:
        site.receiving("IN-9")
    assert (caught.value.status, caught.value.field, caught.value.detail) == (
        404, "truck_id", "No inbound truck 'IN-9' has been announced")


def test_a_mixed_pallet_split_at_its_door_still_counts_once(site: LiveSite, store: Store, clock: ManualClock) -> None:
    applied = site.apply_asn(advice(pallet(1, to=(LYON_GLN, PARIS_GLN)), pallet(2)), source="api", by="sam")
    site.truck_arrived("IN-1", "D1", by="yard")
    _minutes(clock, 5)
    assert site.apply_scan(scan(1, postal=None)).reply.area == "B1"
    _minutes(clock, 10)
    children = site.split_pallet(sscc(1), by="bob")
    assert [(c.destination, c.row.trailer) for c in children] == [("LYON", "T-LYON-1"), ("PARIS", "T-PARIS-1")]
    assert site.receiving("IN-1") == Receiving("IN-1", "arrived", 2, (sscc(1),), (sscc(2),), (), (), ())
    assert site.apply_asn(advice(pallet(1, to=(LYON_GLN, PARIS_GLN)), pallet(2)), source="api", by="sam").pallets == (
        applied.pallets) == 2
    site.apply_scan(scan(2))
    site.truck_unloaded("IN-1", by="yard")
    assert site.receiving("IN-1") == Receiving("IN-1", "unloaded", 2, (sscc(1), sscc(2)), (), (), (), ())
    assert site.alerts.open_alerts() == []

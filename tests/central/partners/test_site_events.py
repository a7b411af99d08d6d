"""The partner events of a log a real site wrote: exact ids, types, ordering keys and data, stable on a re-read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.scans import scan, sscc
from support.sites import LYON_GLN, destination, site_config, staging, trailer
from xdock.central.partners.dispatch_advice import DispatchAdvices
from xdock.central.partners.site_events import EVENT_TYPES, PartnerEvent, SiteEvents
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.store.event_tail import EventTail
from xdock.partners.desadv import Carrier, DespatchAdvice, PalletAdvice
from xdock.protocol.clock import ManualClock

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SITE_GLN, SUPPLIER_GLN = "3761303200005", "3761303200012"
SITE = site_config(gln=SITE_GLN, gs1_company_prefix_length=7, destinations=[destination(glns=[LYON_GLN])],
                   areas=[staging()], trailers=[trailer(capacity=2)])
P1, P2, P3, P4 = sscc(1), sscc(2), sscc(3), sscc(4)
ADVICE = DespatchAdvice(
    shipment_id="SH-1", issued_at=START, supplier_gln=SUPPLIER_GLN, consignee_gln=SITE_GLN,
    ultimate_consignee_gln=LYON_GLN, carrier=Carrier(name="ACME"), truck_id="TR-1",
    pallets=(PalletAdvice(sscc=P1), PalletAdvice(sscc=P4)),
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "c.db")
    yield opened
    opened.close()


def partner_events(store: Store, site: SiteEvents) -> list[PartnerEvent]:
    return [p for event in store.events(after=0, limit=10_000) for p in site.read(event)]


def shift(store: Store) -> LiveSite:
    """A truck of ASN SH-1 (pallets 1 and 4) brings pallets 1-3 to D1: one scan rejected at an outbound door
    first, pallet 1 scanned twice; T-LYON-1 (room for 2) takes 1 and 2, 3 is staged; pallet 1 is loaded; the
    truck is unloaded (4 short, 2 and 3 over); T-LYON-1 leaves with pallet 1 aboard and 2 left behind."""
    site = LiveSite(SITE, store, ManualClock(START))
    site.apply_asn(ADVICE, source="api", by="sam")
    site.truck_arrived("TR-1", "D1", by="sam")
    assert site.apply_scan(scan(1, n=1, door="D12")).reply.outcome == "rejected"
    for seq, n in ((2, 1), (3, 2), (4, 3), (5, 1)):
        site.apply_scan(scan(seq, n=n))
    site.confirm_load(P1, "D12", device="h1")
    site.truck_unloaded("TR-1", by="sam")
    site.depart_trailer("T-LYON-1", by="sam")
    return site


def test_a_shift_gives_these_partner_events_exactly(store: Store) -> None:
    shift(store)
    events = partner_events(store, SiteEvents("t"))
    assert [(e.id, e.type, e.key, e.log_id) for e in events] == [
        ("t.2.asn_applied", "asn_applied", "TR-1", 2),
        ("t.3.truck_arrived", "truck_arrived", "TR-1", 3),
        ("t.5.pallet_received", "pallet_received", None, 5),  # log 4: rejected; log 8: pallet 1 again
        ("t.6.pallet_received", "pallet_received", None, 6),
        ("t.7.pallet_received", "pallet_received", None, 7),
        ("t.9.pallet_loaded", "pallet_loaded", "T-LYON-1", 9),
        ("t.10.truck_unloaded", "truck_unloaded", "TR-1", 10),
        ("t.11.asn_discrepancy", "asn_discrepancy", "TR-1", 11),
        ("t.12.asn_discrepancy", "asn_discrepancy", "TR-1", 12),
        ("t.13.asn_discrepancy", "asn_discrepancy", "TR-1", 13),
        ("t.14.alert_raised", "alert_raised", None, 14),
        ("t.15.alert_raised", "alert_raised", None, 15),
        ("t.16.trailer_departed", "trailer_departed", "T-LYON-1", 16),
        ("t.16.pallet_late.0", "pallet_late", "T-LYON-1", 16),
    ]
    assert [e.data for e in events] == [
        {"asn": f"{SUPPLIER_GLN}/SH-1", "shipment_id": "SH-1", "supplier": SUPPLIER_GLN, "truck": "TR-1",
         "pallets": 2},
        {"truck": "TR-1", "door": "D1", "carrier": "ACME", "pallets": 2},
        {"sscc": P1, "door": "D1", "outcome": "assigned", "trailer": "T-LYON-1", "area": None},
        {"sscc": P2, "door": "D1", "outcome": "assigned", "trailer": "T-LYON-1", "area": None},
        {"sscc": P3, "door": "D1", "outcome": "staged", "trailer": None, "area": "S1"},
        {"sscc": P1, "trailer": "T-LYON-1", "door": "D12", "via": "scan"},
        {"truck": "TR-1", "door": "D1"},
        {"truck": "TR-1", "sscc": P4, "discrepancy": "short", "fields": None},
        {"truck": "TR-1", "sscc": P2, "discrepancy": "over", "fields": None},
        {"truck": "TR-1", "sscc": P3, "discrepancy": "over", "fields": None},
        {"alert": 1, "kind": "asn_short", "subject": "TR-1",
         "message": f"Truck TR-1: 1 pallet(s) announced, not received: {P4}"},
        {"alert": 2, "kind": "asn_over", "subject": "TR-1",
         "message": f"Truck TR-1: 2 pallet(s) received, not announced: {P2}, {P3}"},
        {"trailer": "T-LYON-1", "door": "D12", "destination": "LYON", "pallets_aboard": [P1], "pallets_left": [P2]},
        {"sscc": P2, "trailer": "T-LYON-1"},
    ]
    assert {e.type for e in events} == set(EVENT_TYPES) - {"dispatch_advice", "pallet_split"}
    assert events[2].payload() == {
        "id": "t.5.pallet_received", "type": "pallet_received", "timestamp": "2026-11-23T07:00:00+00:00",
        "data": {"sscc": P1, "door": "D1", "outcome": "assigned", "trailer": "T-LYON-1", "area": None},
    }


def test_a_departure_with_gln_known_also_gives_its_dispatch_advice_last(store: Store) -> None:
    site = shift(store)
    advices = DispatchAdvices(EventTail(store), SITE, announced=site.announced_pallet, pallet=site.state.pallets.get)
    departed = [e for e in partner_events(store, SiteEvents("t", advise=advices.payload)) if e.log_id == 16]
    assert [(e.id, e.type, e.key) for e in departed] == [
        ("t.16.trailer_departed", "trailer_departed", "T-LYON-1"),
        ("t.16.pallet_late.0", "pallet_late", "T-LYON-1"),
        ("t.16.dispatch_advice", "dispatch_advice", "T-LYON-1"),
    ]
    advice = departed[2].data
    assert sorted(advice) == ["desadv", "edifact", "trailer"]
    assert advice["trailer"] == "T-LYON-1"
    assert (advice["desadv"]["shipment_id"], advice["desadv"]["supplier_gln"], advice["desadv"]["consignee_gln"],
            [p["sscc"] for p in advice["desadv"]["pallets"]]) == ("T-LYON-1-16", SITE_GLN, LYON_GLN, [P1])
    assert advice["edifact"].startswith(f"UNA:+.? '\nUNB+UNOC:3+{SITE_GLN}:14+{LYON_GLN}:14+261123:0800+T-LYON-1-16'\n")
    assert f"GIN+BJ+{P1}'" in advice["edifact"]


def test_a_pallet_scanned_again_later_is_not_received_again(store: Store) -> None:
    site = LiveSite(SITE, store, ManualClock(START))
    site.apply_scan(scan(1, n=1))
    reader = SiteEvents("t")
    assert [e.id for e in partner_events(store, reader)] == ["t.1.pallet_received"]
    after = store.last_event_id()
    site.apply_scan(scan(2, n=1))  # the same pallet, scanned again
    site.apply_scan(scan(3, n=2))
    fresh = [p for event in store.events(after=after, limit=100) for p in reader.read(event)]
    assert [(e.id, e.data["sscc"]) for e in fresh] == [("t.3.pallet_received", P2)]


def test_ids_are_stable_when_a_fresh_reader_reads_the_same_log_again(store: Store) -> None:
    shift(store)
    first = partner_events(store, SiteEvents("t"))
    again = partner_events(store, SiteEvents("t"))
    assert again == first
    assert len({e.id for e in first}) == len(first) == 14
    assert [e.id for e in partner_events(store, SiteEvents("lyon-north"))][:2] == [
        "lyon-north.2.asn_applied", "lyon-north.3.truck_arrived",
    ]


def test_events_no_partner_is_told_of_give_none(store: Store) -> None:
    site = LiveSite(SITE, store, ManualClock(START))
    site.announce_truck("TR-2", eta=START, pallets=3, by="sam")  # announced: not a partner event
    site.set_door("D12", open_=False, by="sam")
    site.alerts.clear("asn_short", "TR-2", START)  # none open: nothing written
    assert [e.kind for e in store.events(after=0, limit=100)] == ["inbound_truck_announced", "override_door_closed"]
    assert partner_events(store, SiteEvents("t")) == []

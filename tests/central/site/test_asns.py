"""Advance shipping notices applied to the site: truck and pallets known before arrival; applied once, or refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from support.advices import (
    ETA,
    LYON_GLN,
    NICE_GLN,
    OTHER_SUPPLIER_GLN,
    PARIS_GLN,
    SUPPLIER_GLN,
    advice,
    advice_site,
    gtin,
    pallet,
)
from support.scans import AT, sscc
from support.sites import inbound, outbound
from xdock.central.site.inbound import InboundRefusedError
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import AnnouncedLine, AnnouncedPalletRow, InboundTruckRow, Store
from xdock.partners.desadv import DespatchAdvice
from xdock.protocol.clock import ManualClock

SITE = advice_site(doors=[inbound(), outbound()])
ASN = f"{SUPPLIER_GLN}/SHP-1"
FIRST = advice(pallet(1, weight_kg=412.5, best_before=date(2026, 12, 1)), pallet(2, to=(LYON_GLN, PARIS_GLN)),
               pallet(3, to=PARIS_GLN, max_temp_c=4, dg=("3", "1203")))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "c.db")
    yield opened
    opened.close()


@pytest.fixture
def site(store: Store) -> LiveSite:
    return LiveSite(SITE, store, ManualClock(AT))


def test_an_advice_announces_its_truck_and_its_pallets_in_the_sites_terms(site: LiveSite, store: Store) -> None:
    applied = site.apply_asn(FIRST, source="api", by="sam")
    assert (applied.copy, applied.pallets, applied.asn.id, applied.asn.truck, applied.asn.source) == (
        False, 3, ASN, "IN-1", "api")
    assert applied.truck == InboundTruckRow("IN-1", "Rapid Freight", ETA, 3, None, "waiting", AT,
                                            destinations={"LYON": 1, "PARIS": 1})
    assert store.inbound_trucks() == [applied.truck]
    assert site.announced_pallet(sscc(3)) == AnnouncedPalletRow(
        sscc=sscc(3), asn=ASN, truck="IN-1", destinations=("PARIS",), temp="chilled", hazmat="3",
        un_numbers=("1203",), best_before=None, weight_kg=None,
        lines=(AnnouncedLine(gtin(1), 10, None, "PARIS"),),
    )
    [first, mixed, _] = store.announced_pallets()
    assert (first.destinations, first.best_before, first.weight_kg, first.temp) == (
        ("LYON",), date(2026, 12, 1), 412.5, "ambient")
    assert (mixed.destinations, mixed.mixed) == (("LYON", "PARIS"), True)
    assert [(a.id, a.document["pallets"][0]["sscc"]) for a in site.asns()] == [(ASN, sscc(1))]
    assert [(e.kind, e.body) for e in store.events()] == [
        ("inbound_truck_announced", {"truck": "IN-1", "carrier": "Rapid Freight", "eta": ETA.isoformat(),
                                     "pallets": 3, "door": None, "state": "waiting", "by": "sam",
                                     "destinations": {"LYON": 1, "PARIS": 1}}),
        ("asn_applied", {"asn": ASN, "shipment_id": "SHP-1", "supplier": SUPPLIER_GLN, "truck": "IN-1", "pallets": 3,
                         "mixed": 1, "source": "api", "by": "sam"}),
    ]


def test_the_same_advice_again_is_a_copy_that_changes_nothing(site: LiveSite, store: Store) -> None:
    first = site.apply_asn(FIRST, source="api", by="sam")
    again = site.apply_asn(FIRST, source="folder:shp1.edi", by="asn-folder")
    assert (again.copy, again.pallets, again.asn, again.truck) == (True, 3, first.asn, first.truck)
    assert [e.kind for e in store.events()] == ["inbound_truck_announced", "asn_applied"]
    assert len(store.announced_pallets()) == 3


def _refused(site: LiveSite, sent: DespatchAdvice) -> tuple[int, str, str]:
    with pytest.raises(InboundRefusedError) as caught:
        site.apply_asn(sent, source="api", by="sam")
    return caught.value.status, caught.value.field, caught.value.detail


def test_a_refused_advice_leaves_nothing_of_it(site: LiveSite, store: Store) -> None:
    site.apply_asn(FIRST, source="api", by="sam")
    changed = advice(pallet(1), shipment="SHP-1")
    assert _refused(site, changed) == (
        409, "shipment_id", f"shipment SHP-1 of supplier {SUPPLIER_GLN} was applied on 2026-11-23T07:00:00+00:00"
        " with other content; send a new shipment id")
    taken = advice(pallet(4), pallet(1), shipment="SHP-2")
    assert _refused(site, taken) == (409, "pallets", f"pallets[1] (SSCC {sscc(1)}): already announced by ASN {ASN}")
    far = advice(pallet(5), pallet(6, to=(LYON_GLN, NICE_GLN)), shipment="SHP-3")
    assert _refused(site, far) == (
        422, "pallets", f"pallets[1] (SSCC {sscc(6)}): final destination GLN {NICE_GLN} is no GLN of the site's"
        f" destinations (theirs: {LYON_GLN}, {PARIS_GLN})")
    assert [a.id for a in site.asns()] == [ASN]
    assert sorted(p.sscc for p in store.announced_pallets()) == [sscc(1), sscc(2), sscc(3)]
    assert [site.announced_pallet(sscc(n)) for n in (4, 5, 6)] == [None, None, None]
    assert [(t.id, t.pallets) for t in site.inbound_trucks()] == [("IN-1", 3)]
    assert [e.kind for e in store.events()] == ["inbound_truck_announced", "asn_applied"]


def test_an_unloaded_truck_takes_no_more_pallets(site: LiveSite, store: Store) -> None:
    site.apply_asn(FIRST, source="api", by="sam")
    site.truck_arrived("IN-1", "D1", by="yard")
    site.truck_unloaded("IN-1", by="yard")
    late = advice(pallet(7), shipment="SHP-9", supplier=OTHER_SUPPLIER_GLN)
    assert _refused(site, late) == (409, "truck_id", "inbound truck IN-1 is unloaded: no pallets can be added")
    assert (site.announced_pallet(sscc(7)), [a.id for a in site.asns()]) == (None, [ASN])
    assert site.apply_asn(FIRST, source="api", by="sam").copy  # a copy is still recognised


def test_two_suppliers_advices_on_one_truck_add_up_by_destination(site: LiveSite, store: Store) -> None:
    site.apply_asn(FIRST, source="api", by="sam")
    site.truck_arrived("IN-1", "D1", by="yard")
    other = advice(pallet(11), pallet(12, to=PARIS_GLN), pallet(13, to=PARIS_GLN), pallet(14, to=None),
                   supplier=OTHER_SUPPLIER_GLN, shipment="SHP-1", carrier="Other Carrier")
    applied = site.apply_asn(other, source="api", by="wms")
    assert (applied.copy, applied.pallets, applied.asn.id) == (False, 4, f"{OTHER_SUPPLIER_GLN}/SHP-1")
    [truck] = site.inbound_trucks()
    assert (truck.pallets, truck.destinations, truck.state, truck.door, truck.carrier) == (
        7, {"LYON": 2, "PARIS": 3}, "arrived", "D1", "Rapid Freight")
    assert store.events()[-2].kind == "inbound_truck_added_to"
    assert store.events()[-2].body["destinations"] == {"LYON": 2, "PARIS": 3}
    unknown = site.announced_pallet(sscc(14))
    assert unknown is not None
    assert unknown.destinations == ()  # its line names no GLN: routed by its label


def test_the_truck_is_the_advices_plate_made_an_id_or_else_the_suppliers_shipment(site: LiveSite) -> None:
    plated = site.apply_asn(advice(pallet(1), truck="AB 123 CD"), source="api", by="sam")
    assert plated.truck.id == "AB-123-CD"
    mine = site.apply_asn(advice(pallet(2), truck=None, shipment="0001/A"), source="api", by="sam")
    theirs = site.apply_asn(advice(pallet(3), truck=None, shipment="0001/A", supplier=OTHER_SUPPLIER_GLN),
                            source="api", by="sam")
    assert (mine.truck.id, theirs.truck.id) == (f"ASN-{SUPPLIER_GLN}-0001-A", f"ASN-{OTHER_SUPPLIER_GLN}-0001-A")
    assert [(t.id, t.pallets, t.eta) for t in site.inbound_trucks()] == [
        ("AB-123-CD", 1, ETA), (f"ASN-{SUPPLIER_GLN}-0001-A", 1, ETA), (f"ASN-{OTHER_SUPPLIER_GLN}-0001-A", 1, ETA),
    ]


def test_an_advice_without_an_arrival_time_expects_its_truck_now(site: LiveSite) -> None:
    applied = site.apply_asn(advice(pallet(1), eta=None), source="api", by="sam")
    assert applied.truck.eta == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

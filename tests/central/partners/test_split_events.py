"""A split at the breakdown station is told to partners: an EPCIS aggregation change (the parent unpacked, its
children made of it) that validates against GS1's schema, and a ``pallet_split`` webhook event."""

from __future__ import annotations

from pathlib import Path

from support.departure_day import schema_errors
from support.scans import scan
from xdock.central.partners.epcis_log import EpcisLog, site_identity
from xdock.central.partners.site_events import SiteEvents
from xdock.central.site.breakdown import sscc_from
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.store.event_tail import EventTail
from xdock.partners.epcis import epcis_document
from xdock.protocol.clock import ManualClock
from xdock.testing.partner_site import MIXED, START, advice, partner_site

CHILD_1, CHILD_2 = sscc_from("03761303", 1), sscc_from("03761303", 2)


def _split(db: Path) -> LiveSite:
    site = LiveSite(partner_site(), Store(db), ManualClock(START))
    site.apply_asn(advice(), source="api", by="wms")
    site.apply_scan(scan(1, sscc=MIXED, postal=None, at=START))
    site.split_pallet(MIXED, by="ben")
    return site


def test_the_split_is_the_parents_aggregation_change_in_epcis(tmp_path: Path) -> None:
    site = _split(tmp_path / "c.db")
    identity = site_identity(site.config)
    assert identity is not None
    events = EpcisLog(EventTail(site._parts.store), "t", identity, site.announced_pallet, zone=site.config.zone).all()
    unpacked, made = events[-2:]
    assert (unpacked["type"], unpacked["action"], unpacked["bizStep"], unpacked["parentID"]) == (
        "AggregationEvent", "DELETE", "unpacking", f"https://id.gs1.org/00/{MIXED}")
    assert unpacked["readPoint"] == {"id": "urn:epc:id:sgln:3761303.20000.B1"}
    assert (made["type"], made["bizStep"], made["inputEPCList"], made["outputEPCList"]) == (
        "TransformationEvent", "repackaging", [f"https://id.gs1.org/00/{MIXED}"],
        [f"https://id.gs1.org/00/{CHILD_1}", f"https://id.gs1.org/00/{CHILD_2}"])
    assert schema_errors(epcis_document(events, created=START)) == []


def test_the_split_is_a_pallet_split_webhook_event(tmp_path: Path) -> None:
    site = _split(tmp_path / "c.db")
    events = SiteEvents("t")
    told = [e for row in site._parts.store.events(after=0, limit=1000) for e in events.read(row)]
    split = told[-1]
    assert (split.type, split.key) == ("pallet_split", None)
    assert split.data == {"parent": MIXED, "area": "B1", "children": [
        {"sscc": CHILD_1, "destination": "LYON", "state": "assigned", "target": "T-LYON-1"},
        {"sscc": CHILD_2, "destination": "PARIS", "state": "assigned", "target": "T-PARIS-1"},
    ]}

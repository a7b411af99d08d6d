"""The site's physical steps as EPCIS events, read from central's log: a real floor's morning (see
:mod:`support.departure_day`) told step by step, valid against GS1's schema, the same after a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from support.departure_day import SITE, SITE_GLN, SUPPLIER_GLN, play_day, reading, schema_errors
from support.departure_day import log_id as find_log_id
from support.scans import AT, scan, sscc
from support.sites import NICE, inbound, sensor, site_config, staging
from xdock.central.partners.epcis_log import EpcisLog, site_identity
from xdock.central.site.live_site import LiveSite
from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import Store
from xdock.central.store.event_tail import EventTail
from xdock.partners.desadv import DespatchAdvice, PalletAdvice, TradeItemLine
from xdock.partners.epcis import SiteIdentity, epcis_document, event_id
from xdock.protocol.clock import ManualClock
from xdock.protocol.epc import Sscc96, epc_hex
from xdock.protocol.passages import DoorPassage

SGLN = "urn:epc:id:sgln:3761303.20000."
TRAILER = "urn:epc:id:giai:3761303.T-LYON-1"
SHIPMENT = "urn:epcglobal:cbv:bt:3761303200005:SHIP%2F42"


@dataclass
class Floor:
    site: LiveSite
    store: Store
    clock: ManualClock
    log: EpcisLog

    def log_id(self, kind: str, pallet: int | None = None, nth: int = 0) -> int:
        return find_log_id(self.store, kind, None if pallet is None else sscc(pallet), nth)


def open_log(store: Store, site: LiveSite) -> EpcisLog:
    identity = site_identity(site.config)
    assert identity is not None
    return EpcisLog(EventTail(store), site.config.site, identity, site.announced_pallet)


@contextmanager
def opened(store_at: str, config: SiteConfig = SITE) -> Iterator[Floor]:
    store, clock = Store(store_at), ManualClock(AT)
    site = LiveSite(config, store, clock)
    try:
        yield Floor(site, store, clock, open_log(store, site))
    finally:
        store.close()


@pytest.fixture
def floor(store_at: str) -> Iterator[Floor]:
    with opened(store_at) as f:
        yield f


def dl(pallet: int) -> str:
    return f"https://id.gs1.org/00/{sscc(pallet)}"


def header(event_type: str, at: str, source: str) -> dict[str, Any]:
    return {"type": event_type, "eventTime": f"2026-11-23T07:{at}:00+00:00", "eventTimeZoneOffset": "+00:00",
            "eventID": event_id(f"t/event/{source}", 0)}


def object_event(source: str, pallet: int, step: str, where: str) -> dict[str, Any]:
    return header("ObjectEvent", "00", source) | {
        "epcList": [dl(pallet)], "action": "OBSERVE", "bizStep": step, "disposition": "in_progress",
        "readPoint": {"id": SGLN + where}, "bizLocation": {"id": SGLN + "0"},
    }


def test_the_morning_is_told_step_by_step_in_log_order(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    scans = [floor.log_id("scan", n) for n in (1, 2, 3, 4)]
    loads = [floor.log_id("loaded", n) for n in (1, 2)]
    departed = floor.log_id("override_trailer_departed")
    assert floor.log.all() == [
        object_event(f"{scans[0]}", 1, "receiving", "D1")
        | {"bizTransactionList": [{"type": "desadv", "bizTransaction": SHIPMENT}]},
        object_event(f"{scans[1]}", 2, "receiving", "D1"),
        object_event(f"{scans[2]}", 3, "receiving", "D1"),
        object_event(f"{scans[3]}", 4, "receiving", "D1"),
        object_event(f"{scans[3]}/staging", 4, "staging_outbound", "S1"),
        *(header("AggregationEvent", "01", f"{loads[i]}") | {
            "parentID": TRAILER, "childEPCs": [dl(i + 1)], "action": "ADD", "bizStep": "loading",
            "disposition": "in_progress", "readPoint": {"id": SGLN + "D12"}, "bizLocation": {"id": SGLN + "0"},
        } for i in (0, 1)),
        header("AggregationEvent", "02", f"{departed}") | {
            "parentID": TRAILER, "childEPCs": [dl(1), dl(2)], "action": "OBSERVE", "bizStep": "departing",
            "disposition": "in_transit", "readPoint": {"id": SGLN + "D12"},
            "sensorElementList": [{
                "sensorMetadata": {"deviceID": "urn:epc:id:giai:3761303.TS-1"},
                "sensorReport": [{"type": "Temperature", "time": "2026-11-23T07:01:00+00:00", "value": 4.5,
                                  "uom": "CEL"}],
            }],
        },
    ]


def test_the_morning_is_a_valid_epcis_document(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    document = epcis_document(floor.log.all(), created=floor.clock.now())
    assert schema_errors(document) == []
    assert len(document["epcisBody"]["eventList"]) == 8


def test_each_step_is_handed_out_fresh_once_with_its_log_id(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    floor.log.all()
    fresh = floor.log.take_fresh()
    assert [(log_id, e["bizStep"]) for log_id, e in fresh] == [
        (floor.log_id("scan", 1), "receiving"), (floor.log_id("scan", 2), "receiving"),
        (floor.log_id("scan", 3), "receiving"), (floor.log_id("scan", 4), "receiving"),
        (floor.log_id("scan", 4), "staging_outbound"), (floor.log_id("loaded", 1), "loading"),
        (floor.log_id("loaded", 2), "loading"), (floor.log_id("override_trailer_departed"), "departing"),
    ]
    assert floor.log.take_fresh() == []


def test_a_pallet_loaded_through_an_rfid_portal_is_loaded_once(floor: Floor) -> None:
    floor.site.apply_scan(scan(1))
    floor.clock.advance(60)
    out = DoorPassage(edge_id="edge-r", seq=1, device_id="r1", door="D12", sscc=sscc(1), direction="out",
                      epc=epc_hex(Sscc96.from_sscc(sscc(1), company_prefix_length=7).encode()),
                      at=floor.clock.now(), reads=30, peak_rssi=-45)
    assert floor.site.apply_passage(out).outcome == "loaded"
    floor.site.apply_passage(out.model_copy(update={"seq": 2}))  # seen again on its way in the trailer
    assert floor.site.confirm_load(sscc(1), "D12", device="h1").first_time is False
    assert floor.log.all()[1:] == [header("AggregationEvent", "01", f"{floor.log_id('loaded', 1)}") | {
        "parentID": TRAILER, "childEPCs": [dl(1)], "action": "ADD", "bizStep": "loading",
        "disposition": "in_progress", "readPoint": {"id": SGLN + "D12"}, "bizLocation": {"id": SGLN + "0"},
    }]


def test_a_rescan_adds_no_second_receiving(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    before = list(floor.log.all())
    floor.log.take_fresh()
    assert floor.site.apply_scan(scan(10, n=3)).reply.outcome == "staged"  # T-LYON-1 left without it
    assert floor.site.apply_scan(scan(11, n=2)).duplicate is False
    after = floor.log.all()
    assert after[:8] == before
    assert [(e["bizStep"], e["epcList"], e["readPoint"]) for e in after[8:]] == [
        ("staging_outbound", [dl(3)], {"id": SGLN + "S1"})]
    assert [e["epcList"] for e in after if e["bizStep"] == "receiving"] == [[dl(1)], [dl(2)], [dl(3)], [dl(4)]]


def test_a_rejected_scan_is_no_receiving_the_first_answered_one_is(floor: Floor) -> None:
    assert floor.site.apply_scan(scan(1, door="D99")).reply.outcome == "rejected"  # no such door
    floor.site.apply_scan(scan(2, n=1))
    assert floor.log.all() == [object_event(f"{floor.log_id('scan', 1, nth=1)}", 1, "receiving", "D1")]


def test_a_new_reader_of_the_same_log_tells_the_same_events(floor: Floor, store_at: str) -> None:
    play_day(floor.site, floor.clock)
    first = floor.log.all()
    store = Store(store_at)
    try:
        again = open_log(store, LiveSite(SITE, store, ManualClock(floor.clock.now())))
        assert [e["eventID"] for e in again.all()] == [e["eventID"] for e in first]
        assert again.all() == first
        assert len({e["eventID"] for e in first}) == 8
    finally:
        store.close()


def test_an_announced_pallet_s_receiving_names_its_shipment(floor: Floor) -> None:
    play_day(floor.site, floor.clock)
    receiving = {e["epcList"][0]: e.get("bizTransactionList") for e in floor.log.all() if e["bizStep"] == "receiving"}
    assert receiving == {
        dl(1): [{"type": "desadv", "bizTransaction": SHIPMENT}], dl(2): None, dl(3): None, dl(4): None,
    }
    assert floor.site.announced_pallet(sscc(1)) is not None
    assert floor.site.asns()[0].id == f"{SUPPLIER_GLN}/SHIP/42"


def test_an_advice_applied_after_the_scan_leaves_the_receiving_as_it_was(floor: Floor) -> None:
    floor.site.apply_scan(scan(5))
    floor.log.all()
    late = DespatchAdvice(shipment_id="LATE-1", issued_at=AT, supplier_gln=SUPPLIER_GLN, consignee_gln=SITE_GLN,
                          pallets=(PalletAdvice(sscc=sscc(5), lines=(TradeItemLine(gtin="4012345111118",
                                                                                   quantity=1),)),))
    floor.site.apply_asn(late, source="api", by="x")
    [told] = floor.log.all()
    assert "bizTransactionList" not in told
    reread = open_log(floor.store, floor.site).all()
    assert reread == [told]


def test_a_shipment_id_no_uri_can_carry_leaves_the_receiving_without_it(floor: Floor) -> None:
    spaced = DespatchAdvice(shipment_id="SHIP 43", issued_at=AT, supplier_gln=SUPPLIER_GLN, consignee_gln=SITE_GLN,
                            pallets=(PalletAdvice(sscc=sscc(5), lines=(TradeItemLine(gtin="4012345111118",
                                                                                     quantity=1),)),))
    floor.site.apply_asn(spaced, source="api", by="x")
    floor.site.apply_scan(scan(5, postal="06000"))
    assert [(e["bizStep"], e["epcList"], e.get("bizTransactionList")) for e in floor.log.all()] == [
        ("receiving", [dl(5)], None), ("staging_outbound", [dl(5)], None)]


def test_a_door_id_too_long_for_an_sgln_loses_only_its_own_step(store_at: str) -> None:
    long_door = "INBOUND-DOOR-NORTH-01"  # 21 characters: an SGLN extension takes 20
    config = site_config(gln=SITE_GLN, gs1_company_prefix_length=7, more_doors=[inbound(long_door, 0, 5)],
                         areas=[staging()], more_destinations=[NICE])
    with opened(store_at, config) as floor:
        floor.site.apply_scan(scan(1, door=long_door, postal="06000"))
        assert [(e["bizStep"], e["readPoint"]) for e in floor.log.all()] == [("staging_outbound", {"id": SGLN + "S1"})]
        floor.site.apply_scan(scan(2, n=1, postal="06000"))  # seen again at D1: its receiving is told there
        assert [(e["bizStep"], e["readPoint"]) for e in floor.log.all()[1:]] == [
            ("receiving", {"id": SGLN + "D1"}), ("staging_outbound", {"id": SGLN + "S1"})]


def test_the_departure_carries_the_newest_reading_of_each_temperature_logger_of_the_trailer(floor: Floor) -> None:
    floor.site.apply_scan(scan(1))
    floor.clock.advance(60)
    floor.site.confirm_load(sscc(1), "T-LYON-1", device="h1")
    floor.site.apply_reading(reading(1, "TS-1", 3.0, floor.clock))
    floor.clock.advance(30)
    floor.site.apply_reading(reading(2, "TS-1", 5.25, floor.clock))
    floor.site.apply_reading(reading(3, "TS-9", 60.0, floor.clock, kind="humidity"))
    floor.clock.advance(30)
    floor.site.depart_trailer("T-LYON-1", by="sue")
    departing = floor.log.all()[-1]
    assert (departing["bizStep"], departing["childEPCs"]) == ("departing", [dl(1)])
    assert departing["sensorElementList"] == [{
        "sensorMetadata": {"deviceID": "urn:epc:id:giai:3761303.TS-1"},
        "sensorReport": [{"type": "Temperature", "time": "2026-11-23T07:01:30+00:00", "value": 5.25, "uom": "CEL"}],
    }]


def test_a_logger_id_too_long_for_a_giai_drops_its_readings_not_the_departure(store_at: str) -> None:
    long_id = "TEMP-LOGGER-T-LYON-1-REAR"  # 25 characters: a GIAI of prefix 3761303 has room for 23
    config = site_config(gln=SITE_GLN, gs1_company_prefix_length=7, sensors=[
        sensor("TS-1", "temperature", trailer="T-LYON-1"), sensor(long_id, "temperature", trailer="T-LYON-1")])
    with opened(store_at, config) as floor:
        floor.site.apply_scan(scan(1))
        floor.site.confirm_load(sscc(1), "D12", device="h1")
        floor.site.apply_reading(reading(1, "TS-1", 4.0, floor.clock))
        floor.site.apply_reading(reading(2, long_id, 4.5, floor.clock))
        floor.site.depart_trailer("T-LYON-1", by="sue")
        departing = floor.log.all()[-1]
        assert (departing["bizStep"], departing["childEPCs"]) == ("departing", [dl(1)])
        assert [s["sensorMetadata"]["deviceID"] for s in departing["sensorElementList"]] == [
            "urn:epc:id:giai:3761303.TS-1"]


def test_a_reading_of_another_kind_under_a_temperature_logger_s_id_is_no_temperature(floor: Floor) -> None:
    floor.site.apply_scan(scan(1))
    floor.site.confirm_load(sscc(1), "D12", device="h1")
    floor.site.apply_reading(reading(1, "TS-1", 62.0, floor.clock, kind="humidity"))  # a misconfigured edge
    floor.site.depart_trailer("T-LYON-1", by="sue")
    departing = floor.log.all()[-1]
    assert (departing["bizStep"], "sensorElementList" in departing) == ("departing", False)


def test_a_trailer_leaving_empty_or_without_a_reading_tells_what_it_has(floor: Floor) -> None:
    floor.site.depart_trailer("T-PARIS-1", by="sue")  # nothing aboard: no departing event
    assert floor.log.all() == []
    floor.site.apply_scan(scan(1))
    floor.site.confirm_load(sscc(1), "D12", device="h1")
    floor.site.depart_trailer("T-LYON-1", by="sue")  # TS-1 never read
    departing = floor.log.all()[-1]
    assert departing["bizStep"] == "departing"
    assert "sensorElementList" not in departing


def test_a_site_file_without_gln_gives_no_identity() -> None:
    assert site_identity(site_config()) is None
    assert site_identity(SITE) == SiteIdentity(SITE_GLN, 7)


def test_events_tell_the_sites_local_time_and_offset(store_at: str) -> None:
    with opened(store_at) as f:
        f.site.apply_scan(scan(1, at=AT))
        identity = site_identity(f.site.config)
        assert identity is not None
        local = EpcisLog(EventTail(f.store), f.site.config.site, identity, f.site.announced_pallet,
                         zone=f.site.config.zone)
        [utc], [paris] = f.log.all(), local.all()
        assert (utc["eventTime"], utc["eventTimeZoneOffset"]) == ("2026-11-23T07:00:00+00:00", "+00:00")
        assert (paris["eventTime"], paris["eventTimeZoneOffset"]) == ("2026-11-23T08:00:00+01:00", "+01:00")
        assert paris["eventID"] == utc["eventID"]

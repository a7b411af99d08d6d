"""Inbound trucks without the API: the advance shipping notice checked, doors suggested by a plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.sites import PARIS, inbound, outbound, site_config
from xdock.central.site.inbound import InboundRefusedError
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock

SITE = site_config(doors=[inbound(), inbound("D2", 10, 0), outbound()], more_destinations=[PARIS], trailers=[])
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ETA = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "c.db")
    yield opened
    opened.close()


@pytest.fixture
def site(store: Store) -> LiveSite:
    """A site with inbound doors D1 and D2 and destinations LYON and PARIS."""
    return LiveSite(SITE, store, ManualClock(START))


def test_a_negative_count_is_refused_naming_its_destination(site: LiveSite) -> None:
    with pytest.raises(InboundRefusedError) as caught:
        site.announce_truck("IN-1", eta=ETA, pallets=5, destinations={"LYON": 6, "PARIS": -1}, by="wms")
    assert (caught.value.status, caught.value.field, caught.value.detail) == (
        422, "destinations.PARIS", "destinations.PARIS must be 0 or more, got -1")
    assert site.inbound_trucks() == []


def test_an_empty_notice_is_kept_apart_from_none(site: LiveSite) -> None:
    site.announce_truck("IN-1", eta=ETA, pallets=5, destinations={}, by="wms")
    site.announce_truck("IN-2", eta=ETA, pallets=5, by="wms")
    assert [(t.id, t.destinations) for t in site.inbound_trucks()] == [("IN-1", {}), ("IN-2", None)]


def test_suggest_keeps_to_waiting_trucks_it_names_and_stores_changes_once(site: LiveSite, store: Store) -> None:
    told: list[str] = []
    site.on_trucks_changed(lambda: told.append("change"))
    site.announce_truck("IN-1", eta=ETA, pallets=5, door="D1", by="yard")
    site.announce_truck("IN-2", eta=ETA, pallets=5, by="wms")
    site.announce_truck("IN-3", eta=ETA, pallets=5, by="wms")
    site.truck_arrived("IN-2", "D1", by="yard")
    changed = site.suggest_truck_doors({"IN-1": "D2", "IN-2": "D2"}, version=4)
    assert [(t.id, t.door, t.suggested_door) for t in changed] == [("IN-1", "D1", "D2")]
    assert [(t.id, t.door, t.suggested_door) for t in site.inbound_trucks()] == [
        ("IN-1", "D1", "D2"), ("IN-2", "D1", None), ("IN-3", None, None),
    ]
    assert site.suggest_truck_doors({"IN-1": "D2"}, version=5) == []
    [event] = [e for e in store.events() if e.kind == "inbound_doors_suggested"]
    assert event.body == {"version": 4, "doors": {"IN-1": "D2"}}
    assert len(told) == 5  # four announcements and arrivals, one suggestion
    assert site.truck_arrived("IN-1", "D1", by="yard").suggested_door is None

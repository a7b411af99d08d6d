"""Inbound trucks without the API: the advance shipping notice checked, doors suggested by a plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xdock.central.site.inbound import InboundRefusedError, InboundTrucks
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ETA = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


@pytest.fixture
def trucks(tmp_path: Path) -> Iterator[InboundTrucks]:
    store = Store(tmp_path / "c.db")
    yield InboundTrucks(store, ManualClock(START), ["D1", "D2"], destinations=["LYON", "PARIS"])
    store.close()


def test_a_negative_count_is_refused_naming_its_destination(trucks: InboundTrucks) -> None:
    with pytest.raises(InboundRefusedError) as caught:
        trucks.announce("IN-1", eta=ETA, pallets=5, destinations={"LYON": 6, "PARIS": -1}, by="wms")
    assert (caught.value.status, caught.value.field, caught.value.detail) == (
        422, "destinations.PARIS", "destinations.PARIS must be 0 or more, got -1")
    assert trucks.all() == []


def test_an_empty_notice_is_kept_apart_from_none(trucks: InboundTrucks) -> None:
    trucks.announce("IN-1", eta=ETA, pallets=5, destinations={}, by="wms")
    trucks.announce("IN-2", eta=ETA, pallets=5, by="wms")
    assert [(t.id, t.destinations) for t in trucks.all()] == [("IN-1", {}), ("IN-2", None)]


def test_suggest_keeps_to_waiting_trucks_it_names_and_stores_changes_once(trucks: InboundTrucks) -> None:
    told: list[str] = []
    trucks.on_change(lambda: told.append("change"))
    trucks.announce("IN-1", eta=ETA, pallets=5, door="D1", by="yard")
    trucks.announce("IN-2", eta=ETA, pallets=5, by="wms")
    trucks.announce("IN-3", eta=ETA, pallets=5, by="wms")
    trucks.arrive("IN-2", "D1", by="yard")
    changed = trucks.suggest({"IN-1": "D2", "IN-2": "D2"}, version=4)
    assert [(t.id, t.door, t.suggested_door) for t in changed] == [("IN-1", "D1", "D2")]
    assert [(t.id, t.door, t.suggested_door) for t in trucks.all()] == [
        ("IN-1", "D1", "D2"), ("IN-2", "D1", None), ("IN-3", None, None),
    ]
    assert trucks.suggest({"IN-1": "D2"}, version=5) == []
    [event] = [e for e in trucks.store.events() if e.kind == "inbound_doors_suggested"]
    assert event.body == {"version": 4, "doors": {"IN-1": "D2"}}
    assert len(told) == 5  # four announcements and arrivals, one suggestion
    assert trucks.arrive("IN-1", "D1", by="yard").suggested_door is None

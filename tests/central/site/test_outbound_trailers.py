"""Outbound trailers announced at run time, and staged pallets re-matched at once when room is freed.

The site (Paris time): inbound door D1, outbound doors D12, D14, D15, staging S1; destinations LYON
and PARIS; the site file's one trailer is T-LYON-1 at D12 for 1 pallet, leaving 16:40. Scans are at
08:00 Paris (07:00 UTC) on 2026-11-23, the site's day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from support.scans import AT
from support.scans import scan as scan_event
from support.sites import PARIS, outbound, site_config, staging, trailer
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.site.live_site import LiveSite
from xdock.central.site.outbound import TrailerRefusedError
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import Assignment

PARIS_TZ = ZoneInfo("Europe/Paris")
SITE = site_config(
    more_doors=[outbound("D14", 30, 30), outbound("D15", 40, 30)], areas=[staging(y=5)],
    more_destinations=[PARIS], trailers=[trailer(capacity=1)],
)
EVENING = datetime(2026, 11, 23, 18, 0, tzinfo=PARIS_TZ)
"""When the trailers announced here leave, unless a test says otherwise."""


@dataclass
class Rig:
    path: Path
    clock: ManualClock
    store: Store
    site: LiveSite
    plan_changes: list[None] = field(default_factory=list)

    def scan(self, seq: int, postal: str) -> Assignment:
        return self.site.apply_scan(scan_event(seq, postal=postal, at=self.clock.now())).reply

    def announce(self, trailer_id: str, door: str, destination: str = "PARIS", **more: Any) -> None:
        more.setdefault("departure", EVENING)
        more.setdefault("capacity_pallets", 10)
        self.site.announce_trailer(trailer_id, destination=destination, door=door, by="yard", **more)

    def placed(self, seq: int) -> tuple[str, str | None, str | None]:
        """A pallet's stored state, trailer and door (what a restart would read)."""
        row = next(r for r in self.store.pallets() if r.sscc == scan_event(seq).sscc)
        return row.state, row.trailer, row.door

    def kinds(self) -> list[str]:
        return [e.kind for e in self.store.events(after=0, limit=1000) if e.kind != "scan"]

    def restarted(self) -> Rig:
        """Central again over the same store file, at the clock's time."""
        self.store.close()
        store = Store(self.path)
        return Rig(self.path, self.clock, store, LiveSite(SITE, store, self.clock))


def _rig(path: Path, at: datetime = AT) -> Rig:
    clock = ManualClock(at)
    store = Store(path)
    rig = Rig(path, clock, store, LiveSite(SITE, store, clock))
    rig.site.on_plan_changed(lambda: rig.plan_changes.append(None))
    return rig


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = _rig(tmp_path / "c.db")
    yield made
    made.store.close()


def _sscc(seq: int) -> str:
    return scan_event(seq).sscc


def test_an_announced_trailer_is_everywhere_and_takes_scans_for_its_destination(rig: Rig) -> None:
    publisher = RoutesPublisher(rig.site, rig.store, rig.clock, edges={"e1": "D1"})
    before = publisher.update(rig.clock.now())
    assert [r.trailer for r in before[0].routes] == ["T-LYON-1"]
    trailer = rig.site.announce_trailer("T-PARIS-1", destination="PARIS", door="D14", departure=EVENING,
                                        capacity_pallets=10, by="yard")
    assert (trailer.plan.id, trailer.plan.door, trailer.plan.departure, trailer.departure) == (
        "T-PARIS-1", "D14", time(18, 0), EVENING)
    assert (trailer.announced_at, trailer.announced_by, trailer.departed) == (AT, "yard", False)
    assert rig.site.state.trailers["T-PARIS-1"] is trailer
    planned = rig.site.floor().trailers["T-PARIS-1"]
    assert (planned.door, planned.destination, planned.capacity_pallets, planned.departure, planned.docked) == (
        "D14", "PARIS", 10, EVENING, True)
    assert len(rig.plan_changes) == 1  # the routing tables and the dashboard are told, once
    assert publisher.due(rig.clock.now())
    [after] = publisher.update(rig.clock.now())
    assert [(r.trailer, r.door, r.destination) for r in after.routes] == [
        ("T-LYON-1", "D12", "LYON"), ("T-PARIS-1", "D14", "PARIS")]
    [event] = [e for e in rig.store.events(after=0, limit=100) if e.kind == "trailer_announced"]
    assert (event.at, event.body) == (AT, {
        "by": "yard", "trailer": "T-PARIS-1", "destination": "PARIS", "door": "D14",
        "departure": "2026-11-23T18:00:00+01:00", "capacity_pallets": 10, "capacity_kg": 24000.0, "reefer": False,
        "accepts_hazmat": True,
    })

    reply = rig.scan(1, "75001")
    assert (reply.outcome, reply.trailer, reply.door, reply.departure) == ("assigned", "T-PARIS-1", "D14", EVENING)
    assert rig.site.state.trailers["T-PARIS-1"].pallets == {_sscc(1)}
    assert rig.placed(1) == ("assigned", "T-PARIS-1", "D14")


def _refusal(**changes: Any) -> dict[str, Any]:
    call: dict[str, Any] = {"trailer_id": "T-PARIS-1", "destination": "PARIS", "door": "D14",
                            "departure": EVENING, "capacity_pallets": 10}
    return call | changes


@pytest.mark.parametrize(("call", "status", "field_name", "detail"), [
    (_refusal(trailer_id="T/1"), 422, "id", "Invalid trailer id 'T/1': expected 1-64 characters of A-Z a-z 0-9 _ -"),
    (_refusal(destination="NICE"), 422, "destination",
     "destination 'NICE' is not one of the site's (destinations: LYON, PARIS)"),
    (_refusal(door="D99"), 422, "door", "door 'D99' does not exist at t (outbound: D12, D14, D15)"),
    (_refusal(door="D1"), 422, "door", "door D1 is not an outbound door (outbound: D12, D14, D15)"),
    (_refusal(departure=datetime(2026, 11, 23, 18, 0)), 422, "departure",
     "departure 2026-11-23T18:00:00 has no UTC offset"),
    (_refusal(departure=AT), 422, "departure",
     "departure 2026-11-23T07:00:00+00:00 is not after the site's clock (2026-11-23T07:00:00+00:00)"),
    (_refusal(departure=AT + timedelta(days=7, seconds=1)), 422, "departure",
     "departure 2026-11-30T07:00:01+00:00 is more than 7 days after the site's clock (2026-11-23T07:00:00+00:00)"),
    (_refusal(capacity_pallets=0), 422, "capacity_pallets", "capacity_pallets must be 1 to 100, got 0"),
    (_refusal(capacity_pallets=101), 422, "capacity_pallets", "capacity_pallets must be 1 to 100, got 101"),
    (_refusal(capacity_kg=0.0), 422, "capacity_kg", "capacity_kg must be above 0 and at most 60000, got 0.0"),
    (_refusal(capacity_kg=float("nan")), 422, "capacity_kg", "capacity_kg must be above 0 and at most 60000, got nan"),
    (_refusal(trailer_id="T-LYON-1"), 409, "id", "trailer T-LYON-1 exists already at t"),
    (_refusal(door="D12"), 409, "door", "door D12 is taken by trailer T-LYON-1"),
])
def test_an_announcement_is_refused_naming_the_field(
    rig: Rig, call: dict[str, Any], status: int, field_name: str, detail: str,
) -> None:
    trailer_id = call.pop("trailer_id")
    with pytest.raises(TrailerRefusedError) as refused:
        rig.site.announce_trailer(trailer_id, by="yard", **call)
    assert (refused.value.status, refused.value.field, refused.value.detail) == (status, field_name, detail)
    assert sorted(rig.site.state.trailers) == ["T-LYON-1"]
    assert sorted(rig.site.floor().trailers) == ["T-LYON-1"]
    assert (rig.store.outbound_trailers(), rig.kinds(), rig.plan_changes) == ([], [], [])


def test_a_door_a_departed_trailer_left_takes_a_new_one_and_ids_stay_unique(rig: Rig) -> None:
    rig.announce("T-PARIS-1", "D14")
    with pytest.raises(TrailerRefusedError) as twice:
        rig.announce("T-PARIS-1", "D15")
    assert (twice.value.status, twice.value.field, twice.value.detail) == (
        409, "id", "trailer T-PARIS-1 exists already at t")
    rig.site.depart_trailer("T-PARIS-1", by="yard")
    rig.announce("T-PARIS-2", "D14")
    assert rig.site.state.trailers_at("D14") == ["T-PARIS-2"]


def test_a_staged_pallet_goes_at_once_to_a_trailer_announced_for_its_destination(rig: Rig) -> None:
    assert rig.scan(1, "75001").area == "S1"  # no trailer for PARIS yet
    rig.announce("T-PARIS-1", "D14")
    assert rig.placed(1) == ("assigned", "T-PARIS-1", "D14")
    assert rig.site.state.pallets[_sscc(1)].target == "T-PARIS-1"
    assert rig.site.plan().moves[_sscc(1)].target == "T-PARIS-1"
    assert rig.kinds() == ["trailer_announced", "rematched"]
    assert len(rig.plan_changes) == 1


def test_a_door_opened_again_takes_its_staged_pallets_back_at_once(rig: Rig) -> None:
    assert rig.scan(1, "69001").trailer == "T-LYON-1"
    closed = rig.site.set_door("D12", open_=False, by="sue")
    assert (closed.changed, closed.rematched) == ({_sscc(1): "S1"}, {})  # closing frees nothing
    assert rig.placed(1) == ("staged", None, None)
    opened = rig.site.set_door("D12", open_=True, by="sue")
    assert (opened.changed, opened.rematched) == ({}, {_sscc(1): "T-LYON-1"})
    assert rig.placed(1) == ("assigned", "T-LYON-1", "D12")
    assert rig.kinds() == ["override_door_closed", "override_door_opened", "rematched"]
    assert len(rig.plan_changes) == 2  # once per override


def test_a_trailer_moved_to_an_open_door_takes_its_staged_pallets_at_once(rig: Rig) -> None:
    rig.announce("T-PARIS-1", "D14")
    assert rig.scan(1, "75001").trailer == "T-PARIS-1"
    rig.site.set_door("D14", open_=False, by="sue")
    assert rig.placed(1) == ("staged", None, None)
    moved = rig.site.move_trailer("T-PARIS-1", "D15", by="sue")
    assert (moved.changed, moved.rematched) == ({}, {_sscc(1): "T-PARIS-1"})
    assert rig.placed(1) == ("assigned", "T-PARIS-1", "D15")
    assert rig.site.state.trailers["T-PARIS-1"].plan.door == "D15"


def test_a_departed_trailers_pallets_go_to_the_next_trailer_at_once(rig: Rig) -> None:
    assert rig.scan(1, "69001").trailer == "T-LYON-1"
    assert rig.scan(2, "69002").area == "S1"  # T-LYON-1 is full
    rig.announce("T-LYON-2", "D14", destination="LYON", capacity_pallets=2)
    assert rig.placed(2) == ("assigned", "T-LYON-2", "D14")
    gone = rig.site.depart_trailer("T-LYON-1", by="sue")
    assert (gone.changed, gone.rematched) == ({_sscc(1): "S1"}, {_sscc(1): "T-LYON-2"})
    assert rig.placed(1) == ("assigned", "T-LYON-2", "D14")
    # The announced trailer departs as the site file's do: its pallets have no trailer left.
    last = rig.site.depart_trailer("T-LYON-2", by="sue")
    assert (last.kind, last.changed, last.rematched) == (
        "override_trailer_departed", {_sscc(1): "S1", _sscc(2): "S1"}, {})
    assert rig.site.state.trailers["T-LYON-2"].departed
    assert rig.site.standing_overrides().departed == ("T-LYON-1", "T-LYON-2")
    assert rig.site.floor().trailers["T-LYON-2"].departed


def test_a_restart_restores_the_announced_trailers_their_doors_departures_and_pallets(rig: Rig) -> None:
    rig.announce("T-PARIS-1", "D14", capacity_pallets=5, reefer=True, accepts_hazmat=False, capacity_kg=9000.0)
    assert rig.scan(1, "75001").trailer == "T-PARIS-1"
    rig.site.move_trailer("T-PARIS-1", "D15", by="sue")
    rig.announce("T-LYON-2", "D14", destination="LYON")
    rig.site.depart_trailer("T-LYON-2", by="sue")
    rig.clock.advance(3600)

    again = rig.restarted()
    paris = again.site.state.trailers["T-PARIS-1"]
    assert (paris.plan.door, paris.plan.capacity_pallets, paris.plan.capacity_kg, paris.plan.reefer,
            paris.plan.accepts_hazmat, paris.departure, paris.announced_at, paris.announced_by) == (
        "D15", 5, 9000.0, True, False, EVENING, AT, "yard")
    assert paris.pallets == {_sscc(1)}
    assert again.site.state.trailers["T-LYON-2"].departed
    assert again.placed(1) == ("assigned", "T-PARIS-1", "D15")
    planned = again.site.floor().trailers
    assert (planned["T-PARIS-1"].door, planned["T-LYON-2"].door, planned["T-LYON-2"].departed) == ("D15", "D14", True)
    assert again.scan(2, "75002").trailer == "T-PARIS-1"
    with pytest.raises(TrailerRefusedError) as twice:
        again.announce("T-PARIS-1", "D14")
    assert twice.value.detail == "trailer T-PARIS-1 exists already at t"
    again.store.close()


def test_a_trailer_leaving_on_a_later_day_takes_pallets_until_then_across_a_restart(tmp_path: Path) -> None:
    late = datetime(2026, 11, 23, 22, 30, tzinfo=PARIS_TZ)
    rig = _rig(tmp_path / "c.db", at=late.astimezone(UTC))
    tomorrow = datetime(2026, 11, 24, 6, 0, tzinfo=PARIS_TZ)
    rig.announce("T-LYON-N", "D14", destination="LYON", departure=tomorrow)
    assert rig.site.state.day.isoformat() == "2026-11-23"
    assert rig.site.state.trailers["T-LYON-N"].plan.departure == time(6, 0)
    first = rig.scan(1, "69001")
    assert first.trailer == "T-LYON-N"  # T-LYON-1 left at 16:40
    assert first.display == "→ D14  LYON  dep Tue 06:00"  # the scanner says which day it leaves

    rig.clock.advance(3 * 3600)  # 01:30 on the 24th: a new site day
    again = rig.restarted()
    assert again.site.state.day.isoformat() == "2026-11-24"
    assert again.site.state.trailers["T-LYON-N"].departure == tomorrow
    assert again.placed(1) == ("assigned", "T-LYON-N", "D14")
    # The site file's T-LYON-1 is the new day's trailer (leaving 16:40 on the 24th), nearer to D1.
    assert again.scan(2, "69002").trailer == "T-LYON-1"
    reply = again.scan(3, "69003")  # T-LYON-1 is full
    assert (reply.trailer, reply.departure) == ("T-LYON-N", tomorrow)
    assert reply.display == "→ D14  LYON  dep 06:00"  # it is the 24th now
    again.clock.advance(4 * 3600 + 20 * 60)  # 05:50: within the 15 min handling time of its departure
    assert again.scan(4, "69004").area == "S1"
    again.store.close()

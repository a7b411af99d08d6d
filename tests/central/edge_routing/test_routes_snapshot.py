"""The routing snapshot central pushes to an edge: its content for a small site, and when its version grows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support.scans import scan as scan_event
from support.sites import LYON_GLN, NICE, destination, inbound, outbound, site_config, staging, trailer
from xdock.central.edge_routing.publisher import RoutesPublisher
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.protocol.clock import ManualClock
from xdock.protocol.messages import RouteSnapshot, ScanEvent, decode, encode

SITE = site_config(
    handling_minutes=15,
    doors=[
        inbound(), inbound("D2", 60, 0),
        outbound("D11", 0, 30), outbound("D12", 20, 30), outbound("D13", 60, 30), outbound("D14", 40, 30),
    ],
    areas=[staging(), staging("S2", 55, 15), staging("C1", 50, 15, temp="chilled")],
    destinations=[destination(glns=[LYON_GLN]), NICE],
    trailers=[
        trailer(door="D11", capacity=2),
        trailer("T-LYON-2", "D13", capacity=10, departure="17:00", hazmat=False),
        trailer("T-LYON-R", "D14", capacity=10, departure="18:00", reefer=True),
        trailer("T-NICE-1", "D12", "NICE", capacity=5, departure="08:20"),
    ],
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Paris: T-NICE-1 leaves in 20 min


def scan(seq: int, n: int, postal: str = "69001", door: str = "D1", edge: str = "e1") -> ScanEvent:
    return scan_event(seq, n=n, postal=postal, door=door, edge=edge, at=START)


def make(path: Path, clock: ManualClock, **options: object) -> tuple[LiveSite, RoutesPublisher]:
    store = Store(path / "c.db")
    site = LiveSite(SITE, store, clock)
    return site, RoutesPublisher(site, store, clock, **options)  # type: ignore[arg-type]


def routes(snapshot: RouteSnapshot | None) -> list[tuple[str, str, int]]:
    assert snapshot is not None
    return [(r.trailer, r.door, r.free_positions) for r in snapshot.routes]


def test_snapshot_lists_shared_trailers_by_destination_nearest_first_and_staging(tmp_path: Path) -> None:
    clock = ManualClock(START)
    _, publisher = make(tmp_path, clock, edges={"e1": "D1", "e2": "D2"})
    [one, two] = publisher.update(clock.now())
    assert (one.edge_id, one.plan_version, one.made_at) == ("e1", 1, START)
    # Travel from the door plus the balance term picks the two best LYON trailers per door (T-LYON-2 is
    # far from D1, T-LYON-1 far from D2). T-NICE-1 (08:20) is offered until 08:05. Listed by destination
    # in the site's order, nearest first.
    # Central keeps a quarter of each trailer's free positions and splits the rest evenly among the
    # edges listing it: T-NICE-1's 4 (5 free) and T-LYON-R's 8 (10 free) between both edges, so the two
    # deciding alone never overfill them; T-LYON-1 (2 free) keeps no reserve, as 2 // 4 is 0.
    assert routes(one) == [("T-LYON-1", "D11", 2), ("T-LYON-R", "D14", 4), ("T-NICE-1", "D12", 2)]
    assert routes(two) == [("T-LYON-2", "D13", 8), ("T-LYON-R", "D14", 4), ("T-NICE-1", "D12", 2)]
    assert (one.staging, one.chilled_staging) == ("S1", "C1")
    assert (two.staging, two.chilled_staging) == ("S2", "C1")
    reefer = next(r for r in one.routes if r.trailer == "T-LYON-R")
    assert (reefer.destination, reefer.reefer, reefer.accepts_hazmat) == ("LYON", True, True)
    assert reefer.departure == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert [(d.id, d.postal_codes, d.glns) for d in one.destinations] == [
        ("LYON", ["69*"], ["3761303211001"]), ("NICE", ["06*"], []),
    ]
    assert decode(RouteSnapshot, encode(one)) == one


def test_per_destination_keeps_the_best_plus_a_reefer_and_a_hazmat_trailer(tmp_path: Path) -> None:
    clock = ManualClock(START)
    _, publisher = make(tmp_path, clock, edges={"e1": "D1", "e2": "D2"}, per_destination=1)
    [one, two] = publisher.update(clock.now())
    # D1's best, T-LYON-1, takes dangerous goods but is no reefer: the best reefer joins it.
    assert routes(one) == [("T-LYON-1", "D11", 2), ("T-LYON-R", "D14", 4), ("T-NICE-1", "D12", 2)]
    # D2's best, T-LYON-2, is neither: the reefer joins, and it takes dangerous goods too.
    assert routes(two) == [("T-LYON-2", "D13", 8), ("T-LYON-R", "D14", 4), ("T-NICE-1", "D12", 2)]
    (tmp_path / "all").mkdir()
    _, every = make(tmp_path / "all", clock, edges={"e1": "D1"}, per_destination=3)
    [full] = every.update(clock.now())
    assert [r.trailer for r in full.routes] == ["T-LYON-1", "T-LYON-R", "T-LYON-2", "T-NICE-1"]


def test_scans_fill_trailers_and_a_full_one_leaves_the_table(tmp_path: Path) -> None:
    clock = ManualClock(START)
    site, publisher = make(tmp_path, clock, edges={"e1": "D1"})
    publisher.update(clock.now())
    assert not publisher.due(clock.now())
    site.apply_scan(scan(1, 1))
    assert publisher.due(clock.now())
    [snapshot] = publisher.update(clock.now())
    assert (snapshot.plan_version, routes(snapshot)[0]) == (2, ("T-LYON-1", "D11", 1))
    site.apply_scan(scan(2, 2))
    [snapshot] = publisher.update(clock.now())
    assert snapshot.plan_version == 3
    assert [r.trailer for r in snapshot.routes] == ["T-LYON-R", "T-NICE-1"]


def test_version_grows_only_when_content_changes_and_survives_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(START)
    site, publisher = make(tmp_path, clock, edges={"e1": "D1"})
    publisher.update(clock.now())
    publisher.touch()
    unchanged = publisher.update(clock.now())
    assert unchanged == [publisher.snapshot("e1")]  # the same snapshot, still not on the broker
    assert unchanged[0].plan_version == 1
    assert (publisher.version, publisher.stats.looks, publisher.stats.versions) == (1, 2, 1)
    site.apply_scan(scan(1, 1, "06000"))  # T-NICE-1: 4 free, still room for e1's share of 4
    assert publisher.update(clock.now()) == [publisher.snapshot("e1")]
    assert publisher.version == 1
    site.apply_scan(scan(2, 2, "06000"))  # 3 free: the share is cut to 3
    [cut] = publisher.update(clock.now())
    assert (publisher.version, routes(cut)[2]) == (2, ("T-NICE-1", "D12", 3))
    publisher.store.close()
    _, again = make(tmp_path, clock, edges={"e1": "D1"})
    assert again.version == 2
    [fresh] = again.update(clock.now())
    assert fresh.plan_version == 3


def test_a_trailer_that_stops_taking_pallets_makes_a_new_version_at_its_time(tmp_path: Path) -> None:
    clock = ManualClock(START)
    _, publisher = make(tmp_path, clock, edges={"e1": "D1"}, refresh=3600)
    publisher.update(clock.now())
    clock.advance(5 * 60)  # 08:05: T-NICE-1 (08:20) is still offered
    assert not publisher.due(clock.now())
    clock.advance(1)  # 08:05:01: it leaves within the handling time
    assert publisher.due(clock.now())
    [snapshot] = publisher.update(clock.now())
    assert snapshot.plan_version == 2
    assert "T-NICE-1" not in [r.trailer for r in snapshot.routes]


def test_edges_are_learnt_from_scans_and_from_statuses(tmp_path: Path) -> None:
    clock = ManualClock(START)
    heard = [("e9", "D2"), ("e8", None)]
    site, publisher = make(tmp_path, clock, edges_from=lambda: heard)
    site.apply_scan(scan(1, 1, door="D1", edge="e1"))
    assert publisher.due(clock.now())
    assert publisher.edges == {"e1": "D1", "e9": "D2"}
    assert [s.edge_id for s in publisher.update(clock.now())] == ["e1", "e9"]


def test_an_edge_at_an_unknown_door_gets_destinations_but_no_routes(tmp_path: Path) -> None:
    clock = ManualClock(START)
    _, publisher = make(tmp_path, clock, edges={"e1": "D99"})
    [snapshot] = publisher.update(clock.now())
    assert (snapshot.routes, snapshot.staging, len(snapshot.destinations)) == ([], None, 2)


def test_when_every_trailer_has_left_only_staging_remains(tmp_path: Path) -> None:
    clock = ManualClock(START.replace(hour=19))  # 20:00 in Paris
    _, publisher = make(tmp_path, clock, edges={"e1": "D1"})
    [snapshot] = publisher.update(clock.now())
    assert (snapshot.routes, snapshot.staging, snapshot.chilled_staging) == ([], "S1", "C1")

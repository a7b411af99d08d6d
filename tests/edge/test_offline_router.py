"""Offline answers from the routing snapshot: exact door, trailer, area and display."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from xdock.edge.offline_router import NO_ROUTE_TEXT, OfflineAnswer, OfflineRouter, correction_text, differs
from xdock.edge.route_file import load_snapshot, save_snapshot
from xdock.protocol.messages import (
    Assignment,
    DestinationMatch,
    OfflineDecision,
    Route,
    RouteSnapshot,
    ShipToModel,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LYON = ShipToModel(kind="postal", value="69003")
PARIS = ShipToModel(kind="postal", value="75011")


def snapshot(*routes: Route, made_at: datetime = NOW, version: int = 7) -> RouteSnapshot:
    return RouteSnapshot(
        edge_id="e1", plan_version=version, made_at=made_at, chilled_max_c=8.0,
        destinations=[
            DestinationMatch(id="LYON", postal_codes=["69*"]),
            DestinationMatch(id="PARIS", postal_codes=["75*"], glns=["3761303211001"]),
        ],
        routes=list(routes), staging="S1", chilled_staging="S2",
    )


def route(trailer: str, door: str, dest: str = "LYON", free: int = 5, **options: object) -> Route:
    return Route(destination=dest, trailer=trailer, door=door, free_positions=free,
                 departure=NOW + timedelta(hours=8), **options)  # type: ignore[arg-type]


def router(*routes: Route) -> OfflineRouter:
    r = OfflineRouter()
    assert r.load(snapshot(*routes))
    return r


def decide(
    r: OfflineRouter, ship_to: ShipToModel | None = LYON, temp: float | None = None, dg: bool = False
) -> OfflineAnswer:
    return r.decide(ship_to=ship_to, max_temp_c=temp, dangerous_goods=dg, now=NOW)


def test_first_fitting_route_for_the_destination() -> None:
    r = router(route("T-PARIS-2", "D7", "PARIS"), route("T-LYON-1", "D12"), route("T-LYON-2", "D14"))
    answer = decide(r)
    assert answer.display == "D12 T-LYON-1 (offline)"
    assert answer.decision == OfflineDecision(
        plan_version=7, outcome="assigned", door="D12", trailer="T-LYON-1", decided_at=NOW
    )
    assert r.free_positions("T-LYON-1") == 4


def test_gln_ship_to_matches_too() -> None:
    r = router(route("T-PARIS-2", "D7", "PARIS"))
    assert decide(r, ShipToModel(kind="gln", value="3761303211001")).display == "D7 T-PARIS-2 (offline)"


def test_a_full_trailer_is_skipped_after_the_edge_filled_it() -> None:
    r = router(route("T-LYON-1", "D12", free=1), route("T-LYON-2", "D14"))
    assert [decide(r).display for _ in range(2)] == ["D12 T-LYON-1 (offline)", "D14 T-LYON-2 (offline)"]


def test_chilled_pallet_needs_a_reefer_else_chilled_staging() -> None:
    r = router(route("T-LYON-1", "D12"), route("T-LYON-R", "D15", reefer=True, free=1))
    assert decide(r, temp=4.0).display == "D15 T-LYON-R (offline)"
    chilled = decide(r, temp=8.0)  # 8 °C is still chilled, as at central; the reefer is now full
    assert chilled.display == "S2 STAGING (offline)"
    assert chilled.decision == OfflineDecision(plan_version=7, outcome="staged", area="S2", decided_at=NOW)
    assert decide(r, temp=8.5).display == "D12 T-LYON-1 (offline)"


def test_dangerous_goods_only_where_accepted() -> None:
    r = router(route("T-LYON-1", "D12"), route("T-LYON-2", "D14", accepts_hazmat=True))
    assert decide(r, dg=True).display == "D14 T-LYON-2 (offline)"
    r = router(route("T-LYON-1", "D12"))
    assert decide(r, dg=True).display == "S1 STAGING (offline)"


def test_a_trailer_that_left_is_skipped() -> None:
    gone = Route(destination="LYON", trailer="T-LYON-0", door="D11", free_positions=9, departure=NOW)
    r = router(gone, route("T-LYON-1", "D12"))
    assert decide(r).display == "D12 T-LYON-1 (offline)"


def test_no_snapshot_or_no_destination_gives_no_instruction() -> None:
    empty = OfflineRouter()
    assert decide(empty).decision is None
    assert decide(empty).display == NO_ROUTE_TEXT == "recorded - no route offline"
    r = router(route("T-LYON-1", "D12"))
    assert decide(r, ShipToModel(kind="postal", value="06000")).decision is None
    assert decide(r, None).display == NO_ROUTE_TEXT


def test_an_older_or_the_same_snapshot_does_not_replace_the_counts() -> None:
    r = router(route("T-LYON-1", "D12", free=2))
    decide(r)
    assert not r.load(snapshot(route("T-LYON-1", "D12", free=2)))  # the retained copy again
    assert not r.load(snapshot(route("T-LYON-1", "D12", free=9), made_at=NOW - timedelta(minutes=1)))
    assert r.free_positions("T-LYON-1") == 1
    assert r.load(snapshot(route("T-LYON-1", "D12", free=9), made_at=NOW + timedelta(minutes=1), version=8))
    assert r.free_positions("T-LYON-1") == 9


def answer(**fields: object) -> Assignment:
    base: dict[str, object] = {
        "edge_id": "e1", "seq": 1, "device_id": "s1", "sscc": "376130321109103420", "outcome": "assigned",
        "door": "D7", "trailer": "T-PARIS-2", "reason": "r", "display": "→ D7  PARIS", "decided_at": NOW,
    }
    base.update(fields)
    return Assignment(**base)  # type: ignore[arg-type]


def test_correction_text_and_difference() -> None:
    told = OfflineDecision(plan_version=7, outcome="assigned", door="D12", trailer="T-LYON-1", decided_at=NOW)
    assert correction_text(answer()) == "CHANGE: D7 T-PARIS-2"
    assert correction_text(answer(outcome="staged", door=None, trailer=None, area="S1")) == "CHANGE: S1 STAGED"
    assert correction_text(answer(outcome="rejected", door=None, trailer=None, display="no trailer")) == (
        "CHANGE: no trailer"
    )
    assert differs(told, answer())
    assert not differs(told, answer(door="D12", trailer="T-LYON-1"))


def test_snapshot_file_round_trip_and_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "routes.json"
    assert load_snapshot(path) is None
    snap = snapshot(route("T-LYON-1", "D12"))
    save_snapshot(path, snap)
    assert load_snapshot(path) == snap
    path.write_text('{"v": 1, "kind": "routes"')
    assert load_snapshot(path) is None


def test_a_snapshot_file_kept_before_defaults_were_left_off_the_wire_still_answers(tmp_path: Path) -> None:
    path = tmp_path / "routes.json"
    path.write_bytes(
        b'{"v":1,"kind":"routes","edge_id":"e1","plan_version":7,"made_at":"2026-11-23T08:00:00Z",'
        b'"chilled_max_c":8.0,"destinations":[{"id":"LYON","postal_codes":["69*"],"glns":[]}],'
        b'"routes":[{"destination":"LYON","trailer":"T-LYON-1","door":"D12","departure":null,"reefer":false,'
        b'"accepts_hazmat":false,"free_positions":1}],"staging":"S1","chilled_staging":null}'
    )
    stored = load_snapshot(path)
    assert stored is not None
    save_snapshot(path, stored)
    assert b"reefer" not in path.read_bytes()
    assert load_snapshot(path) == stored
    offline = OfflineRouter()
    assert offline.load(stored)
    first = offline.decide(ship_to=LYON, max_temp_c=None, dangerous_goods=False, now=NOW)
    second = offline.decide(ship_to=LYON, max_temp_c=None, dangerous_goods=False, now=NOW)
    assert (first.display, second.display) == ("D12 T-LYON-1 (offline)", "S1 STAGING (offline)")

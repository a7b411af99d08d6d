"""The edge's offline decisions held until central has applied them: a newer snapshot never hands them out again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xdock.edge.offline_router import HeldDecision, OfflineRouter
from xdock.protocol.messages import DestinationMatch, Route, RouteSnapshot, ShipToModel

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LEAVES = NOW + timedelta(hours=8)
LYON = ShipToModel(kind="postal", value="69003")


def snapshot(share: int, *, minutes: int, applied: list[int] | None) -> RouteSnapshot:
    return RouteSnapshot(
        edge_id="e1", plan_version=minutes, made_at=NOW + timedelta(minutes=minutes), chilled_max_c=8.0,
        destinations=[DestinationMatch(id="LYON", postal_codes=["69*"])],
        routes=[Route(destination="LYON", trailer="T1", door="D12", departure=LEAVES, free_positions=share)],
        staging="S1", applied_offline=applied,
    )


def send(router: OfflineRouter, seq: int) -> str:
    """Where the edge sends one Lyon pallet alone: the trailer, else the staging area."""
    answer = router.decide(ship_to=LYON, max_temp_c=None, dangerous_goods=False, now=NOW, seq=seq)
    assert answer.decision is not None
    return answer.decision.trailer or f"staged {answer.decision.area}"


def test_a_newer_snapshot_made_before_central_applied_them_still_counts_the_edges_decisions() -> None:
    router = OfflineRouter()
    assert router.load(snapshot(3, minutes=0, applied=[]))
    assert [send(router, seq) for seq in (1, 2, 3, 4)] == ["T1", "T1", "T1", "staged S1"]
    assert router.held() == [HeldDecision(seq, "T1", LEAVES) for seq in (1, 2, 3)]

    # The edge reconnects: central made a newer snapshot, but the three scans are still in the outbox.
    assert router.load(snapshot(3, minutes=5, applied=[]))
    assert router.free_positions("T1") == 0
    assert send(router, 5) == "staged S1"
    assert router.take_released() == []

    # Central applied two of them (out of order: 3 before 1); its share for the edge is down by two.
    assert router.load(snapshot(1, minutes=6, applied=[2, 3]))
    assert router.take_released() == [2, 3]
    assert router.free_positions("T1") == 0  # 1 left of the share, held by scan 1
    assert router.load(snapshot(1, minutes=7, applied=[1, 2, 3]))
    assert router.take_released() == [1]
    assert router.held() == []
    assert router.free_positions("T1") == 1
    assert [send(router, seq) for seq in (6, 7)] == ["T1", "staged S1"]


def test_a_snapshot_of_an_older_central_is_counted_down_from_scratch_as_before() -> None:
    router = OfflineRouter()
    assert router.load(snapshot(2, minutes=0, applied=None))
    assert [send(router, seq) for seq in (1, 2, 3)] == ["T1", "T1", "staged S1"]
    assert router.load(snapshot(2, minutes=5, applied=None))
    assert router.free_positions("T1") == 2
    assert [h.seq for h in router.held()] == [1, 2]  # still held: a newer central's snapshot counts them


def test_held_decisions_given_at_start_count_against_the_first_snapshot() -> None:
    router = OfflineRouter(held=[HeldDecision(4, "T1", LEAVES), HeldDecision(9, "T-GONE", None)])
    assert router.load(snapshot(3, minutes=0, applied=[]))
    assert router.free_positions("T1") == 2
    assert [send(router, seq) for seq in (10, 11, 12)] == ["T1", "T1", "staged S1"]


def test_a_decision_is_forgotten_once_its_trailer_has_left() -> None:
    router = OfflineRouter(held=[HeldDecision(4, "T1", LEAVES)])
    assert router.load(snapshot(1, minutes=0, applied=[]))
    assert router.free_positions("T1") == 0
    assert router.load(snapshot(1, minutes=8 * 60, applied=[]))
    assert (router.take_released(), router.held()) == ([4], [])


def test_a_decision_not_carried_by_its_scan_is_counted_for_this_snapshot_only() -> None:
    router = OfflineRouter()
    assert router.load(snapshot(1, minutes=0, applied=[]))
    answer = router.decide(ship_to=LYON, max_temp_c=None, dangerous_goods=False, now=NOW)
    assert answer.display == "D12 T1 (offline)"
    assert (router.free_positions("T1"), router.held()) == (0, [])
    assert router.load(snapshot(1, minutes=1, applied=[]))
    assert router.free_positions("T1") == 1


def test_a_scan_not_recorded_is_not_held() -> None:
    router = OfflineRouter()
    assert router.load(snapshot(2, minutes=0, applied=[]))
    assert send(router, 1) == "T1"
    router.forget(1)
    assert router.held() == []
    assert router.load(snapshot(2, minutes=1, applied=[]))
    assert router.free_positions("T1") == 2

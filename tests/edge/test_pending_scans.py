"""What the edge knows of each scan awaiting central's answer, also rebuilt from the outbox after a restart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from support.scans import scan, sscc
from xdock.edge.outbox import Unanswered
from xdock.edge.pending_scans import OfflineAnswered, PendingScans, Settled
from xdock.protocol.messages import OfflineDecision, encode

SCANS = "xdock/v1/it/edge/e1/scan"
AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
STAGED = OfflineDecision(plan_version=3, outcome="staged", area="S1", decided_at=AT)
ASSIGNED = OfflineDecision(plan_version=3, outcome="assigned", door="D12", trailer="T-1", decided_at=AT)


def row(seq: int, device: str = "s1", *, carried: OfflineDecision | None = None, shown: str | None = None,
        topic: str = SCANS) -> Unanswered:
    event = scan(seq, device=device, at=AT, sscc=sscc(seq, "0376130327"), postal=None, offline=carried)
    return Unanswered(seq, topic, encode(event), shown)


def test_the_last_scan_of_each_scanner_is_the_latest() -> None:
    pending = PendingScans()
    for seq, device in ((1, "s1"), (2, "s2"), (3, "s1")):
        pending.expect(seq, device)
    assert pending.settle(1) == Settled(None, latest=False, earlier_run=False)
    assert pending.settle(2) == Settled(None, latest=True, earlier_run=False)
    assert pending.settle(3) == Settled(None, latest=True, earlier_run=False)
    assert not pending.awaits(3)


def test_resumed_from_the_outbox_with_what_each_worker_was_told() -> None:
    pending = PendingScans.resumed(
        [row(1, carried=STAGED), row(2, shown=ASSIGNED.model_dump_json()), row(3, "s2"),
         row(4, topic="xdock/v1/it/edge/e1/passage")],
        {"s1": 5, "s2": 3}, scan_topic=SCANS,
    )
    assert (pending.awaits(1), pending.awaits(4)) == (True, False)
    assert pending.settle(1) == Settled(OfflineAnswered(STAGED, carried=True), latest=False, earlier_run=True)
    assert pending.settle(2) == Settled(OfflineAnswered(ASSIGNED, carried=False), latest=False, earlier_run=True)
    assert pending.settle(3) == Settled(None, latest=True, earlier_run=True)
    pending.expect(6, "s1")
    assert pending.settle(6) == Settled(None, latest=True, earlier_run=False)


def test_an_outbox_without_last_scans_takes_the_last_unanswered_scan_of_each_scanner() -> None:
    pending = PendingScans.resumed([row(1), row(2)], {}, scan_topic=SCANS)
    assert [pending.settle(seq).latest for seq in (1, 2)] == [False, True]


def test_a_row_that_is_no_readable_scan_awaits_no_answer(caplog: pytest.LogCaptureFixture) -> None:
    broken = Unanswered(7, SCANS, b"{not json", None)
    pending = PendingScans.resumed([broken, row(8, shown="{}")], {}, scan_topic=SCANS)
    assert (pending.awaits(7), pending.awaits(8)) == (False, False)
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [
        "outbox row 7 is no scan this edge can read", "outbox row 8 is no scan this edge can read",
    ]

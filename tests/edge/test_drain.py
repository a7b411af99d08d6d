"""The drain order: live scans first, the backlog behind them at a bounded rate, a bounded window."""

from __future__ import annotations

import pytest

from xdock.edge.drain import DrainQueue
from xdock.edge.outbox import OutboxRow


def rows(*seqs: int) -> list[OutboxRow]:
    return [OutboxRow(seq, "t", str(seq).encode()) for seq in seqs]


def take_all(queue: DrainQueue, now: float) -> list[int]:
    taken = []
    while (row := queue.take(now)) is not None:
        taken.append(row.seq)
        queue.acked(row.seq)
    return taken


def test_live_goes_before_backlog_each_in_seq_order() -> None:
    queue = DrainQueue(rate=1000, window=10, burst=100)
    queue.add_backlog(rows(3, 1, 2))
    for row in rows(10, 11):
        queue.add_live(row)
    assert take_all(queue, 0.0) == [10, 11, 1, 2, 3]


def test_a_live_scan_overtakes_a_waiting_backlog() -> None:
    queue = DrainQueue(rate=10, window=10, burst=1)
    queue.add_backlog(rows(1, 2, 3))
    assert take_all(queue, 0.0) == [1]  # one token
    queue.add_live(rows(50)[0])
    assert take_all(queue, 0.0) == [50]  # no token needed
    assert take_all(queue, 0.1) == [2]
    assert take_all(queue, 0.2) == [3]


def test_backlog_rate_is_bounded() -> None:
    queue = DrainQueue(rate=256, window=100, burst=20)
    queue.add_backlog(rows(*range(1, 10_001)))
    sent = 0
    for step in range(2560):  # 10 s in steps of 1/256 s (exact in binary)
        sent += len(take_all(queue, step / 256))
    # 20 at once, then one per step: 256/s for the 2559 steps that followed
    assert sent == 20 + 2559
    assert queue.backlog == 10_000 - sent


def test_next_due_says_when_the_next_backlog_token_comes() -> None:
    queue = DrainQueue(rate=100, window=10, burst=1)
    assert queue.next_due(0.0) is None  # nothing to send
    queue.add_backlog(rows(1, 2))
    assert queue.next_due(0.0) == 0.0
    assert take_all(queue, 0.0) == [1]
    assert queue.next_due(0.0) == pytest.approx(0.01)
    assert queue.next_due(0.005) == pytest.approx(0.005)


def test_window_bounds_what_is_in_flight() -> None:
    queue = DrainQueue(rate=1000, window=2)
    for row in rows(1, 2, 3):
        queue.add_live(row)
    assert [queue.take(0.0), queue.take(0.0), queue.take(0.0)] == [*rows(1, 2), None]
    queue.acked(1)
    assert queue.take(0.0) == rows(3)[0]
    assert queue.in_flight == 2


def test_link_lost_turns_everything_unacknowledged_into_backlog() -> None:
    queue = DrainQueue(rate=1000, window=2, burst=100)
    queue.add_backlog(rows(5))
    for row in rows(7, 8, 9):
        queue.add_live(row)
    assert [r.seq for r in (queue.take(0.0), queue.take(0.0)) if r is not None] == [7, 8]
    queue.link_lost()
    assert (queue.live, queue.backlog, queue.in_flight) == (0, 4, 0)
    queue.add_live(rows(20)[0])
    assert take_all(queue, 0.0) == [20, 5, 7, 8, 9]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 0, "window": 1}, "drain rate must be positive, got 0"),
        ({"rate": 1, "window": 0}, "window must be at least 1, got 0"),
        ({"rate": 1, "window": 1, "burst": 0.5}, "burst must be at least 1, got 0.5"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError) as err:  # noqa: PT011 - exact message below
        DrainQueue(**kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_a_refused_row_is_held_back_twice_as_long_after_each_refusal_up_to_the_cap() -> None:
    queue = DrainQueue(rate=1000, window=10, burst=100, retry_s=1.0, retry_max_s=3.0)
    queue.add_live(rows(1)[0])
    delays = []
    now = 0.0
    for _ in range(4):
        row = queue.take(now)
        assert row is not None
        assert row.seq == 1
        delays.append(queue.refused(1, now))
        assert (queue.held, queue.in_flight, queue.next_due(now)) == (1, 0, delays[-1])
        assert queue.take(now + delays[-1] - 0.001) is None  # not before its time
        now += delays[-1]
    assert delays == [1.0, 2.0, 3.0, 3.0]
    assert take_all(queue, now) == [1]
    assert (queue.held, queue.in_flight) == (0, 0)


def test_live_rows_pass_a_held_row_and_an_accepted_row_starts_its_back_off_again() -> None:
    queue = DrainQueue(rate=1000, window=10, burst=100, retry_s=1.0, retry_max_s=60.0)
    queue.add_live(rows(1)[0])
    assert queue.take(0.0) == rows(1)[0]
    assert queue.refused(1, 0.0) == 1.0
    for row in rows(2, 3):
        queue.add_live(row)
    assert take_all(queue, 0.5) == [2, 3]
    assert take_all(queue, 1.0) == [1]  # acknowledged this time
    queue.add_live(rows(1)[0])  # (the same seq again, as after a restart)
    assert queue.take(1.0) == rows(1)[0]
    assert queue.refused(1, 1.0) == 1.0


def test_held_rows_stay_held_across_a_lost_link() -> None:
    queue = DrainQueue(rate=1000, window=10, burst=100, retry_s=5.0)
    queue.add_live(rows(1)[0])
    assert queue.take(0.0) is not None
    queue.refused(1, 0.0)
    queue.link_lost()
    assert (queue.held, queue.backlog, queue.take(1.0)) == (1, 0, None)
    assert take_all(queue, 5.0) == [1]


def test_a_full_window_waits_for_an_acknowledgement_even_with_a_row_due() -> None:
    queue = DrainQueue(rate=1000, window=1, burst=100, retry_s=1.0)
    queue.add_live(rows(1)[0])
    assert queue.take(0.0) is not None
    queue.refused(1, 0.0)
    queue.add_live(rows(2)[0])
    assert queue.take(0.0) == rows(2)[0]
    assert queue.next_due(2.0) is None  # no busy loop: the window is full until 2 is acknowledged


@pytest.mark.parametrize(("retry_s", "retry_max_s"), [(0.0, 1.0), (2.0, 1.0)])
def test_a_retry_back_off_that_cannot_work_is_refused(retry_s: float, retry_max_s: float) -> None:
    with pytest.raises(ValueError, match=r"refused-row retry must be 0 < retry_s <= retry_max_s, got "):
        DrainQueue(rate=1, window=1, retry_s=retry_s, retry_max_s=retry_max_s)

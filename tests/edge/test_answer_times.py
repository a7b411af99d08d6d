"""The edge times each scan from its record to its first answer on the display."""

from __future__ import annotations

from xdock.edge.answer_times import AnswerTimes


def test_a_scan_counts_its_first_answer_only() -> None:
    now = [10.0]
    times = AnswerTimes(timer=lambda: now[0])
    times.start(1)
    times.start(2)
    now[0] = 10.02
    times.answered(1)
    times.answered(1)  # a correction after the first answer
    times.forget(2)  # not recorded
    times.answered(2)
    times.answered(3)  # from an earlier run: never timed
    assert times.latencies.count == 1
    assert times.latencies.cumulative()[:3] == [("0.005", 0), ("0.01", 0), ("0.025", 1)]

"""The edge's count of refused publishes and the problem they make while one waits."""

from __future__ import annotations

from xdock.edge.refusals import TELL_EVERY_S, BrokerRefusals
from xdock.protocol.messages import EdgeStatus
from xdock.protocol.status_messages import MAX_COUNTERS
from xdock.transport.acked import PublishRefusedError

SCAN = "xdock/v1/s/edge/e1/scan"
PASSAGE = "xdock/v1/s/edge/e1/passage"


def test_the_latest_refusal_of_a_waiting_row_is_the_problem() -> None:
    refusals = BrokerRefusals()
    assert refusals.refused(1, PublishRefusedError(SCAN, 0x87)) == "broker refuses scan: not authorised"
    assert refusals.refused(2, PublishRefusedError(PASSAGE, 0x97)) == "broker refuses passage: quota exceeded"
    assert refusals.problem == "broker refuses passage: quota exceeded"
    refusals.accepted(2)
    assert refusals.problem == "broker refuses scan: not authorised"
    refusals.refused(1, PublishRefusedError(SCAN, 0x87))
    refusals.accepted(1)
    assert refusals.problem is None
    assert refusals.counts == {"not_authorised": 2, "quota_exceeded": 1}


def test_a_reason_code_mqtt_5_does_not_list_is_named_by_its_value() -> None:
    error = PublishRefusedError(SCAN, 0xA2)
    assert (error.name, error.text, str(error)) == (
        "reason_0xa2", "reason code 0xA2", "broker refused the publish on 'xdock/v1/s/edge/e1/scan': reason code 0xA2",
    )
    assert str(PublishRefusedError(SCAN, 0x87)) == (
        "broker refused the publish on 'xdock/v1/s/edge/e1/scan': not authorised (reason code 0x87)"
    )


def test_reasons_past_what_a_status_carries_are_counted_as_other() -> None:
    refusals = BrokerRefusals()
    for seq, code in enumerate(range(0xA0, 0xB2)):
        refusals.refused(seq, PublishRefusedError(SCAN, code))
    assert len(refusals.counts) == MAX_COUNTERS
    assert refusals.counts["other"] == 0xB2 - 0xA0 - (MAX_COUNTERS - 1)
    EdgeStatus(edge_id="e1", online=True, refused=dict(refusals.counts))  # a valid status


def test_a_refusal_on_a_topic_outside_the_tree_is_a_message_refused() -> None:
    refusals = BrokerRefusals()
    assert refusals.refused(1, PublishRefusedError("x" * 300, 0x87)) == "broker refuses message: not authorised"


def test_a_lasting_problem_is_told_once_a_minute_a_new_one_at_once() -> None:
    refusals = BrokerRefusals()
    scan, passage = "broker refuses scan: not authorised", "broker refuses passage: not authorised"
    told = [refusals.worth_telling(problem, now) for problem, now in [
        (scan, 0.0), (scan, 1.0), (scan, 59.9), (scan, 60.0), (passage, 61.0), (scan, 62.0), (scan, 63.0),
    ]]
    assert told == [True, False, False, True, True, True, False]
    assert TELL_EVERY_S == 60.0

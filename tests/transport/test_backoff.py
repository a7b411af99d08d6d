"""The reconnect loops' back-off: bounded exponential waits, and which failures are logged."""

from __future__ import annotations

import logging

import pytest
from aiomqtt.exceptions import MqttCodeError, MqttConnectError
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from xdock.transport.backoff import Backoff, BackoffPolicy, login_refusal


def test_the_waits_double_from_first_up_to_the_cap_and_start_afresh_once_connected() -> None:
    backoff = Backoff(BackoffPolicy(first=0.5, cap=2.0))
    assert [backoff.failed() for _ in range(6)] == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    assert (backoff.failures, backoff.away_s) == (6, 9.5)
    assert backoff.succeeded() == 6
    assert (backoff.failures, backoff.away_s, backoff.failed()) == (0, 0.0, 0.5)


def test_the_policy_gives_the_wait_after_any_number_of_failures_in_a_row() -> None:
    policy = BackoffPolicy(first=1.0, cap=60.0)  # the edge's refused-scan retries
    assert [policy.wait(n) for n in range(1, 9)] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert policy.wait(10_000) == 60.0
    with pytest.raises(ValueError, match=r"^Invalid failure count: expected at least 1, got 0$"):
        policy.wait(0)


def test_a_long_outage_never_overflows_the_wait() -> None:
    backoff = Backoff(BackoffPolicy(first=0.5, cap=30.0))
    assert {backoff.failed() for _ in range(2000)} >= {30.0}
    assert backoff.failed() == 30.0


def test_only_the_first_failure_and_then_attempts_2_4_8_16_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.backoff")
    backoff = Backoff(BackoffPolicy(first=0.5, cap=2.0))
    with caplog.at_level(logging.WARNING, logger="test.backoff"):
        for _ in range(20):
            delay = backoff.failed()
            backoff.log_failure(log, "broker mqtt://127.0.0.1:1", ConnectionRefusedError("refused"), delay)
    assert [r.getMessage() for r in caplog.records] == [
        "broker mqtt://127.0.0.1:1 unreachable or lost (refused); retrying in 0.5 s",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 2 failed, 0.5 s so far; "
        "retrying every 2.0 s at most",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 4 failed, 3.5 s so far; "
        "retrying every 2.0 s at most",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 8 failed, 11.5 s so far; "
        "retrying every 2.0 s at most",
        "broker mqtt://127.0.0.1:1 still unreachable (refused): attempt 16 failed, 27.5 s so far; "
        "retrying every 2.0 s at most",
    ]


@pytest.mark.parametrize(("first", "cap"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0)])
def test_a_policy_that_cannot_wait_is_refused(first: float, cap: float) -> None:
    with pytest.raises(ValueError, match="Invalid back-off: expected 0 < first <= cap") as info:
        BackoffPolicy(first=first, cap=cap)
    assert str(info.value) == f"Invalid back-off: expected 0 < first <= cap, got first={first}, cap={cap}"


def connack(code: int) -> ReasonCode:
    return ReasonCode(PacketTypes.CONNACK, identifier=code)


@pytest.mark.parametrize(("cause", "why"), [
    pytest.param(MqttConnectError(connack(0x86)), "bad user name or password", id="v5-0x86"),
    pytest.param(MqttConnectError(connack(0x87)), "not authorized", id="v5-0x87"),
    pytest.param(MqttConnectError(4), "bad user name or password", id="v3.1.1-4"),
    pytest.param(MqttConnectError(5), "not authorized", id="v3.1.1-5"),
])
def test_a_refused_log_in_is_logged_as_such_naming_the_user_and_the_password_options(
    cause: MqttConnectError, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("test.backoff")
    backoff = Backoff(BackoffPolicy(first=0.5, cap=2.0))
    with caplog.at_level(logging.WARNING, logger="test.backoff"):
        for _ in range(2):
            backoff.log_failure(log, "broker mqtt://edge-D2@127.0.0.1:18885", cause, backoff.failed(), user="edge-D2")
    hint = "check --broker-password-file or $XDOCK_BROKER_PASSWORD"
    assert [r.getMessage() for r in caplog.records] == [
        f"broker mqtt://edge-D2@127.0.0.1:18885 refused the log-in of user edge-D2: {why} ({hint}); retrying in 0.5 s",
        f"broker mqtt://edge-D2@127.0.0.1:18885 still refuses the log-in of user edge-D2: {why} ({hint}): attempt 2 "
        "failed, 0.5 s so far; retrying every 2.0 s at most",
    ]


def test_an_anonymous_client_refused_is_named_so(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.backoff")
    backoff = Backoff()
    with caplog.at_level(logging.WARNING, logger="test.backoff"):
        backoff.log_failure(log, "broker mqtt://127.0.0.1:1", MqttConnectError(connack(0x87)), backoff.failed())
    assert caplog.records[0].getMessage() == (
        "broker mqtt://127.0.0.1:1 refused the log-in of an anonymous client: not authorized (check "
        "--broker-password-file or $XDOCK_BROKER_PASSWORD); retrying in 0.5 s"
    )


@pytest.mark.parametrize("cause", [
    pytest.param(MqttConnectError(connack(0x88)), id="v5-server-unavailable"),
    pytest.param(MqttConnectError(3), id="v3.1.1-server-unavailable"),
    pytest.param(MqttCodeError(5, "Could not publish message"), id="not-a-connack"),
    pytest.param(MqttCodeError(connack(0x87), "Unexpected disconnection"), id="not-a-connack-v5"),
    pytest.param(ConnectionRefusedError("refused"), id="no-listener"),
    pytest.param(None, id="none"),
])
def test_other_failures_are_no_log_in_refusal(cause: BaseException | None) -> None:
    assert login_refusal(cause) is None

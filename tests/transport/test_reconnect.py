"""The one reconnect loop, with a scripted session and a sleep that only counts (no real waiting)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import aiomqtt
import pytest

from xdock.transport.backoff import Backoff, BackoffPolicy
from xdock.transport.reconnect import keep_connected, lost_connection

log = logging.getLogger("test.reconnect")
WHAT = "broker mqtt://127.0.0.1:1"


class StopScriptError(Exception):
    """Ends a scripted run (a session raising it propagates out of the loop)."""


class Script:
    """A session that plays one step per call: raise the exception given, or run a callable first."""

    def __init__(self, backoff: Backoff, steps: list[BaseException | Callable[[], None]]) -> None:
        self.backoff = backoff
        self.steps = steps
        self.calls = 0
        self.waits: list[float] = []
        self.lost = 0

    async def session(self) -> None:
        step = self.steps[self.calls]
        self.calls += 1
        if isinstance(step, BaseException):
            raise step
        step()

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def on_lost(self) -> None:
        self.lost += 1

    async def run(self) -> None:
        await keep_connected(self.session, backoff=self.backoff, describe=WHAT, log=log, on_lost=self.on_lost,
                             sleep=self.sleep)


def lose(text: str = "Disconnected during message iteration") -> aiomqtt.MqttError:
    return aiomqtt.MqttError(text)


async def test_each_lost_connection_waits_the_back_off_and_the_failures_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refused = lose("[Errno 111] Connection refused")
    script = Script(Backoff(BackoffPolicy(first=0.5, cap=2.0)), [refused] * 5 + [StopScriptError()])
    with caplog.at_level(logging.WARNING, logger="test.reconnect"), pytest.raises(StopScriptError):
        await script.run()
    assert script.waits == [0.5, 1.0, 2.0, 2.0, 2.0]
    assert (script.calls, script.lost) == (6, 6)
    assert [r.getMessage() for r in caplog.records] == [
        f"{WHAT} unreachable or lost ([Errno 111] Connection refused); retrying in 0.5 s",
        f"{WHAT} still unreachable ([Errno 111] Connection refused): attempt 2 failed, 0.5 s so far; "
        "retrying every 2.0 s at most",
        f"{WHAT} still unreachable ([Errno 111] Connection refused): attempt 4 failed, 3.5 s so far; "
        "retrying every 2.0 s at most",
    ]


async def test_the_back_off_starts_afresh_once_a_session_is_up() -> None:
    backoff = Backoff(BackoffPolicy(first=0.5, cap=4.0))
    up: list[int] = []

    def connected_then_lost() -> None:
        up.append(backoff.succeeded())
        raise lose()

    script = Script(backoff, [lose(), lose(), lose(), connected_then_lost, lose(), StopScriptError()])
    with pytest.raises(StopScriptError):
        await script.run()
    assert script.waits == [0.5, 1.0, 2.0, 0.5, 1.0]
    assert up == [3]


async def test_a_session_that_returns_counts_as_lost_and_is_started_again_after_the_wait() -> None:
    script = Script(Backoff(BackoffPolicy(first=0.5, cap=2.0)), [lambda: None, lambda: None, StopScriptError()])
    with pytest.raises(StopScriptError):
        await script.run()
    assert (script.waits, script.lost) == ([0.5, 1.0], 3)


@pytest.mark.parametrize("group", [
    pytest.param(ExceptionGroup("session", [lose()]), id="one"),
    pytest.param(ExceptionGroup("session", [lose(), lose("Operation timed out")]), id="two"),
    pytest.param(ExceptionGroup("session", [ExceptionGroup("inner", [lose()])]), id="nested"),
])
async def test_an_exception_group_of_mqtt_errors_is_a_lost_connection(
    group: ExceptionGroup[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    script = Script(Backoff(BackoffPolicy(first=0.5, cap=2.0)), [group, StopScriptError()])
    with caplog.at_level(logging.WARNING, logger="test.reconnect"), pytest.raises(StopScriptError):
        await script.run()
    assert script.waits == [0.5]
    assert [r.getMessage() for r in caplog.records] == [
        f"{WHAT} unreachable or lost (Disconnected during message iteration); retrying in 0.5 s",
    ]


@pytest.mark.parametrize("error", [
    pytest.param(ValueError("bad field 'door'"), id="plain"),
    pytest.param(ExceptionGroup("session", [lose(), ValueError("bad field 'door'")]), id="group-with-an-mqtt-error"),
    pytest.param(ExceptionGroup("session", [ExceptionGroup("inner", [lose(), KeyError("door")])]), id="nested"),
])
async def test_any_other_exception_propagates_unchanged_and_is_not_retried(error: Exception) -> None:
    script = Script(Backoff(), [error, lose()])
    with pytest.raises(type(error)) as raised:
        await script.run()
    assert raised.value is error
    assert (script.calls, script.waits, script.lost) == (1, [], 1)


async def test_cancellation_stops_the_loop_at_once_even_when_it_comes_out_as_an_mqtt_error() -> None:
    started = asyncio.Event()
    calls = 0

    async def session() -> None:
        nonlocal calls
        calls += 1
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise lose("Operation timed out") from None

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    task = asyncio.create_task(keep_connected(session, backoff=Backoff(), describe=WHAT, log=log, sleep=sleep))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(1):
            await task
    assert (calls, waits) == (1, [])


async def test_cancellation_during_the_wait_stops_the_loop() -> None:
    backoff = Backoff(BackoffPolicy(first=3600.0, cap=3600.0))
    calls = 0

    async def session() -> None:
        nonlocal calls
        calls += 1
        raise lose()

    task = asyncio.create_task(keep_connected(session, backoff=backoff, describe=WHAT, log=log))
    await asyncio.sleep(0)  # the session failed; the loop now waits an hour
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(1):
            await task
    assert (calls, backoff.failures) == (1, 1)


def test_lost_connection_names_the_first_mqtt_error_or_nothing() -> None:
    first, second = lose("first"), lose("second")
    assert lost_connection(first) is first
    assert lost_connection(ExceptionGroup("g", [ExceptionGroup("h", [first]), second])) is first
    assert lost_connection(ExceptionGroup("g", [first, OSError("disk full")])) is None
    assert lost_connection(BaseExceptionGroup("g", [first, asyncio.CancelledError()])) is None
    assert lost_connection(OSError("disk full")) is None

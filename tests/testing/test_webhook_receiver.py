"""The test webhook receiver over real HTTP (httpx): it records, answers as told, checks signatures, closes clean."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from xdock.partners.webhooks import WebhookSecret, signature_headers
from xdock.protocol.clock import ManualClock
from xdock.testing.webhook_receiver import ReceivedRequest, WebhookReceiver

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
SECRET = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
BODY = b'{"type":"pallet.departed","sscc":"376130321109103420"}'


@pytest.fixture
async def no_task_leaks() -> AsyncIterator[None]:
    yield
    others = asyncio.all_tasks() - {asyncio.current_task()}
    assert not others, f"tasks left behind: {others}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def receiver(no_task_leaks: None, clock: ManualClock) -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver(clock=clock, secrets=[SECRET]) as running:
        yield running


def signed(msg_id: str, at: datetime = START, body: bytes = BODY) -> dict[str, str]:
    return signature_headers([SECRET], msg_id, int(at.timestamp()), body) | {"content-type": "application/json"}


async def test_a_signed_delivery_is_answered_200_recorded_exactly_and_verified(receiver: WebhookReceiver) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(receiver.url + "hooks/xdock?site=paris", content=BODY, headers=signed("msg_1"))
    assert (response.status_code, response.content) == (200, b"")
    [request] = await receiver.wait_for(1, timeout_s=5)
    assert (request.method, request.path, request.body, request.received_at, request.mode) == (
        "POST", "/hooks/xdock?site=paris", BODY, START, "ok",
    )
    assert request.header("Webhook-Id") == "msg_1"
    assert request.header("webhook-timestamp") == str(int(START.timestamp()))
    assert request.header("content-length") == str(len(BODY))
    assert request.signature_problem is None
    assert receiver.received_verified() == [request]


async def test_the_mode_switched_at_run_time_answers_the_next_requests(receiver: WebhookReceiver) -> None:
    statuses = []
    async with httpx.AsyncClient() as client:
        for n, mode in enumerate(["ok", "fail", "fail", "ok"]):
            receiver.set_mode(mode)  # type: ignore[arg-type]
            response = await client.post(receiver.url, content=BODY, headers=signed(f"msg_{n}"))
            statuses.append(response.status_code)
    assert statuses == [200, 500, 500, 200]
    assert [(r.header("webhook-id"), r.mode) for r in receiver.received] == [
        ("msg_0", "ok"), ("msg_1", "fail"), ("msg_2", "fail"), ("msg_3", "ok"),
    ]
    with pytest.raises(ValueError, match=r"^Invalid mode 'slow': expected one of ok, fail, hang$"):
        receiver.set_mode("slow")  # type: ignore[arg-type]


async def test_a_hanging_request_outlasts_the_client_timeout_and_is_released_at_close(
    no_task_leaks: None, clock: ManualClock
) -> None:
    receiver = WebhookReceiver(clock=clock, mode="hang")
    await receiver.start()
    held: list[asyncio.Task[httpx.Response]] = []
    try:
        async with httpx.AsyncClient(timeout=0.3) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post(receiver.url, content=BODY, headers=signed("msg_h"))
        [request] = await receiver.wait_for(1, timeout_s=5)
        assert (request.mode, request.body) == ("hang", BODY)
        held.append(asyncio.create_task(_post(receiver.url)))
        await receiver.wait_for(2, timeout_s=5)
    finally:
        async with asyncio.timeout(2):
            await receiver.close()
            outcomes = await asyncio.gather(*held, return_exceptions=True)
    assert [type(outcome) for outcome in outcomes] == [httpx.RemoteProtocolError]


async def _post(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, content=BODY, headers=signed("msg_held"))


async def test_a_bad_or_stale_signature_is_recorded_with_its_reason_and_answered_all_the_same(
    receiver: WebhookReceiver, clock: ManualClock
) -> None:
    async with httpx.AsyncClient() as client:
        tampered = await client.post(receiver.url, content=BODY + b" ", headers=signed("msg_t"))
        stale = await client.post(receiver.url, content=BODY, headers=signed("msg_s", START - timedelta(seconds=301)))
        clock.current = START + timedelta(seconds=60)
        good = await client.post(receiver.url, content=BODY, headers=signed("msg_g"))
        unsigned = await client.post(receiver.url, content=BODY)
    assert [r.status_code for r in (tampered, stale, good, unsigned)] == [200, 200, 200, 200]
    assert [(r.header("webhook-id"), r.signature_problem) for r in receiver.received] == [
        ("msg_t", "no signature matches: 1 v1 signature(s) in webhook-signature, none by any of 1 secret(s)"),
        ("msg_s", "timestamp too old: webhook-timestamp 1772430899 is 301 s before now (1772431200), "
                  "expected at most 300 s"),
        ("msg_g", None),
        (None, "missing header webhook-id: expected a non-empty value, found none"),
    ]
    assert [r.header("webhook-id") for r in receiver.received_verified()] == ["msg_g"]
    assert receiver.received[2].received_at == START + timedelta(seconds=60)


async def test_a_chunked_body_is_read_whole(receiver: WebhookReceiver) -> None:
    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(BODY), 7):
            yield BODY[i : i + 7]

    async with httpx.AsyncClient() as client:
        response = await client.post(receiver.url, content=pieces(), headers=signed("msg_c"))
    assert response.status_code == 200
    [request] = receiver.received
    assert request.header("transfer-encoding") == "chunked"
    assert (request.body, request.signature_problem) == (BODY, None)


async def test_waiting_for_more_requests_than_come_times_out_saying_how_many_came(receiver: WebhookReceiver) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(receiver.url, content=BODY, headers=signed("msg_1"))
    with pytest.raises(TimeoutError, match=r"^expected 2 webhook requests within 0.2 s, found 1$"):
        await receiver.wait_for(2, timeout_s=0.2)


async def test_a_request_that_is_not_http_gets_400_and_the_connection_closes(receiver: WebhookReceiver) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
    writer.write(b"HELLO\r\n\r\n")
    await writer.drain()
    async with asyncio.timeout(5):
        answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    assert answer == (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 46\r\nConnection: close\r\n\r\n"
                      b"expected 'METHOD PATH HTTP/1.x', found 'HELLO'")
    assert receiver.received == ()


async def test_a_receiver_without_secrets_records_but_checks_nothing(no_task_leaks: None, clock: ManualClock) -> None:
    async with WebhookReceiver(clock=clock) as receiver, httpx.AsyncClient() as client:
        await client.post(receiver.url, content=b"x")
        [request] = await receiver.wait_for(1, timeout_s=5)
        assert isinstance(request, ReceivedRequest)
        assert request.signature_problem is None
        with pytest.raises(RuntimeError, match=r"^WebhookReceiver checks no signatures: it was given no secrets$"):
            receiver.received_verified()

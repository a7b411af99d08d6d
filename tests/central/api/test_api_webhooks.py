"""Webhook subscriptions over REST: the admin subscribes and removes; a supervisor lists, retries dead letters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from support.access_site import Floor, open_floor, scan
from support.scans import sscc
from xdock.partners.webhooks import WebhookSecret
from xdock.protocol.clock import ManualClock
from xdock.testing.webhook_receiver import WebhookReceiver

SECRET = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
HOOKS = "/api/v1/webhooks"


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    f = open_floor(tmp_path / "c.db")
    async with f.http:
        yield f
    await f.close()


@pytest.fixture
async def receiver(floor: Floor) -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver(clock=floor.central.clock, secrets=[SECRET]) as running:
        yield running


def clock(floor: Floor) -> ManualClock:
    assert isinstance(floor.central.clock, ManualClock)
    return floor.central.clock


async def subscribe(floor: Floor, url: str, **more: Any) -> dict[str, Any]:
    response = await floor.http.post(HOOKS, json={"url": url, "event_types": ["pallet_received"], **more},
                                     headers=floor.as_("ada"))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_the_admin_subscribes_and_sees_the_secret_once(floor: Floor) -> None:
    made = await subscribe(floor, "https://partner.example/hooks/xdock")
    secret = made.pop("secret")
    assert WebhookSecret.parse(secret).text == secret
    assert made["id"].startswith("wh_")
    assert made == {"id": made["id"], "url": "https://partner.example/hooks/xdock", "event_types": ["pallet_received"],
                    "created_at": "2026-11-23T07:00:00Z", "created_by": "ada", "pending": 0, "delivered": 0, "dead": 0}
    listed = await floor.http.get(HOOKS, headers=floor.as_("sam"))
    assert (listed.status_code, listed.json()) == (200, [made])
    assert secret not in listed.text
    clock(floor).advance(60)
    own = await subscribe(floor, "http://partner.example/2", secret=SECRET.text)
    assert own["secret"] == SECRET.text
    assert [s["id"] for s in (await floor.http.get(HOOKS, headers=floor.as_("sam"))).json()] == [made["id"], own["id"]]


async def test_a_supervisor_may_not_subscribe_nor_remove_a_worker_not_list(floor: Floor) -> None:
    made = await subscribe(floor, "https://partner.example/hook")
    body = {"url": "https://other.example/hook", "event_types": ["pallet_loaded"]}
    for response in (await floor.http.post(HOOKS, json=body, headers=floor.as_("sam")),
                     await floor.http.delete(f"{HOOKS}/{made['id']}", headers=floor.as_("sam"))):
        assert (response.status_code, response.json()["detail"]) == (
            403, "user sam is a supervisor; this needs a admin")
    response = await floor.http.get(HOOKS, headers=floor.as_("wanda"))
    assert (response.status_code, response.json()["detail"]) == (403, "user wanda is a worker; this needs a supervisor")
    assert [s["id"] for s in (await floor.http.get(HOOKS, headers=floor.as_("sam"))).json()] == [made["id"]]


async def test_refusals_are_problems_naming_the_field(floor: Floor) -> None:
    cases = [
        ({"url": "ftp://partner.example/hook"}, "url", "url 'ftp://partner.example/hook' is not an http:// or https://"
                                                      " URL"),
        ({"event_types": ["pallet_received", "pallet_lost"]}, "event_types",
         "event_types ['pallet_lost', 'pallet_received'] must be some of truck_arrived, truck_unloaded, asn_applied,"
         " asn_discrepancy, pallet_received, pallet_loaded, trailer_departed, pallet_late, dispatch_advice,"
         " pallet_split, alert_raised; unknown: pallet_lost"),
        ({"secret": "whsec_!!!!"}, "secret", "Invalid webhook secret: expected base64 after 'whsec_', found a character"
                                             " outside A-Z a-z 0-9 + / = at position 6"),
    ]
    for change, field, detail in cases:
        body = {"url": "https://partner.example/hook", "event_types": ["pallet_received"]} | change
        response = await floor.http.post(HOOKS, json=body, headers=floor.as_("ada"))
        assert response.headers["content-type"] == "application/problem+json"
        assert (response.status_code, response.json()["field"], response.json()["detail"]) == (422, field, detail)
    assert (await floor.http.get(HOOKS, headers=floor.as_("sam"))).json() == []


async def test_dead_letters_are_listed_counted_and_retried(floor: Floor, receiver: WebhookReceiver) -> None:
    made = await subscribe(floor, receiver.url, secret=SECRET.text)  # log 9
    webhooks, sam = floor.central.webhooks, floor.as_("sam")
    scan(floor.site, 3, sscc(3), "69003")  # log 10
    scan(floor.site, 4, sscc(4), "69004")  # log 11
    webhooks.fan_out()
    receiver.set_mode("fail")
    for _ in range(12):  # the default policy: dead after 12 attempts
        await webhooks.deliver()
        clock(floor).advance(3600)
    receiver.set_mode("ok")
    scan(floor.site, 5, sscc(5), "69005")  # log 13, after the alert raised
    webhooks.fan_out()
    assert await webhooks.deliver() == 1
    [listed] = (await floor.http.get(HOOKS, headers=sam)).json()
    assert (listed["pending"], listed["delivered"], listed["dead"]) == (0, 1, 2)
    dead = await floor.http.get(f"{HOOKS}/{made['id']}/deliveries", params={"state": "dead"}, headers=sam)
    assert dead.status_code == 200
    assert [(d["message_id"], d["event_type"], d["state"], d["attempts"], d["last_error"], d["body"]["data"]["sscc"])
            for d in dead.json()] == [
        ("t.11.pallet_received", "pallet_received", "dead", 12, "HTTP 500", sscc(4)),
        ("t.10.pallet_received", "pallet_received", "dead", 12, "HTTP 500", sscc(3)),
    ]
    every = (await floor.http.get(f"{HOOKS}/{made['id']}/deliveries", headers=sam)).json()
    assert [(d["message_id"], d["state"]) for d in every] == [
        ("t.13.pallet_received", "delivered"), ("t.11.pallet_received", "dead"), ("t.10.pallet_received", "dead")]

    retried = await floor.http.post(f"{HOOKS}/{made['id']}/deliveries/t.10.pallet_received/retry", headers=sam)
    assert retried.status_code == 200
    assert (retried.json()["state"], retried.json()["attempts"], retried.json()["last_error"],
            retried.json()["next_at"]) == ("pending", 0, "HTTP 500", "2026-11-23T19:00:00Z")
    [listed] = (await floor.http.get(HOOKS, headers=sam)).json()
    assert (listed["pending"], listed["delivered"], listed["dead"]) == (1, 1, 1)
    assert await webhooks.deliver() == 1
    cases = [
        ("t.10.pallet_received", 409, "message_id", "delivery 't.10.pallet_received' was delivered already"),
        ("t.99.pallet_received", 404, "message_id", f"no delivery 't.99.pallet_received' for webhook {made['id']}"),
    ]
    for message, status, field, detail in cases:
        response = await floor.http.post(f"{HOOKS}/{made['id']}/deliveries/{message}/retry", headers=sam)
        assert (response.status_code, response.json()["field"], response.json()["detail"]) == (status, field, detail)
    response = await floor.http.post(f"{HOOKS}/wh_0/deliveries/t.10.pallet_received/retry", headers=sam)
    assert (response.status_code, response.json()["detail"]) == (404, "no webhook subscription 'wh_0'")
    response = await floor.http.get(f"{HOOKS}/wh_0/deliveries", headers=sam)
    assert (response.status_code, response.json()["detail"]) == (404, "no webhook subscription 'wh_0'")


async def test_the_admin_removes_a_subscription(floor: Floor) -> None:
    made = await subscribe(floor, "https://partner.example/hook")
    made.pop("secret")
    removed = await floor.http.delete(f"{HOOKS}/{made['id']}", headers=floor.as_("ada"))
    assert (removed.status_code, removed.json()) == (200, made)
    assert (await floor.http.get(HOOKS, headers=floor.as_("sam"))).json() == []
    again = await floor.http.delete(f"{HOOKS}/{made['id']}", headers=floor.as_("ada"))
    assert (again.status_code, again.json()["field"], again.json()["detail"]) == (
        404, "id", f"no webhook subscription '{made['id']}'")
    scan(floor.site, 3, sscc(3), "69003")
    assert floor.central.webhooks.fan_out() == 0

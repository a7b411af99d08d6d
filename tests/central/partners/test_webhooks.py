"""Webhooks over real HTTP: a real site's events queued durably, POSTed signed to a real receiver, retried, ordered
per trailer, dead letters and their alert, restarts; on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from support.scans import scan, sscc
from support.sites import PARIS, outbound, site_config, staging, trailer
from xdock.central.partners.http_post import UrllibPoster
from xdock.central.partners.webhooks import EPCIS_CAPTURE, SubscriptionRefusedError, Webhooks
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store, SubscriptionRow
from xdock.central.store.event_tail import EventTail
from xdock.partners.webhooks import RetryPolicy, WebhookSecret
from xdock.protocol.clock import ManualClock
from xdock.testing.servers import free_port
from xdock.testing.webhook_receiver import WebhookReceiver

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SECRET = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
POLICY = RetryPolicy(first_delay_s=1, max_attempts=3)
SITE = site_config(more_doors=[outbound("D13", 20, 30), outbound("D14", 30, 30)], areas=[staging()],
                   more_destinations=[PARIS],
                   trailers=[trailer(capacity=100), trailer("T-LYON-2", "D14", capacity=100),
                             trailer("T-PARIS-1", "D13", "PARIS")])
RECEIVED = ("pallet_received",)
LOADS = ("pallet_loaded", "trailer_departed", "pallet_late")


@dataclass
class Rig:
    store: Store
    clock: ManualClock
    site: LiveSite
    receiver: WebhookReceiver
    poster: UrllibPoster

    def webhooks(self) -> Webhooks:
        """Webhooks as central wires them; a second call is central restarted over the same store."""
        return Webhooks(self.store, self.clock, "t", self.site.alerts, self.poster, tail=EventTail(self.store),
                        policy=POLICY)

    def subscribe(self, webhooks: Webhooks, types: Collection[str], path: str = "hook") -> SubscriptionRow:
        return webhooks.subscribe(self.receiver.url + path, types, by="ada", secret=SECRET.text)

    def scan(self, n: int, postal: str = "69001", *, seq: int | None = None) -> None:
        self.site.apply_scan(scan(n if seq is None else seq, n=n, postal=postal))

    def load(self, n: int, postal: str = "69001") -> None:
        self.scan(n, postal)
        self.site.confirm_load(sscc(n), str(self.site.state.pallets[sscc(n)].trailer), device="h1")

    def oks(self, path: str = "/hook") -> list[str]:
        """The ids answered 200 at ``path``, in arrival order."""
        return [str(r.header("webhook-id")) for r in self.receiver.received if r.mode == "ok" and r.path == path]

    def tries(self) -> Counter[str]:
        return Counter(str(r.header("webhook-id")) for r in self.receiver.received)


@pytest.fixture
async def rig(store_at: str) -> AsyncIterator[Rig]:
    clock = ManualClock(START)
    store = Store(store_at)
    poster = UrllibPoster(timeout_s=1.0)
    try:
        async with WebhookReceiver(clock=clock, secrets=[SECRET]) as receiver:
            yield Rig(store, clock, LiveSite(SITE, store, clock), receiver, poster)
    finally:
        poster.close()
        store.close()
    left = asyncio.all_tasks() - {asyncio.current_task()}
    assert not left, f"tasks left behind: {left}"


async def test_each_delivery_is_the_event_signed_with_the_subscriptions_secret(rig: Rig) -> None:
    webhooks = rig.webhooks()
    sub = rig.subscribe(webhooks, [*RECEIVED, *LOADS])
    assert sub.secret == SECRET.text
    rig.load(1)
    assert webhooks.fan_out() == 2
    assert await webhooks.deliver() == 2
    first, second = rig.receiver.received
    assert rig.receiver.received_verified() == [first, second]
    assert [r.header("webhook-id") for r in (first, second)] == ["t.2.pallet_received", "t.3.pallet_loaded"]
    assert (first.method, first.path, first.header("content-type"), first.header("webhook-timestamp")) == (
        "POST", "/hook", "application/json", str(int(START.timestamp())))
    assert json.loads(second.body) == {
        "id": "t.3.pallet_loaded", "type": "pallet_loaded", "timestamp": "2026-11-23T07:00:00+00:00",
        "data": {"sscc": sscc(1), "trailer": "T-LYON-1", "door": "D12", "via": "scan"},
    }
    assert webhooks.counts() == {(sub.id, "delivered"): 2}
    assert (webhooks.fan_out(), await webhooks.deliver()) == (0, 0)


async def test_after_a_500_and_a_hang_the_receiver_back_gets_every_event_once(rig: Rig) -> None:
    webhooks = rig.webhooks()
    sub = rig.subscribe(webhooks, RECEIVED)
    rig.scan(1)
    rig.scan(2)
    ids = ["t.2.pallet_received", "t.3.pallet_received"]  # log 1: the subscription
    assert webhooks.fan_out() == 2
    rig.receiver.set_mode("fail")
    assert await webhooks.deliver() == 0
    assert [(d.message_id, d.state, d.attempts, d.last_error, d.next_at) for d in rig.store.deliveries(sub.id)] == [
        (i, "pending", 1, "HTTP 500", START + timedelta(seconds=1)) for i in reversed(ids)]
    rig.receiver.set_mode("hang")
    assert await webhooks.deliver() == 0  # not due yet: nothing sent
    assert len(rig.receiver.received) == 2
    rig.clock.advance(1)
    assert await webhooks.deliver() == 0
    assert [(d.attempts, d.last_error, d.next_at) for d in rig.store.deliveries(sub.id)] == [
        (2, "no answer within 1 s", START + timedelta(seconds=3))] * 2
    rig.receiver.set_mode("ok")
    rig.clock.advance(2)
    assert await webhooks.deliver() == 2
    assert sorted(rig.oks()) == ids
    assert rig.tries() == dict.fromkeys(ids, 3)
    assert len(rig.receiver.received_verified()) == 6
    assert [(d.state, d.attempts, d.last_error, d.finished_at) for d in rig.store.deliveries(sub.id)] == [
        ("delivered", 3, None, START + timedelta(seconds=3))] * 2


async def test_a_trailers_events_wait_behind_its_failing_one_while_another_trailers_go_on(rig: Rig) -> None:
    webhooks = rig.webhooks()
    rig.subscribe(webhooks, LOADS)
    rig.load(1)  # log 2-3: A1 on T-LYON-1 (log 1: the subscription)
    webhooks.fan_out()
    rig.receiver.set_mode("fail")
    assert await webhooks.deliver() == 0
    rig.load(11, "75011")  # log 4-5: B1 on T-PARIS-1
    rig.load(2)  # log 6-7: A2
    rig.load(12, "75012")  # log 8-9: B2
    rig.scan(3)  # log 10: A3, never loaded
    rig.site.depart_trailer("T-LYON-1", by="sam")  # log 11: departed, A3 left behind
    assert webhooks.fan_out() == 5
    rig.receiver.set_mode("ok")
    assert await webhooks.deliver() == 2
    assert rig.oks() == ["t.5.pallet_loaded", "t.9.pallet_loaded"]
    rig.clock.advance(1)
    assert await webhooks.deliver() == 4
    assert rig.oks()[2:] == ["t.3.pallet_loaded", "t.7.pallet_loaded", "t.11.trailer_departed",
                             "t.11.pallet_late.0"]


async def test_a_departure_leaving_a_hundred_pallets_behind_is_told_whole_and_in_order(rig: Rig) -> None:
    webhooks = rig.webhooks()
    rig.subscribe(webhooks, LOADS)
    for n in range(1, 101):
        rig.scan(n)  # log 2-101: T-LYON-1 takes them all
    rig.site.depart_trailer("T-LYON-1", by="sam")  # log 102: none aboard
    assert webhooks.fan_out() == 101
    assert await webhooks.deliver() == 101
    assert rig.oks() == ["t.102.trailer_departed", *(f"t.102.pallet_late.{n}" for n in range(100))]


async def test_dead_after_the_last_attempt_alerted_then_cleared_by_a_success_and_retried(rig: Rig) -> None:
    webhooks = rig.webhooks()
    sub = rig.subscribe(webhooks, RECEIVED)
    rig.scan(1)
    webhooks.fan_out()
    rig.receiver.set_mode("fail")
    for wait in (0, 1, 2):
        rig.clock.advance(wait)
        assert await webhooks.deliver() == 0
    assert rig.tries() == {"t.2.pallet_received": 3}
    [dead] = rig.store.deliveries(sub.id, state="dead")
    assert (dead.message_id, dead.attempts, dead.last_error, dead.finished_at) == (
        "t.2.pallet_received", 3, "HTTP 500", START + timedelta(seconds=3))
    [alert] = rig.site.alerts.open_alerts()
    assert (alert.kind, alert.subject, alert.message) == (
        "webhook_failing", sub.id, f"Webhook {sub.id} ({rig.receiver.url}hook): pallet_received t.2.pallet_received"
        " not delivered after 3 attempts (HTTP 500); see its dead letters")
    rig.clock.advance(3600)
    assert await webhooks.deliver() == 0  # dead: never sent again by itself
    rig.receiver.set_mode("ok")
    rig.scan(2)
    webhooks.fan_out()
    assert await webhooks.deliver() == 1
    assert rig.site.alerts.open_alerts() == []
    again = webhooks.retry(sub.id, "t.2.pallet_received", by="sam")
    assert (again.state, again.attempts, again.next_at, again.finished_at) == ("pending", 0, rig.clock.now(), None)
    assert await webhooks.deliver() == 1
    assert rig.oks() == ["t.4.pallet_received", "t.2.pallet_received"]  # log 3: the alert raised
    assert webhooks.counts() == {(sub.id, "delivered"): 2}
    with pytest.raises(SubscriptionRefusedError, match=r"^delivery 't\.2\.pallet_received' was delivered already$"):
        webhooks.retry(sub.id, "t.2.pallet_received", by="sam")
    with pytest.raises(SubscriptionRefusedError, match=rf"^no delivery 't\.9\.pallet_received' for webhook {sub.id}$"):
        webhooks.retry(sub.id, "t.9.pallet_received", by="sam")


async def test_a_later_subscription_gets_only_later_events(rig: Rig) -> None:
    webhooks = rig.webhooks()
    rig.subscribe(webhooks, RECEIVED, "early")
    rig.scan(1)
    rig.subscribe(webhooks, RECEIVED, "late")  # pallet 1 not queued yet: still not the late one's
    rig.scan(2)
    assert webhooks.fan_out() == 3
    assert await webhooks.deliver() == 3
    assert (sorted(rig.oks("/early")), rig.oks("/late")) == (
        ["t.2.pallet_received", "t.4.pallet_received"], ["t.4.pallet_received"])


async def test_a_restart_delivers_what_was_pending_and_queues_nothing_twice(rig: Rig) -> None:
    before = rig.webhooks()
    sub = rig.subscribe(before, RECEIVED)
    rig.scan(1)
    rig.scan(2)
    assert before.fan_out() == 2
    rig.receiver.set_mode("fail")
    assert await before.deliver() == 0
    after = rig.webhooks()
    assert after.fan_out() == 0
    rig.scan(1, seq=4)  # pallet 1 again, known to the restarted reader as received already
    rig.scan(3)
    assert after.fan_out() == 1
    rig.receiver.set_mode("ok")
    rig.clock.advance(1)
    assert await after.deliver() == 3
    assert sorted(rig.oks()) == ["t.2.pallet_received", "t.3.pallet_received", "t.5.pallet_received"]
    assert after.counts() == {(sub.id, "delivered"): 3}
    delivered = rig.store.deliveries(sub.id)
    with rig.store.transaction() as tx:  # queued again, as a crash between queue and cursor would
        tx.add_deliveries([replace(d, state="pending", attempts=0) for d in delivered])
    assert rig.store.deliveries(sub.id) == delivered


async def test_an_unsubscribed_url_gets_nothing_more_and_its_alert_clears(rig: Rig) -> None:
    webhooks = rig.webhooks()
    sub = rig.subscribe(webhooks, RECEIVED)
    rig.scan(1)
    webhooks.fan_out()
    rig.receiver.set_mode("fail")
    for wait in (0, 1, 2):
        rig.clock.advance(wait)
        await webhooks.deliver()
    assert rig.site.alerts.is_open("webhook_failing", sub.id)
    rig.scan(2)
    assert webhooks.fan_out() == 1  # queued, not sent yet
    rig.receiver.set_mode("ok")
    removed = webhooks.unsubscribe(sub.id, by="ada")
    assert removed.removed_at == START + timedelta(seconds=3)
    assert rig.site.alerts.open_alerts() == []
    rig.scan(3)
    assert (webhooks.fan_out(), await webhooks.deliver()) == (0, 0)
    assert (len(rig.receiver.received), rig.oks()) == (3, [])
    with pytest.raises(SubscriptionRefusedError, match=rf"^no webhook subscription '{sub.id}'$"):
        webhooks.unsubscribe(sub.id, by="ada")
    with pytest.raises(SubscriptionRefusedError, match=rf"^no webhook subscription '{sub.id}'$"):
        webhooks.retry(sub.id, "t.2.pallet_received", by="sam")


async def test_a_partner_failing_with_a_backlog_holds_back_no_other(rig: Rig) -> None:
    webhooks = rig.webhooks()
    port = free_port()
    down = webhooks.subscribe(f"http://127.0.0.1:{port}/hook", ["pallet_loaded"], by="ada")
    rig.subscribe(webhooks, ["pallet_loaded"])
    for n in range(1, 121):
        rig.load(n)
    assert webhooks.fan_out() == 240
    for _ in range(10):
        if not await webhooks.deliver():
            break
    assert rig.oks() == [f"t.{2 * n + 2}.pallet_loaded" for n in range(1, 121)]  # log 1-2: the subscriptions
    tried = {d.message_id: (d.attempts, d.last_error) for d in rig.store.deliveries(down.id, limit=1000) if d.attempts}
    refused = f"no connection to 127.0.0.1:{port}: [Errno 111] Connection refused"
    assert tried == {"t.4.pallet_loaded": (1, refused), "t.204.pallet_loaded": (1, refused)}  # T-LYON-1's, -2's first


async def test_refusals_say_which_value_is_wrong(rig: Rig) -> None:
    webhooks = rig.webhooks()
    cases = [
        (("ftp://example.com/hook", RECEIVED, None), "url", "url 'ftp://example.com/hook' is not an http:// or"
                                                            " https:// URL"),
        (("https://example.com/hook", ["pallet_loaded", "pallet_lost"], None), "event_types",
         "event_types ['pallet_loaded', 'pallet_lost'] must be some of truck_arrived, truck_unloaded, asn_applied,"
         " asn_discrepancy, pallet_received, pallet_loaded, trailer_departed, pallet_late, dispatch_advice,"
         " pallet_split, alert_raised; unknown: pallet_lost"),
        (("https://example.com/hook", [], None), "event_types",
         "event_types [] must be some of truck_arrived, truck_unloaded, asn_applied, asn_discrepancy,"
         " pallet_received, pallet_loaded, trailer_departed, pallet_late, dispatch_advice, pallet_split,"
         " alert_raised"),
        (("https://example.com/hook", RECEIVED, "whsec_short"), "secret",
         "Invalid webhook secret: expected base64 after 'whsec_' in groups of 4 characters, '=' only at the end,"
         " found 5 characters"),
    ]
    for (url, types, secret), field, detail in cases:
        with pytest.raises(SubscriptionRefusedError) as refused:
            webhooks.subscribe(url, types, by="ada", secret=secret)
        assert (refused.value.status, refused.value.field, refused.value.detail) == (422, field, detail)
    assert rig.store.subscriptions() == []
    with pytest.raises(SubscriptionRefusedError, match=r"^no webhook subscription 'wh_0'$"):
        webhooks.retry("wh_0", "t.1.pallet_received", by="sam")


async def test_the_epcis_capture_is_set_by_the_command_line_only(rig: Rig) -> None:
    webhooks = rig.webhooks()
    with pytest.raises(SubscriptionRefusedError) as no_gln:
        webhooks.capture_to("http://127.0.0.1:9/capture")
    assert (no_gln.value.status, no_gln.value.detail) == (
        422, "EPCIS events need the site's gln and gs1_company_prefix_length")
    with rig.store.transaction() as tx:  # as a central with a GLN made it
        tx.put_subscription(SubscriptionRow(EPCIS_CAPTURE, "epcis", "http://127.0.0.1:9/capture", "", ("epcis",),
                                            START, "central", None, 0))
    with pytest.raises(SubscriptionRefusedError) as removed:
        webhooks.unsubscribe(EPCIS_CAPTURE, by="ada")
    assert (removed.value.status, removed.value.detail) == (
        409, "epcis-capture is the EPCIS capture of --epcis-capture-url: restart central without it to stop it")
    assert webhooks.capture_to(None) is None
    assert rig.store.subscriptions() == []


async def test_the_signature_timestamp_is_the_time_central_is_given_for_it(rig: Rig) -> None:
    webhooks = Webhooks(rig.store, rig.clock, "t", rig.site.alerts, rig.poster, tail=EventTail(rig.store),
                        policy=POLICY, stamp=lambda: 1_800_000_000.7)
    rig.subscribe(webhooks, RECEIVED)
    rig.scan(1)
    webhooks.fan_out()
    assert await webhooks.deliver() == 1
    [request] = rig.receiver.received
    assert request.header("webhook-timestamp") == "1800000000"
    assert request.signature_problem is not None  # the receiver's (site) clock is far from that time

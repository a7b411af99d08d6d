"""``--epcis-capture-url``: the site's EPCIS events pushed, one EPCISDocument each, to a repository's capture
interface from the webhooks' durable outbox, retried until taken, each event once."""

from __future__ import annotations

import json
from pathlib import Path

from support.departure_day import schema_errors
from support.scans import scan
from xdock.central.partners.epcis_log import EpcisLog, site_identity
from xdock.central.partners.http_post import UrllibPoster
from xdock.central.partners.webhooks import EPCIS_CAPTURE, Webhooks
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.central.store.event_tail import EventTail
from xdock.partners.webhooks import RetryPolicy
from xdock.protocol.clock import ManualClock
from xdock.testing.partner_site import START, TO_LYON, TO_PARIS, advice, partner_site
from xdock.testing.webhook_receiver import WebhookReceiver


async def test_each_epcis_event_reaches_the_capture_interface_once(tmp_path: Path) -> None:
    clock = ManualClock(START)
    store = Store(tmp_path / "c.db")
    site = LiveSite(partner_site(), store, clock)
    identity = site_identity(site.config)
    assert identity is not None
    tail = EventTail(store)
    epcis = EpcisLog(tail, "t", identity, site.announced_pallet, zone=site.config.zone)
    poster = UrllibPoster(timeout_s=1.0)
    try:
        async with WebhookReceiver(clock=clock) as repository:
            webhooks = Webhooks(store, clock, "t", site.alerts, poster, tail=tail, epcis=epcis,
                                policy=RetryPolicy(first_delay_s=5, max_attempts=4))
            capture = webhooks.capture_to(repository.url + "capture")
            assert capture is not None
            assert (capture.id, capture.kind) == (EPCIS_CAPTURE, "epcis")
            site.apply_asn(advice(), source="api", by="wms")
            for n, sscc in enumerate((TO_LYON, TO_PARIS), start=1):
                site.apply_scan(scan(n, sscc=sscc, postal=None, at=START))
            repository.set_mode("fail")
            assert webhooks.fan_out() == 2
            assert await webhooks.deliver() == 0
            repository.set_mode("ok")
            clock.advance(10)
            assert await webhooks.deliver() == 2
            taken = [r for r in repository.received if r.mode == "ok"]
            assert [(r.path, r.header("content-type")) for r in taken] == [("/capture", "application/ld+json")] * 2
            documents = [json.loads(r.body) for r in taken]
            assert [schema_errors(d) for d in documents] == [[], []]
            told = [d["epcisBody"]["eventList"][0] for d in documents]
            assert [(e["bizStep"], e["epcList"]) for e in told] == [
                ("receiving", [f"https://id.gs1.org/00/{TO_LYON}"]), ("receiving", [f"https://id.gs1.org/00/{TO_PARIS}"])]
            assert [e["eventID"] for e in told] == [e["eventID"] for e in epcis.all()]
            assert webhooks.fan_out() == 0
            clock.advance(3600)
            assert await webhooks.deliver() == 0
    finally:
        poster.close()
        store.close()

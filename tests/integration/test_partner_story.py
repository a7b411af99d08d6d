"""A truck's story as the site's partners see it, through central's HTTP API.

A supplier's DESADV announces four pallets (one mixed between Lyon and Paris, one that never comes);
the truck arrives; the workers scan its pallets (a fifth, not announced, comes too), split the mixed one
at the breakdown station (its children's labels printed on the networked printer), load them; the truck
is unloaded (one short, one over); the Paris trailer departs. Meanwhile the WMS's webhook receiver is
down (500, then no answer), and comes back. At the end: the EPCIS document validates against GS1's
schema and tells that story, the receiver got each event once, and the dispatch advice out lists
exactly the pallets aboard.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from support.central_rig import api_client, built_central
from support.departure_day import schema_errors
from xdock.central.partners.http_post import UrllibPoster
from xdock.central.partners.webhooks import Webhooks
from xdock.central.site.breakdown import sscc_from
from xdock.central.store.event_tail import EventTail
from xdock.firmware_mocks.label_printer import LabelPrinter
from xdock.partners.desadv import PalletAdvice, TradeItemLine, parse_edifact, to_edifact
from xdock.partners.webhooks import RetryPolicy, WebhookSecret
from xdock.protocol.clock import ManualClock
from xdock.testing import free_port
from xdock.testing.partner_site import (
    GTIN_B,
    MIXED,
    PARIS_GLN,
    SITE_GLN,
    START,
    SUPPLIER_GLN,
    TO_LYON,
    TO_PARIS,
    advice,
    partner_site,
)
from xdock.testing.webhook_receiver import WebhookReceiver

SHORT, OVER = "340123450000000048", "340123450000000055"
CHILD_LYON, CHILD_PARIS = sscc_from("03761303", 1), sscc_from("03761303", 2)
SECRET = WebhookSecret.generate()
TYPES = ["asn_applied", "truck_arrived", "pallet_received", "pallet_split", "pallet_loaded", "truck_unloaded",
         "asn_discrepancy", "trailer_departed", "dispatch_advice"]


def _dl(sscc: str) -> str:
    return f"https://id.gs1.org/00/{sscc}"


def _desadv() -> str:
    base = advice()
    short = PalletAdvice(sscc=SHORT, lines=(TradeItemLine(gtin=GTIN_B, quantity=3, final_destination_gln=PARIS_GLN),))
    announced = base.model_copy(update={"pallets": (*base.pallets, short)})
    return to_edifact(announced, sender_gln=SUPPLIER_GLN, recipient_gln=SITE_GLN, interchange_ref="I1",
                      prepared_at=START, zone=partner_site().zone)  # the site's time, as the parties agree


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_a_trucks_story_told_to_the_sites_partners(tmp_path: Path) -> None:
    clock = ManualClock(START)
    port = free_port()
    async with LabelPrinter(port=port) as printer, WebhookReceiver(clock=clock, secrets=[SECRET]) as receiver:
        central = built_central(partner_site(), tmp_path / "c.db", clock, label_printer=("127.0.0.1", port))
        poster = UrllibPoster(timeout_s=1.0)
        # central's own webhooks, with a short time-out and back-off, driven by the test's clock
        webhooks = Webhooks(central.store, clock, "t", central.site.alerts, poster, tail=EventTail(central.store),
                            advices=central.advices, policy=RetryPolicy(first_delay_s=10, max_attempts=5))
        try:
            async with api_client(central) as http:
                await _ok(await http.post("/api/v1/webhooks", json={
                    "url": receiver.url + "hook", "event_types": TYPES, "secret": SECRET.text}), 201)
                receiver.set_mode("fail")

                applied = await _ok(await http.post("/api/v1/asns", content=_desadv(),
                                                    headers={"content-type": "application/edifact"}), 201)
                assert (applied["truck"], applied["pallets"]) == ("TRUCK-1", 4)
                await _ok(await http.post("/api/v1/inbound-trucks/TRUCK-1/arrive", json={"door": "D1"}))
                answers = {}
                for seq, (sscc, label) in enumerate([(MIXED, f"(00){MIXED}"), (TO_PARIS, f"(00){TO_PARIS}"),
                                                     (TO_LYON, f"(00){TO_LYON}"), (OVER, f"(00){OVER}(420)69001")],
                                                    start=1):
                    clock.advance(30)
                    answers[sscc] = await _ok(await http.post("/api/v1/handheld/scan", json={
                        "device": "hh1", "seq": seq, "door": "D1", "label": label}))
                assert {s: (a["outcome"], a.get("door") or a.get("area")) for s, a in answers.items()} == {
                    MIXED: ("breakdown", "B1"), TO_PARIS: ("assigned", "D14"), TO_LYON: ("assigned", "D12"),
                    OVER: ("assigned", "D12")}
                webhooks.fan_out()
                await webhooks.deliver()  # the receiver answers 500

                clock.advance(30)
                split = await _ok(await http.post(f"/api/v1/breakdown/{MIXED}/split"), 201)
                assert [(c["sscc"], c["door"]) for c in split["children"]] == [(CHILD_LYON, "D12"),
                                                                              (CHILD_PARIS, "D14")]
                assert [x.element("00") for x in await printer.wait_for_labels(2, timeout_s=10)] == [
                    CHILD_LYON, CHILD_PARIS]
                for sscc, door in ((TO_LYON, "D12"), (CHILD_LYON, "D12"), (OVER, "D12"), (TO_PARIS, "D14"),
                                   (CHILD_PARIS, "D14")):
                    clock.advance(20)
                    loaded = await _ok(await http.post("/api/v1/handheld/load", json={
                        "device": "fl1", "sscc": sscc, "at": door}))
                    assert loaded["ok"] is True
                await _ok(await http.post("/api/v1/inbound-trucks/TRUCK-1/unloaded"))
                receiving = await _ok(await http.get("/api/v1/inbound-trucks/TRUCK-1/receiving"))
                assert (receiving["received"], receiving["short"], receiving["over"]) == (
                    sorted([MIXED, TO_PARIS, TO_LYON]), [SHORT], [OVER])
                receiver.set_mode("hang")
                webhooks.fan_out()
                clock.advance(15)
                await webhooks.deliver()  # no answer within the time-out

                clock.advance(60)
                await _ok(await http.post("/api/v1/trailers/T-PARIS-1/depart"))
                desadv = await _ok(await http.get("/api/v1/trailers/T-PARIS-1/desadv"))
                assert sorted(p["sscc"] for p in desadv["pallets"]) == sorted([TO_PARIS, CHILD_PARIS])
                edifact = await http.get("/api/v1/trailers/T-PARIS-1/desadv", params={"format": "edifact"})
                aboard = parse_edifact(edifact.text, zone=partner_site().zone).pallets
                assert sorted(p.sscc for p in aboard) == sorted([TO_PARIS, CHILD_PARIS])

                receiver.set_mode("ok")
                for _ in range(6):  # the back-off's waits pass; each round sends what is due
                    webhooks.fan_out()
                    clock.advance(120)
                    await webhooks.deliver()
                counts = Counter(str(r.header("webhook-id")) for r in receiver.received_verified() if r.mode == "ok")
                assert counts
                assert set(counts.values()) == {1}
                queued = {d.message_id for s in central.store.subscriptions() for d in
                          central.store.deliveries(s.id, limit=1000)}
                assert set(counts) == queued
                types = Counter(str(r.header("webhook-id")).split(".")[2]
                                for r in receiver.received_verified() if r.mode == "ok")
                assert types == Counter({"asn_applied": 1, "truck_arrived": 1, "pallet_received": 4, "pallet_split": 1,
                                         "pallet_loaded": 5, "truck_unloaded": 1, "asn_discrepancy": 2,
                                         "trailer_departed": 1, "dispatch_advice": 1})

                document = await _ok(await http.get("/api/v1/epcis/events", params={"perPage": "1000"}))
                assert schema_errors(document) == []
                events = document["epcisBody"]["eventList"]
                told = [(e["bizStep"], e.get("parentID"), sorted(e.get("epcList") or e.get("childEPCs") or
                                                                  e.get("outputEPCList") or []))
                        for e in events]
                assert told[:4] == [("receiving", None, [_dl(s)]) for s in (MIXED, TO_PARIS, TO_LYON, OVER)]
                assert ("unpacking", _dl(MIXED), []) in told
                assert ("repackaging", None, sorted([_dl(CHILD_LYON), _dl(CHILD_PARIS)])) in told
                trailer = "urn:epc:id:giai:3761303.T-PARIS-1"
                assert ("loading", trailer, [_dl(CHILD_PARIS)]) in told
                assert told[-1] == ("departing", trailer, sorted([_dl(TO_PARIS), _dl(CHILD_PARIS)]))
                assert clock.now() - START < timedelta(hours=2)
        finally:
            poster.close()
            await central.aclose()

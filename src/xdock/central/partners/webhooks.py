"""Webhooks: the site's events pushed to partners' URLs, signed, from a durable outbox, in order per trailer.

An admin subscribes a URL to event types (:data:`~xdock.central.partners.site_events.EVENT_TYPES`);
the subscription gets a secret (``whsec_...``, shown once) its receiver verifies deliveries with.
From then on each step:

1. **fan-out** (:meth:`Webhooks.fan_out`): the log events appended since a subscription's cursor become
   partner events (:mod:`~xdock.central.partners.site_events`); those of its types are queued as
   deliveries and the cursor moves on, in one transaction. So every event is queued once per
   subscription, whatever crashes, and waits in the store, not in memory.
2. **delivery** (:meth:`Webhooks.deliver`): each due delivery is POSTed as JSON (``{"id", "type",
   "timestamp", "data"}``) with the Standard Webhooks headers (``webhook-id``: the event's stable id,
   the same on every attempt, so a receiver drops a repeat; ``webhook-timestamp``; ``webhook-signature``:
   HMAC-SHA256 over ``id.timestamp.body``). A 2xx answer settles it; anything else (an error status, no
   answer within the time-out, a refused connection) retries it after an exponential back-off
   (:class:`~xdock.partners.webhooks.RetryPolicy`), and after the last attempt it is *dead*: kept in the
   subscription's dead letters, shown to supervisors with a ``webhook_failing`` alert, re-queued by
   :meth:`Webhooks.retry`.

Order: deliveries of one ordering key (the trailer or truck an event concerns) go one at a time, oldest
first: a later one waits while an earlier one is pending (a dead one no longer holds them back).
Deliveries without a key go as soon as they are due.

The site's EPCIS events go the same way to an EPCIS repository's capture interface
(:meth:`Webhooks.capture_to`, ``xdock central --epcis-capture-url``): one EPCISDocument per event, retried
alike; the repository drops a repeat by the event's ``eventID``.

Times (when a delivery is due) are read from the injected clock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets as _secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from xdock.central.alerts.book import Alerts
from xdock.central.partners.dispatch_advice import DispatchAdvices
from xdock.central.partners.epcis_log import EpcisLog
from xdock.central.partners.http_post import Poster
from xdock.central.partners.site_events import EVENT_TYPES, PartnerEvent, SiteEvents
from xdock.central.store.database import DeliveryRow, EventRow, Store, SubscriptionRow
from xdock.central.store.event_tail import EventTail
from xdock.partners.epcis import epcis_document
from xdock.partners.webhooks import RetryPolicy, WebhookSecret, signature_headers
from xdock.protocol.clock import Clock

__all__ = ["EPCIS_CAPTURE", "SubscriptionRefusedError", "Webhooks"]

EPCIS_CAPTURE = "epcis-capture"
"""The id of the subscription ``--epcis-capture-url`` makes: the site's EPCIS events to a repository."""

log = logging.getLogger(__name__)

_BATCH = 100
"""The log events whose due deliveries go in one round, at most."""
_RANK = {t: n for n, t in enumerate(EVENT_TYPES)}


def _in_order(row: DeliveryRow) -> tuple[int, int, int, str]:
    """Where a delivery comes in the order of the site's events: its log event's, then its place among the
    partner events of that log event (``trailer_departed``, ``pallet_late`` .0, .1, ..., ``dispatch_advice``:
    the order of :data:`~xdock.central.partners.site_events.EVENT_TYPES`)."""
    n = row.message_id.rsplit(".", 1)[-1]
    return row.event_id, _RANK.get(row.event_type, len(_RANK)), int(n) if n.isdigit() else -1, row.message_id


class SubscriptionRefusedError(ValueError):
    """A subscription change refused: ``status`` 404 (unknown) or 422 (bad value), ``field`` at fault."""

    def __init__(self, status: int, field: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.field, self.detail = status, field, detail


class Webhooks:
    """The site's webhook subscriptions and their outbox (see the module docstring)."""

    def __init__(self, store: Store, clock: Clock, site: str, alerts: Alerts, poster: Poster, *,
                 tail: EventTail, epcis: EpcisLog | None = None, advices: DispatchAdvices | None = None,
                 policy: RetryPolicy | None = None, every_s: float = 1.0,
                 stamp: Callable[[], float] | None = None) -> None:
        """``tail``: the event log's reader the partner events are read from (``epcis`` follows it too: the
        EPCIS events an ``epcis`` subscription, the capture interface of a repository, is sent); ``advices``:
        the dispatch advices ``dispatch_advice`` events carry; ``stamp``: the time (epoch seconds) a delivery's
        ``webhook-timestamp`` says, which receivers check against their own clock (``None``: the injected
        clock's; central gives the real time, so a simulated site clock does not fail their check)."""
        self.stamp = stamp
        self.store = store
        self.clock = clock
        self.alerts = alerts
        self.poster = poster
        self.policy = policy or RetryPolicy()
        self.every_s = every_s
        self.epcis = epcis
        self._advices = advices
        self._events = SiteEvents(site, advise=None if advices is None else self._advise)
        self._wanted_after = 0
        """Log events up to this id are queued for every subscription already: their dispatch advices are
        not built again (the first read of the log goes through the whole history)."""
        self._pending: list[PartnerEvent] = []
        self._tail = tail
        self._tail.follow(lambda e: self._pending.extend(self._events.read(e)))

    def capture_to(self, url: str | None) -> SubscriptionRow | None:
        """Push the site's EPCIS events to the capture interface at ``url`` from now on (``None``: to none);
        kept across restarts, and a changed URL keeps what was queued."""
        row = self.store.subscription(EPCIS_CAPTURE)
        now = self.clock.now()
        if url is None:
            if row is not None and row.removed_at is None:
                with self.store.transaction() as tx:
                    tx.put_subscription(replace(row, removed_at=now))
            return None
        if self.epcis is None:
            raise SubscriptionRefusedError(422, "epcis_capture_url",
                                           "EPCIS events need the site's gln and gs1_company_prefix_length")
        if not url.startswith(("http://", "https://")):
            raise SubscriptionRefusedError(422, "epcis_capture_url", f"url {url!r} is not an http:// or https:// URL")
        if row is None:
            row = SubscriptionRow(EPCIS_CAPTURE, "epcis", url, "", ("epcis",), now, "central", None,
                                  self.store.last_event_id())
        else:
            row = replace(row, url=url, removed_at=None)
        with self.store.transaction() as tx:
            tx.put_subscription(row)
        return row

    # -- subscriptions ------------------------------------------------------------------------------

    def subscribe(
        self, url: str, event_types: Collection[str], *, by: str, secret: str | None = None,
    ) -> SubscriptionRow:
        """Tell ``url`` of the events of ``event_types`` from now on; the row carries its secret."""
        if not url.startswith(("http://", "https://")):
            raise SubscriptionRefusedError(422, "url", f"url {url!r} is not an http:// or https:// URL")
        unknown = sorted(set(event_types) - set(EVENT_TYPES))
        if unknown or not event_types:
            raise SubscriptionRefusedError(
                422, "event_types", f"event_types {sorted(event_types)} must be some of {', '.join(EVENT_TYPES)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
        try:
            key = WebhookSecret.generate() if secret is None else WebhookSecret.parse(secret)
        except ValueError as exc:
            raise SubscriptionRefusedError(422, "secret", str(exc)) from exc
        now = self.clock.now()
        row = SubscriptionRow(id=f"wh_{_secrets.token_hex(6)}", kind="webhook", url=url, secret=key.text,
                              event_types=tuple(sorted(set(event_types))), created_at=now, created_by=by,
                              removed_at=None, cursor=self.store.last_event_id())
        with self.store.transaction() as tx:
            tx.put_subscription(row)
            tx.append_event(now, "webhook_subscribed", {"subscription": row.id, "url": url,
                                                         "event_types": list(row.event_types), "by": by})
        log.info("webhook %s subscribed by %s: %s for %s", row.id, by, url, ", ".join(row.event_types))
        return row

    def unsubscribe(self, sub_id: str, *, by: str) -> SubscriptionRow:
        """Tell ``sub_id`` nothing more (what is queued for it stays unsent); its ``webhook_failing`` alert, if
        open, clears: no subscription is left to fail."""
        row = self._subscription(sub_id)
        if row.kind != "webhook":
            raise SubscriptionRefusedError(409, "id", f"{sub_id} is the EPCIS capture of --epcis-capture-url:"
                                           " restart central without it to stop it")
        now = self.clock.now()
        removed = replace(row, removed_at=now)
        with self.store.transaction() as tx:
            tx.put_subscription(removed)
            tx.append_event(now, "webhook_unsubscribed", {"subscription": sub_id, "by": by})
        self.alerts.clear("webhook_failing", sub_id, now)
        return removed

    def retry(self, sub_id: str, message_id: str, *, by: str) -> DeliveryRow:
        """Queue dead delivery ``message_id`` again, due now, its attempts counted from zero (a pending one is
        left as it is; a delivered one is refused, 409)."""
        self._subscription(sub_id)
        row = self.store.delivery(sub_id, message_id)
        if row is None:
            raise SubscriptionRefusedError(404, "message_id", f"no delivery {message_id!r} for webhook {sub_id}")
        if row.state == "pending":
            return row
        if row.state == "delivered":
            raise SubscriptionRefusedError(409, "message_id", f"delivery {message_id!r} was delivered already")
        again = replace(row, state="pending", attempts=0, next_at=self.clock.now(), finished_at=None)
        with self.store.transaction() as tx:
            tx.settle_delivery(again)
            tx.append_event(self.clock.now(), "webhook_retried", {"subscription": sub_id, "message": message_id,
                                                                  "by": by})
        return again

    def _subscription(self, sub_id: str) -> SubscriptionRow:
        row = self.store.subscription(sub_id)
        if row is None or row.removed_at is not None:
            raise SubscriptionRefusedError(404, "id", f"no webhook subscription {sub_id!r}")
        return row

    # -- the outbox ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Fan out and deliver every ``every_s`` seconds, until cancelled."""
        while True:
            self.fan_out()
            await self.deliver()
            await asyncio.sleep(self.every_s)

    def _advise(self, departure: EventRow) -> dict[str, Any] | None:
        if self._advices is None or departure.id <= self._wanted_after:
            return None
        return self._advices.payload(departure)

    def fan_out(self) -> int:
        """Queue the partner events appended to the log since the last call (the first call reads the whole
        log: which pallets were received already), those after each subscription's cursor; answer how many
        deliveries were queued."""
        cursors = [s.cursor for s in self.store.subscriptions()]
        self._wanted_after = min(cursors) if cursors else self.store.last_event_id()
        self._tail.refresh()
        events, self._pending = self._pending, []
        epcis = self.epcis.take_fresh() if self.epcis is not None else []
        subs = self.store.subscriptions()
        if not subs:
            return 0
        now = self.clock.now()
        queued: list[DeliveryRow] = []
        for sub in subs:
            if sub.kind == "epcis":
                queued.extend(DeliveryRow(sub.id, log_id, "epcis", str(e["eventID"]), None, e, "pending", 0, now)
                              for log_id, e in epcis if log_id > sub.cursor)
                continue
            wanted = set(sub.event_types)
            queued.extend(
                DeliveryRow(sub.id, e.log_id, e.type, e.id, e.key, e.payload(), "pending", 0, now)
                for e in events if e.log_id > sub.cursor and e.type in wanted
            )
        with self.store.transaction() as tx:
            tx.add_deliveries(queued)
            for sub in subs:
                tx.advance_cursor(sub.id, self._tail.last_id)
        return len(queued)

    async def deliver(self) -> int:
        """Send every due delivery that its ordering key lets go; answer how many were settled (2xx)."""
        due = self._due()
        if not due:
            return 0
        heads = self.store.first_pending_by_key()
        subs = {s.id: s for s in self.store.subscriptions()}
        by_sub: dict[str, list[DeliveryRow]] = {}
        for d in due:
            if d.subscription in subs:
                by_sub.setdefault(d.subscription, []).append(d)
        done = await asyncio.gather(*(self._send_all(subs[s], rows, heads) for s, rows in by_sub.items()))
        return sum(done)

    def _due(self) -> list[DeliveryRow]:
        """The due deliveries of one round (those of a log event all in it), in the order the events happened."""
        return sorted(self.store.due_deliveries(self.clock.now(), events=_BATCH), key=_in_order)

    async def _send_all(
        self, sub: SubscriptionRow, rows: Sequence[DeliveryRow], heads: Mapping[tuple[str, str], int],
    ) -> int:
        """Send ``rows`` one after the other; of an ordering key, from its oldest pending delivery on, until
        one fails (the rest of that key waits behind it)."""
        sent = 0
        going: set[str] = set()
        held: set[str] = set()
        for row in rows:
            key = row.ordering_key
            if key is not None:
                if key in held:
                    continue
                if key not in going and heads.get((sub.id, key)) != row.event_id:
                    held.add(key)
                    continue
                going.add(key)
            if await self._send(sub, row):
                sent += 1
            elif key is not None:
                held.add(key)
        return sent

    async def _send(self, sub: SubscriptionRow, row: DeliveryRow) -> bool:
        at = self.clock.now()
        if sub.kind == "epcis":
            body = json.dumps(epcis_document([row.body], created=at), sort_keys=True).encode()
            headers = {"content-type": "application/ld+json", "user-agent": "xdock-central",
                       "GS1-EPCIS-Version": "2.0.0"}
        else:
            body = json.dumps(row.body, sort_keys=True, separators=(",", ":")).encode()
            headers = {"content-type": "application/json", "user-agent": "xdock-central", **signature_headers(
                [WebhookSecret.parse(sub.secret)], row.message_id,
                int(self.stamp() if self.stamp is not None else at.timestamp()), body)}
        posted = await self.poster.post(sub.url, body, headers)
        now = self.clock.now()
        attempts = row.attempts + 1
        if posted.ok:
            settled = replace(row, state="delivered", attempts=attempts, last_error=None, finished_at=now)
        elif self.policy.is_dead(attempts):
            settled = replace(row, state="dead", attempts=attempts, last_error=posted.why(), finished_at=now)
        else:
            wait = timedelta(seconds=self.policy.delay_after(attempts, row.message_id))
            settled = replace(row, attempts=attempts, next_at=now + wait, last_error=posted.why())
        with self.store.transaction() as tx:
            tx.settle_delivery(settled)
        if settled.state == "dead":
            log.warning("webhook %s: delivery %s dead after %d attempts (%s)", sub.id, row.message_id, attempts,
                        posted.why())
            self.alerts.raise_alert("webhook_failing", sub.id, now,
                                    f"Webhook {sub.id} ({sub.url}): {row.event_type} {row.message_id} not delivered"
                                    f" after {attempts} attempts ({posted.why()}); see its dead letters")
        elif posted.ok and self.alerts.is_open("webhook_failing", sub.id):
            self.alerts.clear("webhook_failing", sub.id, now)
        return posted.ok

    def counts(self) -> dict[tuple[str, str], int]:
        """(subscription, state) → deliveries."""
        return self.store.delivery_counts()

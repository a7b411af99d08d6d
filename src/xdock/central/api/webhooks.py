"""Webhook subscriptions over REST (see :mod:`xdock.central.partners.webhooks`).

An admin subscribes a URL to event types and gets its secret once (``POST /api/v1/webhooks``), lists
and removes subscriptions; a supervisor sees each subscription's deliveries (``?state=dead``: its dead
letters) and queues a dead one again. Refusals are problem+json naming the field: ``422`` a URL that is
not http(s), an unknown event type, a malformed secret; ``404`` an unknown subscription or delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.auth import Principal
from xdock.central.api.models import StrictIn
from xdock.central.api.problems import problem_doc
from xdock.central.partners.site_events import EVENT_TYPES
from xdock.central.partners.webhooks import SubscriptionRefusedError, Webhooks
from xdock.central.store.database import DeliveryRow, SubscriptionRow

__all__ = ["webhooks_router"]


class SubscribeIn(StrictIn):
    url: Annotated[str, Field(min_length=8, max_length=2048)]
    """Where deliveries are POSTed (http:// or https://)."""
    event_types: Annotated[list[str], Field(min_length=1, max_length=len(EVENT_TYPES))]
    """Some of ``truck_arrived``, ``truck_unloaded``, ``asn_applied``, ``asn_discrepancy``, ``pallet_received``,
    ``pallet_loaded``, ``trailer_departed``, ``pallet_late``, ``dispatch_advice``, ``pallet_split``,
    ``alert_raised``."""
    secret: Annotated[str | None, Field(max_length=200)] = None
    """``whsec_<base64>`` to sign with; none: central makes one (answered once)."""


class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    created_at: datetime
    created_by: str
    pending: int = 0
    delivered: int = 0
    dead: int = 0


class SubscribedOut(SubscriptionOut):
    secret: str
    """Shown this once: the receiver verifies each delivery's ``webhook-signature`` with it."""


class DeliveryOut(BaseModel):
    message_id: str
    event_type: str
    ordering_key: str | None
    state: Literal["pending", "delivered", "dead"]
    attempts: int
    next_at: datetime
    last_error: str | None
    finished_at: datetime | None
    body: dict[str, Any]


def _out(row: SubscriptionRow, counts: dict[tuple[str, str], int]) -> SubscriptionOut:
    return SubscriptionOut(id=row.id, url=row.url, event_types=list(row.event_types), created_at=row.created_at,
                           created_by=row.created_by, **{s: counts.get((row.id, s), 0)
                                                         for s in ("pending", "delivered", "dead")})


def _delivery(row: DeliveryRow) -> DeliveryOut:
    return DeliveryOut(message_id=row.message_id, event_type=row.event_type, ordering_key=row.ordering_key,
                       state=row.state, attempts=row.attempts, next_at=row.next_at, last_error=row.last_error,
                       finished_at=row.finished_at, body=row.body)


_NOT_FOUND = problem_doc("No such subscription or dead delivery")


_CAPTURE = problem_doc("The EPCIS capture subscription (set by central's command line)")
_DELIVERED = problem_doc("Delivered already")


def webhooks_router(webhooks: Webhooks, access: Access) -> APIRouter:
    """Routes under ``/api/v1/webhooks``."""
    router = APIRouter(prefix="/api/v1/webhooks", tags=["partners"])
    admin = Depends(access.require("admin"))
    supervisor = Depends(access.require("supervisor"))

    def refused(exc: SubscriptionRefusedError) -> FieldProblem:
        return FieldProblem(exc.status, exc.field, exc.detail)

    @router.post("", status_code=201, tags=["admin"],
                 summary="Subscribe a URL to event types (its secret is answered once)")
    async def subscribe(body: SubscribeIn, who: Principal = admin) -> SubscribedOut:
        try:
            row = webhooks.subscribe(body.url, body.event_types, by=who.name, secret=body.secret)
        except SubscriptionRefusedError as exc:
            raise refused(exc) from exc
        return SubscribedOut(**_out(row, {}).model_dump(), secret=row.secret)

    @router.get("", summary="Webhook subscriptions with their deliveries pending, delivered and dead")
    async def listed(_: Principal = supervisor) -> list[SubscriptionOut]:
        counts = webhooks.counts()
        return [_out(r, counts) for r in webhooks.store.subscriptions() if r.kind == "webhook"]

    @router.delete("/{sub_id}", tags=["admin"], responses={404: _NOT_FOUND, 409: _CAPTURE},
                   summary="Remove a subscription (nothing more is queued for it)")
    async def remove(sub_id: str, who: Principal = admin) -> SubscriptionOut:
        try:
            return _out(webhooks.unsubscribe(sub_id, by=who.name), webhooks.counts())
        except SubscriptionRefusedError as exc:
            raise refused(exc) from exc

    @router.get("/{sub_id}/deliveries", responses={404: _NOT_FOUND},
                summary="A subscription's deliveries, newest first (state=dead: its dead letters)")
    async def deliveries(
        sub_id: str, state: Literal["pending", "delivered", "dead"] | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100, _: Principal = supervisor,
    ) -> list[DeliveryOut]:
        if webhooks.store.subscription(sub_id) is None:
            raise FieldProblem(404, "id", f"no webhook subscription {sub_id!r}")
        return [_delivery(d) for d in webhooks.store.deliveries(sub_id, state=state, limit=limit)]

    @router.post("/{sub_id}/deliveries/{message_id}/retry", responses={404: _NOT_FOUND, 409: _DELIVERED},
                 summary="Queue a dead delivery again, due now")
    async def retry(sub_id: str, message_id: str, who: Principal = supervisor) -> DeliveryOut:
        try:
            return _delivery(webhooks.retry(sub_id, message_id, by=who.name))
        except SubscriptionRefusedError as exc:
            raise refused(exc) from exc

    return router

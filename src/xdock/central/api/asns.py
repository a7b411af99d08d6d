"""Advance shipping notices over REST (see :mod:`xdock.central.site.asns`): a supplier's or WMS's despatch advice
in, each inbound truck's receiving against it out.

``POST /api/v1/asns`` takes one EANCOM DESADV (``Content-Type: application/edifact``) or its JSON form
(``application/json``, :mod:`xdock.partners.desadv`); it needs the ``supervisor`` role when access
control is on. Answers ``201`` with what was applied, ``200`` for the same advice sent again (applied
once), and problem+json for a refusal, nothing of it applied: ``422`` a message that does not parse
(``detail`` names the segment and element, ``segment 14 GIN+BJ: ...``, or the JSON path), a pallet
whose final destination is none of the site's; ``409`` an SSCC another advice announced, a shipment
applied before with other content, a truck already unloaded; ``415`` another content type.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.auth import Principal
from xdock.central.api.problems import problem_doc
from xdock.central.site.asns import Receiving, announced_count
from xdock.central.site.inbound import InboundRefusedError
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import AsnRow
from xdock.partners.desadv import DesadvError, DespatchAdvice, parse_edifact, parse_json

__all__ = ["AsnOut", "ReceivingOut", "asns_router", "read_advice"]

EDIFACT_TYPES = ("application/edifact", "text/plain")
"""Content types read as EDIFACT (``application/edifact`` is the registered one; plain text is accepted
from tools that send a file as it is). ``application/edi-x12`` is ANSI X12, another syntax: 415."""


class AsnOut(BaseModel):
    id: str
    """``<supplier GLN>/<shipment id>``."""
    shipment_id: str
    supplier_gln: str
    truck: str
    received_at: datetime
    source: str
    pallets: int
    """Pallets it announced (not counting the child pallets a split made of them)."""
    applied_before: bool = False
    """The same advice had been applied before; nothing changed."""


class MismatchOut(BaseModel):
    sscc: str
    fields: dict[str, list[str | None]]
    """Field → ``[label, advice]``."""


class ReceivingOut(BaseModel):
    truck: str
    state: Literal["waiting", "arrived", "unloaded"]
    announced: int
    received: list[str]
    pending: list[str]
    short: list[str]
    over: list[str]
    mismatched: list[MismatchOut]


def read_advice(body: bytes, content_type: str, zone: tzinfo) -> DespatchAdvice:
    """The advice in ``body`` by its content type (:class:`~xdock.partners.desadv.DesadvError` if it does not read,
    :class:`ValueError` for a content type that is neither EDIFACT nor JSON); EDIFACT's times are in ``zone``
    (the site's: its formats carry no zone)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        return parse_json(body)
    if kind in EDIFACT_TYPES:
        return parse_edifact(body, zone=zone)
    raise ValueError(f"Content-Type {kind or '(none)'} is neither application/edifact nor application/json")


def asn_out(row: AsnRow, *, pallets: int, copy: bool = False) -> AsnOut:
    return AsnOut(id=row.id, shipment_id=row.shipment_id, supplier_gln=row.supplier_gln, truck=row.truck,
                  received_at=row.received_at, source=row.source, pallets=pallets, applied_before=copy)


def receiving_out(report: Receiving) -> ReceivingOut:
    return ReceivingOut(
        truck=report.truck, state=report.state,  # type: ignore[arg-type]
        announced=report.announced, received=list(report.received), pending=list(report.pending),
        short=list(report.short), over=list(report.over),
        mismatched=[MismatchOut(sscc=m.sscc, fields=m.fields) for m in report.mismatched],
    )


_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/edifact": {"schema": {"type": "string"}, "example": "UNA:+.? 'UNB+UNOC:3+...'"},
            "application/json": {"schema": {"type": "object"}},
        },
    },
}



def asns_router(site: LiveSite, access: Access) -> APIRouter:
    """Routes ``/api/v1/asns`` and ``/api/v1/inbound-trucks/{id}/receiving``."""
    router = APIRouter(prefix="/api/v1", tags=["inbound"])
    supervisor = Depends(access.require("supervisor"))
    reader = Depends(access.require("worker"))

    @router.post("/asns", status_code=201, openapi_extra=_BODY, summary="Apply a despatch advice (DESADV or JSON)",
                 responses={200: {"model": AsnOut, "description": "The same advice was applied before"},
                            409: problem_doc("An SSCC announced before, a shipment applied with other content, or a"
                                          " truck already unloaded"),
                            415: problem_doc("Neither application/edifact nor application/json")})
    async def apply(request: Request, who: Principal = supervisor) -> Any:
        body = await request.body()
        try:
            advice = read_advice(body, request.headers.get("content-type", ""), site.config.zone)
        except DesadvError as exc:
            raise FieldProblem(422, exc.path or "body", str(exc)) from exc
        except ValueError as exc:
            raise FieldProblem(415, "Content-Type", str(exc)) from exc
        try:
            applied = site.apply_asn(advice, source="api", by=who.name)
        except InboundRefusedError as exc:
            raise FieldProblem(exc.status, exc.field, exc.detail) from exc
        out = asn_out(applied.asn, pallets=applied.pallets, copy=applied.copy)
        return JSONResponse(out.model_dump(mode="json"), status_code=200 if applied.copy else 201)

    @router.get("/asns", summary="Despatch advices applied, oldest first")
    async def listed(truck: str | None = None, limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
                     _: Principal = reader) -> list[AsnOut]:
        rows = [r for r in site.asns() if truck is None or r.truck == truck][:limit]
        return [asn_out(r, pallets=announced_count(r)) for r in rows]

    @router.get("/inbound-trucks/{truck_id}/receiving", responses={404: problem_doc("No such truck")},
                summary="The truck's pallets against its advices: received, pending, short, over, mismatched")
    async def receiving(truck_id: str, _: Principal = reader) -> ReceivingOut:
        try:
            return receiving_out(site.receiving(truck_id))
        except InboundRefusedError as exc:
            raise FieldProblem(exc.status, exc.field, exc.detail) from exc

    return router

"""The breakdown station over REST (see :mod:`xdock.central.site.breakdown`): mixed pallets waiting to be split,
the split itself, and the child pallets' labels.

``GET /api/v1/breakdown``: the pallets at breakdown areas with their lines by destination.
``POST /api/v1/breakdown/{sscc}/split`` (no body: one child per destination; or ``{"children": [{"destination",
"lines": [{"gtin", "quantity"}]}]}``) answers the children, where each goes, and whether their labels
printed (``--label-printer``). ``GET /api/v1/breakdown/{sscc}/labels`` is the children's ZPL; ``POST
/api/v1/breakdown/{sscc}/labels/print`` sends it to the printer again. Refusals are problem+json naming the
field: 404 unknown pallet, 409 not at a breakdown area / no notice / no ``sscc_prefix`` / not split, 422 a
grouping that does not add up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.auth import Principal
from xdock.central.api.models import StrictIn
from xdock.central.api.problems import problem_doc
from xdock.central.partners.label_printing import LabelPrinter, Printed, child_labels
from xdock.central.site.breakdown import BreakdownError, Child, ChildPlan
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import AnnouncedLine
from xdock.protocol.identifiers import Gtin, Id

__all__ = ["breakdown_router"]


class LineIn(StrictIn):
    gtin: Gtin
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]


class ChildIn(StrictIn):
    destination: Id
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)]


class SplitIn(StrictIn):
    children: Annotated[list[ChildIn], Field(min_length=1, max_length=50)] | None = None
    """How to group the pallet's lines (none: one child per destination of its advance shipping notice)."""


class LineOut(BaseModel):
    gtin: str
    quantity: int
    destination: str | None = None


class MixedOut(BaseModel):
    sscc: str
    area: str | None
    first_seen: datetime
    destinations: list[str]
    lines: list[LineOut]


class ChildOut(BaseModel):
    sscc: str
    destination: str
    state: str
    """``assigned`` (a trailer), ``staged``, or ``unrouted`` (no place yet)."""
    target: str | None
    trailer: str | None
    door: str | None
    lines: list[LineOut]


class PrintedOut(BaseModel):
    printer: str | None
    printed: bool
    error: str | None = None


class SplitOut(BaseModel):
    parent: str
    children: list[ChildOut]
    labels: PrintedOut


def _lines(lines: tuple[AnnouncedLine, ...]) -> list[LineOut]:
    return [LineOut(gtin=x.gtin, quantity=x.quantity, destination=x.destination) for x in lines]


def _child(c: Child) -> ChildOut:
    return ChildOut(sscc=c.sscc, destination=c.destination, state=c.row.state, target=c.row.target,
                    trailer=c.row.trailer, door=c.row.door, lines=_lines(c.lines))



def breakdown_router(site: LiveSite, access: Access, printer: LabelPrinter | None) -> APIRouter:
    router = APIRouter(prefix="/api/v1/breakdown", tags=["breakdown"], dependencies=[Depends(access.require("worker"))])
    worker = Depends(access.require("worker"))
    errors: dict[int | str, dict[str, Any]] = {
        404: problem_doc("No such pallet"), 409: problem_doc("Not at a breakdown area, no notice, not split")}

    async def _print(zpl: str) -> Printed:
        return Printed(None, False, "no label printer configured") if printer is None else await printer.send(zpl)

    def _children(parent: str) -> list[Child]:
        kids = site.children_of(parent)
        if not kids:
            raise FieldProblem(409 if parent in site.state.pallets else 404, "sscc",
                               f"pallet {parent} has not been split" if parent in site.state.pallets
                               else f"no pallet {parent} has been scanned at {site.config.site}")
        return kids

    @router.get("", summary="Mixed pallets waiting at breakdown areas, with their lines by destination")
    async def waiting() -> list[MixedOut]:
        out = []
        for row in site.mixed_pallets():
            notice = site.announced_pallet(row.sscc)
            out.append(MixedOut(sscc=row.sscc, area=row.target, first_seen=row.first_seen,
                                destinations=list(row.destinations),
                                lines=_lines(notice.lines) if notice is not None else []))
        return out

    @router.post("/{sscc}/split", status_code=201, responses={**errors, 422: problem_doc("Lines do not add up")},
                 summary="Split a mixed pallet into child pallets (new SSCCs, routed, labels printed)")
    async def split(sscc: str, body: SplitIn | None = None, who: Principal = worker) -> SplitOut:
        plans = None if body is None or body.children is None else [
            ChildPlan(c.destination, tuple((x.gtin, x.quantity) for x in c.lines)) for c in body.children]
        try:
            made = site.split_pallet(sscc, children=plans, by=who.name)
        except BreakdownError as exc:
            raise FieldProblem(exc.status, exc.field, exc.detail) from exc
        printed = await _print(child_labels(site.config, sscc, made))
        return SplitOut(parent=sscc, children=[_child(c) for c in made],
                        labels=PrintedOut(printer=printed.printer, printed=printed.printed, error=printed.error))

    @router.get("/{sscc}/labels", response_class=PlainTextResponse, responses=errors,
                summary="The ZPL labels of a split pallet's children")
    async def labels(sscc: str) -> PlainTextResponse:
        return PlainTextResponse(child_labels(site.config, sscc, _children(sscc)), media_type="application/zpl")

    @router.post("/{sscc}/labels/print", responses=errors, summary="Print a split pallet's children's labels again")
    async def reprint(sscc: str) -> PrintedOut:
        printed = await _print(child_labels(site.config, sscc, _children(sscc)))
        return PrintedOut(printer=printed.printer, printed=printed.printed, error=printed.error)

    return router

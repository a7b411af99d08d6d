"""``GET /api/v1/trailers/{trailer_id}/desadv``: a departed trailer's dispatch advice (see
:mod:`xdock.central.partners.dispatch_advice`), as JSON (default) or as an EANCOM DESADV interchange
(``?format=edifact``, ``application/edifact``). ``404`` an unknown trailer, or no GLN to name the site or
the destination; ``409`` a trailer not departed yet.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.problems import problem_doc
from xdock.central.partners.dispatch_advice import DispatchAdviceError, DispatchAdvices
from xdock.central.site.live_site import LiveSite
from xdock.partners.desadv import to_json

__all__ = ["dispatch_advice_router"]



def dispatch_advice_router(advices: DispatchAdvices, site: LiveSite, access: Access) -> APIRouter:
    router = APIRouter(prefix="/api/v1/trailers", tags=["partners"], dependencies=[Depends(access.require("worker"))])

    @router.get(
        "/{trailer_id}/desadv", summary="A departed trailer's dispatch advice (DESADV): the pallets aboard",
        responses={200: {"content": {"application/json": {"schema": {"type": "object"}},
                                     "application/edifact": {"schema": {"type": "string"}}},
                         "description": "The advice"},
                   404: problem_doc("No such trailer, or no GLN for the site or its destination"),
                   409: problem_doc("The trailer has not departed")},
    )
    async def desadv(trailer_id: str, format: Literal["json", "edifact"] = "json") -> Response:
        try:
            advice = advices.advice(trailer_id, known=trailer_id in site.state.trailers)
        except DispatchAdviceError as exc:
            raise FieldProblem(exc.status, "trailer_id", exc.detail) from exc
        if format == "edifact":
            return Response(advices.edifact(advice, prepared_at=advice.issued_at), media_type="application/edifact")
        return JSONResponse(to_json(advice))

    return router

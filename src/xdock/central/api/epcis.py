"""``GET /api/v1/epcis/events``: the site's physical steps as a GS1 EPCIS 2.0 document (see
:mod:`xdock.central.partners.epcis_log`).

Takes a subset of the EPCIS 2.0 query parameters: ``eventType``, ``GE_eventTime``, ``LT_eventTime``,
``EQ_bizStep``, ``MATCH_epc`` (comma-separated; URN patterns with ``*``), ``perPage`` (1-1000, default
100) and ``nextPageToken``. The answer is an ``EPCISDocument`` (``application/ld+json``); when more
events match, a ``Link: <…&nextPageToken=…>; rel="next"`` header gives the next page. A bad parameter is
problem+json naming it (``422``); a site file without ``gln`` and ``gs1_company_prefix_length`` tells no
EPCIS (``404``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from xdock.central.api.access import Access, FieldProblem
from xdock.central.api.problems import problem_doc
from xdock.central.partners.epcis_log import EpcisLog
from xdock.partners.epcis import EpcisQueryError, QueryParams, epcis_document, select
from xdock.protocol.clock import Clock

__all__ = ["epcis_router"]

_PARAMETERS: dict[str, dict[str, Any]] = {
    "eventType": {"type": "string", "description": "ObjectEvent, AggregationEvent, ... (comma-separated)"},
    "GE_eventTime": {"type": "string", "format": "date-time"},
    "LT_eventTime": {"type": "string", "format": "date-time"},
    "EQ_bizStep": {"type": "string", "description": "receiving, loading, ... or their CBV URIs (comma-separated)"},
    "MATCH_epc": {"type": "string", "description": "EPCs or URN patterns ending in * (comma-separated)"},
    "perPage": {"type": "integer", "minimum": 1, "maximum": 1000},
    "nextPageToken": {"type": "string", "description": "From the previous page's Link header"},
}


def epcis_router(epcis: EpcisLog | None, clock: Clock, access: Access) -> APIRouter:
    router = APIRouter(prefix="/api/v1/epcis", tags=["partners"], dependencies=[Depends(access.require("worker"))])

    @router.get(
        "/events", summary="The site's EPCIS 2.0 events (a subset of the standard query parameters)",
        response_class=JSONResponse,
        responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}},
                          "description": "An EPCISDocument"},
                   404: problem_doc("The site file gives no GLN"), 422: problem_doc("A parameter refused (named)")},
        openapi_extra={"parameters": [{"name": n, "in": "query", "required": False, "schema": schema}
                                      for n, schema in _PARAMETERS.items()]},
    )
    async def events(request: Request) -> Any:
        if epcis is None:
            raise FieldProblem(404, "gln", "the site file gives no gln and gs1_company_prefix_length: no EPCIS events")
        try:
            params = QueryParams.parse(dict(request.query_params))
            page, token = select(epcis.all(), params)
        except EpcisQueryError as exc:
            raise FieldProblem(422, str(exc).split(":", 1)[0], str(exc)) from exc
        headers = {}
        if token is not None:
            query = {k: v for k, v in request.query_params.items() if k != "nextPageToken"} | {"nextPageToken": token}
            headers["Link"] = f'<{request.url.path}?{urlencode(query)}>; rel="next"'
        document = epcis_document([dict(e) for e in page], created=clock.now())
        return JSONResponse(document, headers=headers, media_type="application/ld+json")

    return router

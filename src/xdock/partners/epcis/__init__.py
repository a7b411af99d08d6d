"""GS1 EPCIS 2.0 events of the dock floor, for the site's partners: what central recorded, as JSON-LD (pure).

Central hands one :class:`Step` per physical step (receiving, staging, loading, departing, breakdown);
:func:`events_for` makes its events (the mapping is the table in :mod:`.events`), :func:`epcis_document`
wraps them for sending, and :func:`select` answers a partner's query (:class:`QueryParams`) page by page.
The site's places and assets are named through :class:`SiteIdentity` (SGLN, GIAI), pallets by their SSCC's
GS1 Digital Link URI (:func:`sscc_uri`). Refusals are :class:`EpcisError` naming the field.
"""

from xdock.partners.epcis.document import EPCIS_CONTEXT, epcis_document
from xdock.partners.epcis.epc_uris import sscc_uri, sscc_urn
from xdock.partners.epcis.errors import EpcisError, EpcisQueryError
from xdock.partners.epcis.events import event_for, event_id, events_for
from xdock.partners.epcis.query import QueryParams, select
from xdock.partners.epcis.site import SiteIdentity
from xdock.partners.epcis.steps import Reading, Step, StepKind

__all__ = [
    "EPCIS_CONTEXT",
    "EpcisError",
    "EpcisQueryError",
    "QueryParams",
    "Reading",
    "SiteIdentity",
    "Step",
    "StepKind",
    "epcis_document",
    "event_for",
    "event_id",
    "events_for",
    "select",
    "sscc_uri",
    "sscc_urn",
]

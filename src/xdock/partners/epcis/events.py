"""One physical step as EPCIS 2.0 events (JSON-LD, ready for ``json.dumps``): the mapping as one table.

============  ==========================================  =======  ================  ===========  ===========
kind          event                                       action   bizStep           disposition  bizLocation
============  ==========================================  =======  ================  ===========  ===========
receiving     ObjectEvent, epcList = the pallets          OBSERVE  receiving         in_progress  the site
staging       ObjectEvent, epcList = the pallets          OBSERVE  staging_outbound  in_progress  the site
loading       AggregationEvent, trailer ⊃ the pallets     ADD      loading           in_progress  the site
departing     AggregationEvent, trailer ⊃ the pallets     OBSERVE  departing         in_transit   none
breakdown     AggregationEvent, parent pallet             DELETE   unpacking         in_progress  the site
              then TransformationEvent, parent → children          repackaging       in_progress  the site
============  ==========================================  =======  ================  ===========  ===========

Why these: departing is an AggregationEvent OBSERVE, the EPCIS way to state "this parent holds these
children" without changing it, so the trailer and its pallets leave together in one event and a query on
either finds it; it has no bizLocation because the CBV's in_transit goods are at no business location. A
breakdown first disaggregates the parent pallet (the CBV's unpacking, DELETE without childEPCs: all of its
contents), then one TransformationEvent says the child pallets were made from it (the CBV's repackaging:
the packaging configuration changes); an ObjectEvent ADD of each child could not name the parent.

Every event: readPoint = the door or area (its SGLN), ``eventTime`` with its offset and
``eventTimeZoneOffset`` from ``Step.at``, ``eventID`` = ``urn:uuid:`` + uuid5 over a fixed namespace, the
step's source and the event's position in the step, so a step sent again gets the same ids. bizStep,
disposition, bizTransaction types and the sensor report's ``Temperature`` are the bare words the standard
context maps to the CBV's and GS1 vocabulary's URIs. A truck id is a ``bol`` transaction (its transport
document), an ASN shipment id a ``desadv`` (despatch advice), both on every event of the step; readings
become one sensorElement per sensor (deviceID: its GIAI), on the step's first event only, so that no
reading is counted twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

from xdock.partners.epcis.epc_uris import sscc_uri
from xdock.partners.epcis.errors import EpcisError
from xdock.partners.epcis.site import SiteIdentity
from xdock.partners.epcis.steps import Step

__all__ = ["EVENT_ID_NAMESPACE", "event_for", "event_id", "events_for"]

JsonObject = dict[str, Any]

EVENT_ID_NAMESPACE: Final = uuid.UUID("5a570ab4-7a80-4b98-a015-ad72c546a9eb")
"""xdock's uuid5 namespace for event ids; never change it, or ids already sent would change."""


def event_id(source: str, position: int) -> str:
    """The id of the event at ``position`` among those made from the step ``source``: the same for the same
    pair, whenever it is computed."""
    return f"urn:uuid:{uuid.uuid5(EVENT_ID_NAMESPACE, f'{source}#{position}')}"


def event_for(step: Step, site: SiteIdentity) -> JsonObject:
    """The one event a receiving, staging, loading or departing step becomes (a breakdown makes two:
    :func:`events_for`)."""
    events = events_for(step, site)
    if len(events) != 1:
        raise EpcisError(f"kind: a {step.kind} step makes {len(events)} events: use events_for")
    return events[0]


def events_for(step: Step, site: SiteIdentity) -> list[JsonObject]:
    """Every event ``step`` becomes, in the order they happened: one, or two for a breakdown."""
    pallets = [sscc_uri(sscc) for sscc in step.ssccs]
    match step.kind:
        case "receiving":
            events = [_header(step, "ObjectEvent", 0) | {"epcList": pallets, "action": "OBSERVE"}
                      | _context(step, site, "receiving", "in_progress")]
        case "staging":
            events = [_header(step, "ObjectEvent", 0) | {"epcList": pallets, "action": "OBSERVE"}
                      | _context(step, site, "staging_outbound", "in_progress")]
        case "loading":
            events = [_header(step, "AggregationEvent", 0) | _aggregation(step, site, pallets, "ADD")
                      | _context(step, site, "loading", "in_progress")]
        case "departing":
            events = [_header(step, "AggregationEvent", 0) | _aggregation(step, site, pallets, "OBSERVE")
                      | _context(step, site, "departing", "in_transit", at_site=False)]
        case "breakdown":
            children = [sscc_uri(sscc) for sscc in step.children]
            events = [
                _header(step, "AggregationEvent", 0) | {"parentID": pallets[0], "action": "DELETE"}
                | _context(step, site, "unpacking", "in_progress"),
                _header(step, "TransformationEvent", 1) | {"inputEPCList": pallets, "outputEPCList": children}
                | _context(step, site, "repackaging", "in_progress"),
            ]
    sensors = _sensor_elements(step, site)
    if sensors:
        events[0]["sensorElementList"] = sensors
    return events


def _header(step: Step, event_type: str, position: int) -> JsonObject:
    return {
        "type": event_type,
        "eventTime": step.at.isoformat(),
        "eventTimeZoneOffset": _offset(step.at),
        "eventID": event_id(step.source, position),
    }


def _offset(at: datetime) -> str:
    offset = at.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds()) // 60  # a Step's time is aware
    hours, rest = divmod(abs(minutes), 60)
    return f"{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"


def _aggregation(step: Step, site: SiteIdentity, pallets: list[str], action: str) -> JsonObject:
    try:
        parent = site.trailer_epc(step.trailer or "")  # a loading or departing Step has its trailer
    except EpcisError as exc:
        raise EpcisError(f"trailer: {exc}") from exc
    return {"parentID": parent, "childEPCs": pallets, "action": action}


def _context(step: Step, site: SiteIdentity, biz_step: str, disposition: str, *, at_site: bool = True) -> JsonObject:
    context: JsonObject = {
        "bizStep": biz_step,
        "disposition": disposition,
        "readPoint": {"id": site.sgln(step.location)},
    }
    if at_site:
        context["bizLocation"] = {"id": site.sgln()}
    transactions = [
        {"type": kind, "bizTransaction": _transaction(site, field, value)}
        for kind, field, value in (("bol", "truck", step.truck), ("desadv", "shipment_id", step.shipment_id))
        if value is not None
    ]
    if transactions:
        context["bizTransactionList"] = transactions
    return context


def _transaction(site: SiteIdentity, field: str, value: str) -> str:
    try:
        return site.transaction_uri(value)
    except EpcisError as exc:
        raise EpcisError(f"{field}: {exc}") from exc


def _sensor_elements(step: Step, site: SiteIdentity) -> list[JsonObject]:
    elements: dict[str, JsonObject] = {}
    for index, reading in enumerate(step.readings):
        if reading.sensor_id not in elements:
            try:
                device = site.sensor_epc(reading.sensor_id)
            except EpcisError as exc:
                raise EpcisError(f"readings[{index}].sensor_id: {exc}") from exc
            elements[reading.sensor_id] = {"sensorMetadata": {"deviceID": device}, "sensorReport": []}
        elements[reading.sensor_id]["sensorReport"].append(
            {"type": "Temperature", "time": reading.at.isoformat(), "value": float(reading.value_c), "uom": "CEL"}
        )
    return list(elements.values())

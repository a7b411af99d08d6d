"""An EPCIS document around our events: its exact envelope, valid against GS1's schema."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from epcis_samples import CREATED, SITE, schema_errors, step

from xdock.partners.epcis import EPCIS_CONTEXT, EpcisError, epcis_document, event_for, events_for


def test_the_document_envelope() -> None:
    events = [event_for(step("receiving"), SITE), event_for(step("loading"), SITE)]
    assert epcis_document(iter(events), created=CREATED) == {
        "@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-05T12:00:00+01:00",
        "epcisBody": {"eventList": events},
    }
    assert EPCIS_CONTEXT == "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


def test_a_day_of_every_kind_in_one_document_is_valid_and_json_ready() -> None:
    events = [e for kind in ("receiving", "staging", "breakdown", "loading", "departing")
              for e in events_for(step(kind), SITE)]
    assert schema_errors(events) == []
    document = epcis_document(events, created=CREATED)
    assert json.loads(json.dumps(document)) == document
    assert [e["type"] for e in document["epcisBody"]["eventList"]] == [
        "ObjectEvent", "ObjectEvent", "AggregationEvent", "TransformationEvent", "AggregationEvent",
        "AggregationEvent",
    ]


def test_an_empty_document_is_valid() -> None:
    assert schema_errors([]) == []


def test_a_naive_creation_date_is_refused() -> None:
    with pytest.raises(EpcisError) as raised:
        epcis_document([], created=datetime(2024, 3, 5, 12, 0))
    assert str(raised.value) == (
        "created: expected an aware datetime (with its UTC offset), got naive 2024-03-05T12:00:00"
    )

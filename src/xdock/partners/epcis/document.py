"""An EPCIS 2.0 document: the envelope that carries events to a partner (capture interface, file, webhook)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from xdock.partners.epcis.steps import check_event_time

__all__ = ["EPCIS_CONTEXT", "SCHEMA_VERSION", "epcis_document"]

EPCIS_CONTEXT: Final = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
"""The standard JSON-LD context: it maps the bare words of the events (``receiving``, ``in_progress``,
``Temperature``) to the CBV's and GS1 vocabulary's URIs."""
SCHEMA_VERSION: Final = "2.0"


def epcis_document(events: Iterable[dict[str, Any]], *, created: datetime) -> dict[str, Any]:
    """An ``EPCISDocument`` holding ``events`` in their order, created at ``created`` (aware)."""
    check_event_time("created", created)
    return {
        "@context": EPCIS_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": created.isoformat(),
        "epcisBody": {"eventList": list(events)},
    }

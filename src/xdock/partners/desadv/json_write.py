"""Writing a despatch advice as JSON: the model's fields by name, times ISO 8601 in UTC, dates ``YYYY-MM-DD``.

::

    {"shipment_id": "DES-0042", "issued_at": "2024-05-02T06:30:00Z", "expected_arrival": null,
     "supplier_gln": "...", "consignee_gln": "...", "ultimate_consignee_gln": null,
     "carrier": {"gln": null, "name": "Rapid Freight"}, "truck_id": "AB-123-CD",
     "pallets": [{"sscc": "...", "lines": [{"gtin": "...", "quantity": 24, "best_before": "2024-06-01",
                  "batch": null, "final_destination_gln": "..."}],
                  "max_temp_c": 8.0, "min_temp_c": 2.0,
                  "dangerous_goods": [{"adr_class": "3", "un_number": "1203"}], "gross_weight_kg": 412.5}]}

Every field is written, ``null`` when absent; a line's ``final_destination_gln`` is the resolved one.
"""

from __future__ import annotations

from typing import Any

from xdock.partners.desadv.model import DespatchAdvice

__all__ = ["to_json"]


def to_json(advice: DespatchAdvice) -> dict[str, Any]:
    """``advice`` as a JSON-ready ``dict`` (``json.dumps`` takes it as it is)."""
    return advice.model_dump(mode="json")

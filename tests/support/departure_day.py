"""A morning that ends with a trailer leaving, for the tests of what central tells partners of it (EPCIS
events, the dispatch advice), and GS1's EPCIS 2.0 schema to check the documents against.

:data:`SITE` is site ``t`` (GLN :data:`SITE_GLN`: company prefix 3761303, location reference 20000) in
Paris time: inbound door D1; T-LYON-1 loads at D12 for LYON (GLN :data:`~support.sites.LYON_GLN`) and
carries the temperature logger TS-1 (TS-9, a humidity logger, rides along); T-PARIS-1 at D14 for PARIS,
which has no GLN; NICE has no trailer, so its pallets wait in staging area S1.

:func:`play_day` is the morning at :data:`~support.scans.AT` (07:00 UTC): supplier :data:`SUPPLIER_GLN`'s
:data:`NOTICE` (shipment ``SHIP/42``, truck TRK-9) announces pallet 1 (two lines to LYON, dangerous goods
of classes 3 and 8); pallets 1-3 are scanned for LYON at D1 (pallet 2's label says 380 kg), pallet 4 for
NICE (staged in S1); at 07:01 pallets 1 and 2 are confirmed loaded at D12 and TS-1 reads 4.5 °C; at
07:02 T-LYON-1 departs, pallet 3 left behind. :func:`log_id` finds the id of a log event it wrote.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from support.scans import AT, scan, sscc
from support.sites import LYON_GLN, NICE, destination, outbound, sensor, site_config, staging, trailer
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import Store
from xdock.partners.desadv import DangerousGoods, DespatchAdvice, PalletAdvice, TradeItemLine
from xdock.protocol.clock import ManualClock
from xdock.protocol.sensors import SensorReading

__all__ = [
    "GTIN_A", "GTIN_B", "NOTICE", "SITE", "SITE_GLN", "SUPPLIER_GLN", "log_id", "play_day", "reading",
    "schema_errors",
]

SITE_GLN = "3761303200005"
SUPPLIER_GLN = "4012345000009"
GTIN_A, GTIN_B = "4012345111118", "4012345222227"

SITE = site_config(
    gln=SITE_GLN, gs1_company_prefix_length=7,
    more_doors=[outbound("D14", 30, 30)],
    areas=[staging()],
    destinations=[destination(glns=[LYON_GLN]), destination("PARIS", ["75*"]), NICE],
    trailers=[trailer(), trailer("T-PARIS-1", "D14", "PARIS", departure="18:00")],
    sensors=[sensor("TS-1", "temperature", trailer="T-LYON-1"), sensor("TS-9", "humidity", trailer="T-LYON-1")],
)

NOTICE = DespatchAdvice(
    shipment_id="SHIP/42", issued_at=AT - timedelta(hours=2), supplier_gln=SUPPLIER_GLN, consignee_gln=SITE_GLN,
    truck_id="TRK-9",
    pallets=(PalletAdvice(
        sscc=sscc(1),
        lines=(TradeItemLine(gtin=GTIN_A, quantity=24, best_before=date(2026, 12, 31), final_destination_gln=LYON_GLN),
               TradeItemLine(gtin=GTIN_B, quantity=12, final_destination_gln=LYON_GLN)),
        dangerous_goods=(DangerousGoods(adr_class="3", un_number="1203"),
                         DangerousGoods(adr_class="8", un_number="1760")),
        gross_weight_kg=412.5,
    ),),
)


def reading(seq: int, sensor_id: str, value: float, clock: ManualClock, kind: str = "temperature") -> SensorReading:
    """Logger ``sensor_id``'s reading ``value`` (°C, or %RH for a humidity logger) at the clock's now, from edge e9."""
    unit = {"temperature": "C", "humidity": "%RH"}[kind]
    return SensorReading.model_validate({"edge_id": "e9", "seq": seq, "sensor_id": sensor_id, "kind": kind,
                                         "value": value, "unit": unit, "at": clock.now()})


def play_day(site: LiveSite, clock: ManualClock) -> None:
    """The morning of the module docstring, on ``site`` whose clock ``clock`` stands at 07:00 UTC."""
    site.apply_asn(NOTICE, source="api", by="x")
    site.apply_scan(scan(1))
    site.apply_scan(scan(2, weight_kg=380.0))
    site.apply_scan(scan(3))
    site.apply_scan(scan(4, postal="06000"))
    clock.advance(60)
    site.confirm_load(sscc(1), "D12", device="h1")
    site.confirm_load(sscc(2), "D12", device="h1")
    site.apply_reading(reading(1, "TS-1", 4.5, clock))
    site.apply_reading(reading(2, "TS-9", 55.0, clock, kind="humidity"))
    clock.advance(60)
    site.depart_trailer("T-LYON-1", by="sue")


def log_id(store: Store, kind: str, sscc: str | None = None, nth: int = 0) -> int:
    """The id of the ``nth`` log event of ``kind`` (about pallet ``sscc``, if given)."""
    found = [e.id for e in store.events(after=0, limit=10_000)
             if e.kind == kind and (sscc is None or e.sscc == sscc)]
    return found[nth]


@cache
def _validator() -> jsonschema_rs.Draft7Validator:
    path = Path(__file__).parents[1] / "partners" / "epcis" / "data" / "EPCIS-JSON-Schema.json"
    return jsonschema_rs.Draft7Validator(json.loads(path.read_text(encoding="utf-8")), validate_formats=True)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """What GS1's EPCIS 2.0 JSON Schema finds wrong with ``document`` (nothing, for a valid one)."""
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in _validator().iter_errors(document)]

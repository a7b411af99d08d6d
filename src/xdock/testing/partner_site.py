"""A site that talks to its partners, for tests and benchmarks: GLNs for itself and its destinations, its own SSCC
range, a breakdown area; and a supplier's despatch advice for it (one pallet mixed between LYON and PARIS, one for
PARIS, one for LYON)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xdock.central.site_file.config import SiteConfig, parse_site
from xdock.partners.desadv import DespatchAdvice, PalletAdvice, TradeItemLine

__all__ = [
    "GTIN_A", "GTIN_B", "LYON_GLN", "MIXED", "PARIS_GLN", "SITE_GLN", "START", "SUPPLIER_GLN", "TO_LYON", "TO_PARIS",
    "advice", "partner_site",
]

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SITE_GLN = "3761303200005"
LYON_GLN = "3761303211001"
PARIS_GLN = "3761303212008"
SUPPLIER_GLN = "4012345000009"
GTIN_A, GTIN_B = "4012345111118", "4012345222227"
MIXED, TO_PARIS, TO_LYON = "340123450000000017", "340123450000000024", "340123450000000031"


_SITE = f"""
site: t
gln: "{SITE_GLN}"
gs1_company_prefix_length: 7
sscc_prefix: "03761303"
timezone: Europe/Paris
doors:
  - {{id: D1, role: inbound, x: 0, y: 0}}
  - {{id: D12, role: outbound, x: 10, y: 30}}
  - {{id: D14, role: outbound, x: 30, y: 30}}
areas:
  - {{id: S1, kind: staging, x: 5, y: 5}}
  - {{id: B1, kind: breakdown, x: 8, y: 10}}
destinations:
  - {{id: LYON, name: Lyon, postal_codes: ["69*"], glns: ["{LYON_GLN}"]}}
  - {{id: PARIS, name: Paris, postal_codes: ["75*"], glns: ["{PARIS_GLN}"]}}
trailers:
  - {{id: T-LYON-1, door: D12, destination: LYON, capacity_pallets: 33, departure: "16:40"}}
  - {{id: T-PARIS-1, door: D14, destination: PARIS, capacity_pallets: 33, departure: "18:00"}}
"""


def partner_site() -> SiteConfig:
    """Inbound D1; LYON loads at D12 (T-LYON-1), PARIS at D14 (T-PARIS-1); breakdown area B1, staging S1."""
    return parse_site(_SITE, "partner_site")


def advice(*, shipment: str = "DES-1", truck: str = "TRUCK-1", pallets: tuple[PalletAdvice, ...] | None = None,
           eta: datetime = START + timedelta(hours=1)) -> DespatchAdvice:
    """A supplier's advice: MIXED (6 x A to LYON, 4 x B to PARIS), TO_PARIS (10 x B), TO_LYON (8 x A)."""
    default = (
        PalletAdvice(sscc=MIXED, lines=(
            TradeItemLine(gtin=GTIN_A, quantity=6, final_destination_gln=LYON_GLN),
            TradeItemLine(gtin=GTIN_B, quantity=4, final_destination_gln=PARIS_GLN),
        )),
        PalletAdvice(sscc=TO_PARIS, lines=(TradeItemLine(gtin=GTIN_B, quantity=10, final_destination_gln=PARIS_GLN),)),
        PalletAdvice(sscc=TO_LYON, lines=(TradeItemLine(gtin=GTIN_A, quantity=8, final_destination_gln=LYON_GLN),)),
    )
    return DespatchAdvice(
        shipment_id=shipment, issued_at=START, expected_arrival=eta, supplier_gln=SUPPLIER_GLN,
        consignee_gln=SITE_GLN, truck_id=truck, pallets=default if pallets is None else pallets,
    )

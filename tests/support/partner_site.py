"""A site that talks to its partners: GLNs for itself and its destinations, its own SSCC range, a breakdown area;
and a supplier's despatch advice for it (one pallet mixed between LYON and PARIS, one for PARIS, one for LYON)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support.sites import LYON_GLN, destination, inbound, outbound, site_config, staging, trailer
from xdock.central.site_file.config import SiteConfig
from xdock.partners.desadv import DespatchAdvice, PalletAdvice, TradeItemLine

__all__ = [
    "GTIN_A", "GTIN_B", "LYON_GLN", "MIXED", "PARIS_GLN", "SITE_GLN", "START", "SUPPLIER_GLN", "TO_LYON", "TO_PARIS",
    "advice", "partner_site",
]

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SITE_GLN = "3761303200005"
PARIS_GLN = "3761303212008"
SUPPLIER_GLN = "4012345000009"
GTIN_A, GTIN_B = "4012345111118", "4012345222227"
MIXED, TO_PARIS, TO_LYON = "340123450000000017", "340123450000000024", "340123450000000031"


def partner_site() -> SiteConfig:
    """Inbound D1; LYON loads at D12 (T-LYON-1), PARIS at D14 (T-PARIS-1); breakdown area B1, staging S1."""
    return site_config(
        gln=SITE_GLN, gs1_company_prefix_length=7, sscc_prefix="03761303",
        doors=[inbound("D1", 0, 0), outbound("D12", 10, 30), outbound("D14", 30, 30)],
        areas=[staging(y=5), staging("B1", 8, 10, kind="breakdown")],
        destinations=[destination(glns=[LYON_GLN]), destination("PARIS", ["75*"], glns=[PARIS_GLN])],
        trailers=[trailer(), trailer("T-PARIS-1", "D14", "PARIS", departure="18:00")],
    )


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

"""The despatch advice a demo truck's supplier sends before it arrives (EANCOM DESADV), made from the scenario's truck.

One line per pallet (a trade item of its destination, a quantity from its SSCC), its final destination
the GLN the site file gives that destination, its temperature limit by the site's rules, its
dangerous-goods class with a UN number typical of the class. Central reads it as a supplier would send
it: written as an EDIFACT interchange, then read back.
"""

from __future__ import annotations

from datetime import datetime

from xdock.central.site_file.config import SiteConfig
from xdock.partners.desadv import DangerousGoods, DespatchAdvice, PalletAdvice, TradeItemLine, parse_edifact, to_edifact
from xdock.simulation.model import InboundTruck

__all__ = ["SUPPLIER_GLN", "despatch_advice", "interchange"]

SUPPLIER_GLN = "4012345000009"
"""The demo's one supplier."""
_GTINS = ("4012345111118", "4012345222227", "4012345333336")
_UN_NUMBERS = {"2.1": "1950", "3": "1203", "4.1": "1325", "5.1": "1942", "6.1": "2810", "8": "1830", "9": "3480"}
"""A UN number typical of each ADR class (aerosols, petrol, flammable solid, ammonium nitrate, toxic liquid,
sulphuric acid, lithium batteries)."""


def despatch_advice(site: SiteConfig, truck: InboundTruck, *, issued: datetime, eta: datetime) -> DespatchAdvice:
    """The advice of ``truck``'s pallets (the site file must give its GLN and each destination's)."""
    if site.gln is None:
        raise ValueError(f"site {site.site} gives no gln: no despatch advice can name it")
    glns = {d.id: d.glns[0] for d in site.destinations if d.glns}
    rules = site.rules
    pallets = []
    for n, p in enumerate(truck.pallets):
        line = TradeItemLine(gtin=_GTINS[n % len(_GTINS)], quantity=1 + int(p.sscc[-4:-1]) % 40,
                             final_destination_gln=glns[p.destination])
        limit = {"chilled": rules.chilled_max_c, "frozen": rules.frozen_max_c}.get(p.temp)
        dangerous = () if p.dangerous is None else (
            DangerousGoods(adr_class=p.dangerous, un_number=_UN_NUMBERS.get(p.dangerous, "3077")),)
        pallets.append(PalletAdvice(sscc=p.sscc, lines=(line,), max_temp_c=limit, dangerous_goods=dangerous))
    return DespatchAdvice(shipment_id=f"DES-{truck.id}"[:35], issued_at=issued, expected_arrival=eta,
                          supplier_gln=SUPPLIER_GLN, consignee_gln=site.gln, truck_id=truck.id, pallets=tuple(pallets))


def interchange(site: SiteConfig, advice: DespatchAdvice) -> tuple[str, DespatchAdvice]:
    """``advice`` as the EDIFACT interchange the supplier sends, and as central reads it back."""
    text = to_edifact(advice, sender_gln=SUPPLIER_GLN, recipient_gln=advice.consignee_gln,
                      interchange_ref=advice.shipment_id[-14:], prepared_at=advice.issued_at, zone=site.zone)
    return text, parse_edifact(text, zone=site.zone)


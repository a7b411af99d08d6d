"""Despatch advices for tests, with defaults so a test names only what it varies.

``advice(pallet(1), pallet(2, to=PARIS_GLN))`` is supplier :data:`SUPPLIER_GLN`'s shipment ``SHP-1`` to our
site (:data:`SITE_GLN`) on truck ``IN-1`` of carrier Rapid Freight, issued at :data:`ISSUED` and expected at
:data:`ETA`. ``pallet(n)`` is pallet :func:`support.scans.sscc` ``(n)`` (the pallet ``scan(seq, n=n)`` reads),
one line of 10 units going to LYON (:data:`support.sites.LYON_GLN`); ``to=(LYON_GLN, PARIS_GLN)`` gives it
one line per GLN (a mixed pallet), ``to=None`` one line naming no destination. :data:`PARIS_GLN` and
:data:`NICE_GLN` are valid GLNs a site gives its destinations in :func:`advice_site`.

:func:`edifact` writes an advice as the interchange a supplier sends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from biip.checksums import gs1_standard_check_digit

from support.scans import sscc
from support.sites import LYON_GLN, destination, site_config
from xdock.central.site_file.config import SiteConfig
from xdock.partners.desadv import Carrier, DangerousGoods, DespatchAdvice, PalletAdvice, TradeItemLine, to_edifact

__all__ = [
    "ETA", "ISSUED", "LYON_GLN", "NICE_GLN", "OTHER_SUPPLIER_GLN", "PARIS_GLN", "SITE_GLN", "SUPPLIER_GLN", "advice",
    "advice_site", "edifact", "gln", "gtin", "pallet",
]


def gln(body12: str) -> str:
    """The 13-digit GLN made of ``body12`` and its check digit."""
    return body12 + str(gs1_standard_check_digit(body12))


def gtin(n: int) -> str:
    """Trade item ``n``'s GTIN-13."""
    return gln(f"40123451{n:04d}")


SUPPLIER_GLN = gln("401234500000")
OTHER_SUPPLIER_GLN = gln("401234600000")
SITE_GLN = gln("409876500000")
PARIS_GLN = gln("376130321200")
NICE_GLN = gln("376130321300")
ISSUED = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
ETA = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def advice_site(**overrides: Any) -> SiteConfig:
    """:func:`support.sites.site_config` with LYON and PARIS knowing their GLNs (keywords as it)."""
    overrides.setdefault("destinations", [destination(glns=[LYON_GLN]),
                                          destination("PARIS", ["75*"], glns=[PARIS_GLN])])
    return site_config(**overrides)


def pallet(
    n: int, *, to: str | tuple[str, ...] | None = LYON_GLN, max_temp_c: float | None = None,
    dg: tuple[str, str] | None = None, best_before: date | None = None, weight_kg: float | None = None,
) -> PalletAdvice:
    """Pallet ``sscc(n)``: a line of 10 units per GLN of ``to``; ``dg``: its ADR (class, UN number)."""
    glns: tuple[str | None, ...] = (to,) if isinstance(to, str) else (to or (None,))
    lines = tuple(TradeItemLine(gtin=gtin(i + 1), quantity=10, best_before=best_before, final_destination_gln=g)
                  for i, g in enumerate(glns))
    goods = () if dg is None else (DangerousGoods(adr_class=dg[0], un_number=dg[1]),)
    return PalletAdvice(sscc=sscc(n), lines=lines, max_temp_c=max_temp_c, dangerous_goods=goods,
                        gross_weight_kg=weight_kg)


def advice(
    *pallets: PalletAdvice, shipment: str = "SHP-1", supplier: str = SUPPLIER_GLN, truck: str | None = "IN-1",
    eta: datetime | None = ETA, carrier: str | None = "Rapid Freight",
) -> DespatchAdvice:
    """Supplier ``supplier``'s advice of ``pallets`` (default: ``pallet(1)``)."""
    return DespatchAdvice(
        shipment_id=shipment, issued_at=ISSUED, expected_arrival=eta, supplier_gln=supplier,
        consignee_gln=SITE_GLN, carrier=None if carrier is None else Carrier(name=carrier), truck_id=truck,
        pallets=pallets or (pallet(1),),
    )


PARIS = ZoneInfo("Europe/Paris")
"""The test sites' time zone."""


def edifact(sent: DespatchAdvice, ref: str = "REF1", zone: tzinfo = PARIS) -> str:
    """``sent`` as the EDIFACT interchange its supplier sends our site, its times in the site's ``zone`` (the
    test sites' Europe/Paris)."""
    return to_edifact(sent, sender_gln=sent.supplier_gln, recipient_gln=SITE_GLN, interchange_ref=ref,
                      prepared_at=ISSUED, zone=zone)

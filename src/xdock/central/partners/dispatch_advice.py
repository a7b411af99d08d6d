"""Dispatch advice out: when an outbound trailer departs, the DESADV listing the pallets aboard.

Built from the trailer's departure in the event log (``override_trailer_departed``, which names the
pallets aboard) and what central knows of each pallet: its lines and best-before from its advance
shipping notice, its dangerous goods as that advice listed them (each UN number with its own class: the
announced pallet keeps only the first class; a child of a split pallet has its parent's), its weight
from its label, else from the notice. The site despatches (NAD+SU: the site's ``gln``), the trailer's
destination receives (NAD+DP: the destination's first GLN); the shipment id is the trailer's id and the
departure's log id, so the same departure always gives the same advice. A site file without ``gln``
gives no advice, departed or not (404).
:class:`DispatchAdvices` follows the event log and answers a departed trailer's advice, as the model
(JSON) or as an EDIFACT interchange.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import AnnouncedPalletRow, EventRow, PalletRow
from xdock.central.store.event_tail import EventTail
from xdock.partners.desadv import (
    DangerousGoods,
    DespatchAdvice,
    PalletAdvice,
    TradeItemLine,
    parse_json,
    to_edifact,
    to_json,
)

__all__ = ["DispatchAdviceError", "DispatchAdvices"]

DEPARTED = "override_trailer_departed"
_NO_SITE_GLN = "the site file gives no gln: no dispatch advice can name the site"


class DispatchAdviceError(LookupError):
    """No advice for that trailer: ``status`` 404 (unknown, no GLN to send it from or to) or 409 (not departed)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class DispatchAdvices:
    """The dispatch advice of each departed trailer (see the module docstring)."""

    def __init__(self, tail: EventTail, config: SiteConfig, *, announced: Callable[[str], AnnouncedPalletRow | None],
                 pallet: Callable[[str], PalletRow | None]) -> None:
        self.tail = tail
        self.config = config
        self.announced = announced
        self.pallet = pallet
        self._departures: dict[str, EventRow] = {}
        self._advised: dict[str, DespatchAdvice] = {}
        """The advance shipping notices read, by id (an applied notice never changes)."""
        tail.follow(self._take)

    def _take(self, event: EventRow) -> None:
        trailer = event.body.get("trailer")
        if event.kind == DEPARTED and isinstance(trailer, str) and trailer not in self._departures:
            self._departures[trailer] = event

    def advice(self, trailer_id: str, *, known: bool = True) -> DespatchAdvice:
        """Trailer ``trailer_id``'s dispatch advice (``known``: the site knows such a trailer)."""
        self.tail.refresh()
        departure = self._departures.get(trailer_id)
        if departure is None and known and self.config.gln is None:
            raise DispatchAdviceError(404, _NO_SITE_GLN)
        if departure is None:
            if not known:
                raise DispatchAdviceError(404, f"no trailer {trailer_id!r} at {self.config.site}")
            raise DispatchAdviceError(409, f"trailer {trailer_id} has not departed: its dispatch advice is not final")
        return self.of(departure)

    def of(self, departure: EventRow) -> DespatchAdvice:
        """The advice of one departure event."""
        body = departure.body
        trailer = str(body["trailer"])
        if self.config.gln is None:
            raise DispatchAdviceError(404, _NO_SITE_GLN)
        destination = next((d for d in self.config.destinations if d.id == body.get("destination")), None)
        if destination is None or not destination.glns:
            raise DispatchAdviceError(404, f"trailer {trailer}'s destination {body.get('destination')} has no GLN"
                                      " in the site file: no dispatch advice can name it")
        aboard = [str(s) for s in body.get("pallets_aboard") or ()]
        if not aboard:
            raise DispatchAdviceError(404, f"trailer {trailer} left with no pallet aboard: nothing to advise")
        return DespatchAdvice(
            shipment_id=f"{trailer}-{departure.id}"[-35:], issued_at=departure.at, expected_arrival=None,
            supplier_gln=self.config.gln, consignee_gln=destination.glns[0], truck_id=trailer,
            pallets=tuple(self._pallet(sscc, destination.glns[0]) for sscc in aboard),
        )

    def _pallet(self, sscc: str, consignee: str) -> PalletAdvice:
        notice, row = self.announced(sscc), self.pallet(sscc)
        lines = () if notice is None else tuple(
            TradeItemLine(gtin=x.gtin, quantity=x.quantity, best_before=x.best_before, final_destination_gln=consignee)
            for x in notice.lines
        )
        dangerous = () if notice is None else self._dangerous(notice)
        weight = row.weight_kg if row is not None and row.weight_kg else (notice.weight_kg if notice else None)
        return PalletAdvice(sscc=sscc, lines=lines, dangerous_goods=dangerous, gross_weight_kg=weight)

    def _dangerous(self, notice: AnnouncedPalletRow) -> tuple[DangerousGoods, ...]:
        """The dangerous goods of the pallet ``notice`` announced, as its advice listed them."""
        if notice.hazmat is None:
            return ()
        advised = self._advised.get(notice.asn)
        if advised is None and (row := self.tail.store.asn(notice.asn)) is not None:
            advised = self._advised[notice.asn] = parse_json(row.document)
        sscc = notice.parent or notice.sscc
        pallet = None if advised is None else next((p for p in advised.pallets if p.sscc == sscc), None)
        if pallet is not None:
            return pallet.dangerous_goods
        return tuple(DangerousGoods(adr_class=notice.hazmat, un_number=u) for u in notice.un_numbers)

    def edifact(self, advice: DespatchAdvice, *, prepared_at: datetime) -> str:
        """``advice`` as an interchange from the site to its consignee."""
        return to_edifact(advice, sender_gln=advice.supplier_gln, recipient_gln=advice.consignee_gln,
                          interchange_ref=advice.shipment_id[-14:], prepared_at=prepared_at, zone=self.config.zone)

    def payload(self, departure: EventRow) -> dict[str, Any] | None:
        """What a ``dispatch_advice`` webhook carries for ``departure``: the advice as JSON and as EDIFACT
        (``None``: no advice for it, see :meth:`of`)."""
        try:
            advice = self.of(departure)
        except DispatchAdviceError:
            return None
        return {"trailer": departure.body.get("trailer"), "desadv": to_json(advice),
                "edifact": self.edifact(advice, prepared_at=departure.at)}

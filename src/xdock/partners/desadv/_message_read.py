"""Reading one DESADV message, from BGM to the segment before UNT, into a :class:`DespatchAdvice`.

The message reads as D96A lays it out: the header (BGM first, then DTM, NAD, TDT) until the first CPS,
then one CPS group after another. In a CPS group the segments before its first LIN are the pallet's
(PAC, MEA, PCI+33E, GIN+BJ); each LIN opens a line group that takes PIA, QTY, DTM, DGS and LOC until the
next LIN or CPS. A CPS group with neither PCI+33E, GIN+BJ nor LIN is a level above the pallets (the
consignment's ``CPS+1``) and gives nothing. :data:`_READS` is the table of the tags we read; segments and
qualifiers outside it are passed over, and one of ours out of its place is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from typing import Final

from pydantic import ValidationError

from xdock.partners.desadv import _fields_read as read
from xdock.partners.desadv._rules import adr_class_problem, gtin_problem, shown, sscc_problem, un_number_problem
from xdock.partners.desadv._syntax import Segment
from xdock.partners.desadv.model import Carrier, DangerousGoods, DespatchAdvice, PalletAdvice, TradeItemLine

__all__ = ["MessageReader"]

_PARTIES: Final = {"SU": "supplier", "DP": "delivery party", "UC": "ultimate consignee", "CA": "carrier"}


def _once(seen: dict[str, int], segment: Segment, scope: str, kind: str | None = None) -> None:
    kind = kind or segment.label
    if kind in seen:
        raise segment.error(f"expected one {kind} per {scope}, found a second (first in segment {seen[kind]})")
    seen[kind] = segment.number


def _problem(exc: ValidationError) -> str:
    return str(exc.errors(include_url=False)[0]["msg"])


@dataclass
class _Line:
    lin: Segment
    gtin: str
    quantity: int | None = None
    best_before: date | None = None
    batch: str | None = None
    destination: str | None = None
    seen: dict[str, int] = field(default_factory=dict)


@dataclass
class _Pallet:
    cps: Segment
    marked: bool = False
    sscc: str | None = None
    gross_weight_kg: float | None = None
    min_temp_c: float | None = None
    max_temp_c: float | None = None
    dangerous_goods: list[DangerousGoods] = field(default_factory=list)
    lines: list[TradeItemLine] = field(default_factory=list)
    line: _Line | None = None
    seen: dict[str, int] = field(default_factory=dict)


class MessageReader:
    """Reads one message; ``ssccs`` (SSCC → segment number) is shared by the interchange's messages."""

    def __init__(self, ssccs: dict[str, int], zone: tzinfo = UTC) -> None:
        self._ssccs = ssccs
        self._zone = zone
        self._seen: dict[str, int] = {}
        self._header: dict[str, object] = {}
        self._parties: dict[str, str] = {}
        self._carrier: dict[str, tuple[str, int]] = {}
        self._pallet: _Pallet | None = None
        self._pallets: list[PalletAdvice] = []

    def read(self, body: Sequence[Segment], unt: Segment) -> DespatchAdvice:
        """The advice in ``body`` (the segments between UNH and ``unt``)."""
        first = body[0] if body else unt
        if first.tag != "BGM":
            raise first.error(f"expected BGM right after UNH, found {first.tag}")
        for segment in body:
            reader = _READS.get(segment.tag)
            if reader is not None:
                reader(self, segment)
        self._end_header(unt)
        self._close_pallet()
        if not self._pallets:
            raise unt.error("message without pallets: expected a CPS group with PCI+33E and GIN+BJ")
        carrier = None
        if self._carrier:
            carrier = Carrier(gln=self._carrier.get("gln", (None,))[0], name=self._carrier.get("name", (None,))[0])
        try:
            return DespatchAdvice.model_validate({
                **self._header,
                "supplier_gln": self._parties["SU"],
                "consignee_gln": self._parties["DP"],
                "ultimate_consignee_gln": self._parties.get("UC"),
                "carrier": carrier,
                "pallets": tuple(self._pallets),
            })
        except ValidationError as exc:
            raise unt.error(_problem(exc)) from exc

    # The header: BGM, DTM, NAD, TDT before the first CPS.

    def _in_header(self, segment: Segment) -> None:
        if self._pallet is not None:
            raise segment.error(f"{segment.tag} in the detail: expected it in the header, before the first CPS")

    def _in_line(self, segment: Segment) -> _Line:
        if self._pallet is None or self._pallet.line is None:
            raise segment.error(f"{segment.tag} outside a line: expected it in a LIN group")
        return self._pallet.line

    def _end_header(self, segment: Segment) -> None:
        for label, what in (("DTM+137", "issue date/time"), ("NAD+SU", "supplier"), ("NAD+DP", "delivery party")):
            if label not in self._seen:
                raise segment.error(f"message without {label}: expected the {what} in the header")

    def bgm(self, segment: Segment) -> None:
        self._in_header(segment)
        _once(self._seen, segment, "message")
        if segment.get(1) != "351":
            raise segment.error(f"document type {shown(segment.get(1))}: expected 351 (despatch advice)", "1001")
        self._header["shipment_id"] = read.text(segment, 2, 1, "shipment id", "1004")

    def dtm(self, segment: Segment) -> None:
        if self._pallet is not None:
            if self._pallet.line is not None and segment.get(1) == "361":
                _once(self._pallet.line.seen, segment, "line")
                self._pallet.line.best_before = read.day(segment)
            return
        fields = {"137": "issued_at", "132": "expected_arrival"}
        if segment.get(1) in fields:
            _once(self._seen, segment, "message")
            self._header[fields[segment.get(1)]] = read.instant(segment, self._zone)

    def nad(self, segment: Segment) -> None:
        self._in_header(segment)
        role = segment.get(1)
        if role not in _PARTIES:
            return
        _once(self._seen, segment, "message")
        if role == "CA":
            if segment.get(2):
                self._carrier_is("gln", read.gln(segment, 2, "3039"), segment)
            if segment.get(4):
                self._carrier_is("name", read.text(segment, 4, 1, "carrier name", "3036"), segment)
            return
        self._parties[role] = read.gln(segment, 2, "3039")

    def tdt(self, segment: Segment) -> None:
        self._in_header(segment)
        _once(self._seen, segment, "message")
        if segment.get(5, 1):
            self._carrier_is("gln", read.gln(segment, 5, "3127"), segment)
        if segment.get(5, 4):
            self._carrier_is("name", read.text(segment, 5, 4, "carrier name", "3128"), segment)
        if segment.get(8, 4):
            self._header["truck_id"] = read.text(segment, 8, 4, "truck id", "8212")

    def _carrier_is(self, what: str, value: str, segment: Segment) -> None:
        known, at = self._carrier.get(what, (value, segment.number))
        if known != value:
            raise segment.error(f"carrier {what} {shown(value)}: expected the same as in segment {at} ({known})")
        self._carrier[what] = (value, at)

    # The detail: CPS groups.

    def cps(self, segment: Segment) -> None:
        if self._pallet is None:
            self._end_header(segment)
        self._close_pallet()
        if not segment.get(1):
            raise segment.error("CPS without a hierarchical id: expected one", "7164")
        self._pallet = _Pallet(segment)

    def _in_pallet(self, segment: Segment) -> _Pallet:
        if self._pallet is None:
            raise segment.error(f"{segment.tag} in the header: expected it in a CPS group")
        return self._pallet

    def pac(self, segment: Segment) -> None:
        self._in_pallet(segment)

    def mea(self, segment: Segment) -> None:
        pallet = self._pallet
        if pallet is None or pallet.line is not None or segment.get(1) != "AAE":
            return
        if segment.get(2) == "AAB":
            _once(pallet.seen, segment, "pallet", "MEA+AAE+AAB")
            pallet.gross_weight_kg = read.gross_weight(segment)
        elif segment.get(2) == "TE":
            _once(pallet.seen, segment, "pallet", "MEA+AAE+TE")
            pallet.min_temp_c, pallet.max_temp_c = read.temperature_range(segment)

    def pci(self, segment: Segment) -> None:
        pallet = self._in_pallet(segment)
        if pallet.line is None and segment.get(1) == "33E":
            _once(pallet.seen, segment, "CPS group (one pallet each)")
            pallet.marked = True

    def gin(self, segment: Segment) -> None:
        pallet = self._in_pallet(segment)
        if pallet.line is not None or segment.get(1) != "BJ":
            return
        if not pallet.marked:
            raise segment.error("SSCC without PCI+33E: expected PCI+33E before the pallet's GIN+BJ")
        _once(pallet.seen, segment, "pallet")
        sscc = read.key(segment, 2, 1, sscc_problem, "7402")
        if sscc in self._ssccs:
            raise segment.error(f"SSCC {sscc}: expected once in the interchange, found again"
                                f" (first in segment {self._ssccs[sscc]})", "7402")
        self._ssccs[sscc] = segment.number
        pallet.sscc = sscc

    def lin(self, segment: Segment) -> None:
        pallet = self._in_pallet(segment)
        self._close_line()
        gtin = read.key(segment, 3, 1, gtin_problem, "7140")
        if segment.get(3, 2) != "SRV":
            raise segment.error(f"item number type {shown(segment.get(3, 2))}: expected SRV (GTIN)", "7143")
        pallet.line = _Line(segment, gtin)

    def pia(self, segment: Segment) -> None:
        line = self._in_line(segment)
        if segment.get(1) == "1" and segment.get(2, 2) == "NB":
            _once(line.seen, segment, "line")
            line.batch = read.text(segment, 2, 1, "batch", "7140")

    def qty(self, segment: Segment) -> None:
        if self._pallet is None:
            raise segment.error("QTY in the header: expected it in a CPS group")
        line = self._pallet.line
        if line is not None and segment.get(1) == "12":
            _once(line.seen, segment, "line")
            line.quantity = read.quantity(segment)

    def dgs(self, segment: Segment) -> None:
        self._in_line(segment)
        if segment.get(1) != "ADR":
            raise segment.error(f"regulation {shown(segment.get(1))}: expected ADR", "8273")
        problem = adr_class_problem(segment.get(2)) or un_number_problem(segment.get(3))
        if problem is not None:
            raise segment.error(problem, "8351" if adr_class_problem(segment.get(2)) else "7124")
        self._in_pallet(segment).dangerous_goods.append(
            DangerousGoods(adr_class=segment.get(2), un_number=segment.get(3)))

    def loc(self, segment: Segment) -> None:
        line = self._pallet.line if self._pallet is not None else None
        if line is not None and segment.get(1) == "7":
            _once(line.seen, segment, "line")
            line.destination = read.gln(segment, 2, "3225")

    def _close_line(self) -> None:
        pallet = self._pallet
        if pallet is None or pallet.line is None:
            return
        line, pallet.line = pallet.line, None
        if line.quantity is None:
            raise line.lin.error("line without QTY+12: expected the despatched quantity in its LIN group")
        try:
            pallet.lines.append(TradeItemLine(gtin=line.gtin, quantity=line.quantity, best_before=line.best_before,
                                              batch=line.batch, final_destination_gln=line.destination))
        except ValidationError as exc:
            raise line.lin.error(_problem(exc)) from exc

    def _close_pallet(self) -> None:
        self._close_line()
        pallet, self._pallet = self._pallet, None
        if pallet is None or not (pallet.marked or pallet.lines):
            return
        if pallet.sscc is None:
            raise pallet.cps.error("pallet with no SSCC: expected PCI+33E and GIN+BJ in its CPS group")
        try:
            self._pallets.append(PalletAdvice(
                sscc=pallet.sscc, lines=tuple(pallet.lines), max_temp_c=pallet.max_temp_c,
                min_temp_c=pallet.min_temp_c, dangerous_goods=tuple(pallet.dangerous_goods),
                gross_weight_kg=pallet.gross_weight_kg))
        except ValidationError as exc:
            raise pallet.cps.error(_problem(exc)) from exc


_READS: Final[dict[str, Callable[[MessageReader, Segment], None]]] = {
    "BGM": MessageReader.bgm, "DTM": MessageReader.dtm, "NAD": MessageReader.nad, "TDT": MessageReader.tdt,
    "CPS": MessageReader.cps, "PAC": MessageReader.pac, "MEA": MessageReader.mea, "PCI": MessageReader.pci,
    "GIN": MessageReader.gin, "LIN": MessageReader.lin, "PIA": MessageReader.pia, "QTY": MessageReader.qty,
    "DGS": MessageReader.dgs, "LOC": MessageReader.loc,
}
"""Tag → what reads it; other tags are passed over."""

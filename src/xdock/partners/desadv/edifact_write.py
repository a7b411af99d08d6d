"""Writing despatch advices as an EDIFACT interchange (EANCOM D96A subset: see :mod:`xdock.partners.desadv`).

The interchange opens with ``UNA:+.? '`` and UNB in syntax UNOC (ISO 8859-1: the model's free text fits),
one segment a line. Free text has ``?``, ``+``, ``:`` and ``'`` released with ``?``. Times are written in
the writer's time zone (UTC unless told), as format 203 when on the minute, else 204.
A line's LOC+7 is written only when its final destination
is not the advice's ultimate consignee (NAD+UC), and a pallet's DGS go with its first line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Final

from xdock.partners.desadv._rules import format_number, gln_problem, text_problem
from xdock.partners.desadv._syntax import DEFAULT_SERVICE_CHARACTERS
from xdock.partners.desadv.model import DespatchAdvice, PalletAdvice, TradeItemLine

__all__ = ["to_edifact", "to_edifact_all"]

_RELEASE: Final = str.maketrans({c: "?" + c for c in "?+:'"})
_REF_MAX: Final = 14
Element = str | Sequence[str]
"""A data element: one value, or its components."""


def _segment(tag: str, *elements: Element) -> str:
    """``tag`` and ``elements`` as one segment, released, trailing empty components and elements left out."""
    texts = []
    for element in elements:
        components = [element] if isinstance(element, str) else list(element)
        while components and not components[-1]:
            components.pop()
        texts.append(":".join(c.translate(_RELEASE) for c in components))
    while texts and not texts[-1]:
        texts.pop()
    return "+".join([tag, *texts]) + "'"


def _day(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"  # strftime writes year 999 as "999"


def _moment(qualifier: str, value: datetime, zone: tzinfo) -> str:
    value = value.astimezone(zone)
    minute = f"{_day(value)}{value.hour:02d}{value.minute:02d}"
    if value.second:
        return _segment("DTM", (qualifier, f"{minute}{value.second:02d}", "204"))
    return _segment("DTM", (qualifier, minute, "203"))


def _gln(value: str) -> tuple[str, str, str]:
    return (value, "", "9")


def _header(advice: DespatchAdvice, zone: tzinfo) -> list[str]:
    out = [_segment("BGM", "351", advice.shipment_id, "9"), _moment("137", advice.issued_at, zone)]
    if advice.expected_arrival is not None:
        out.append(_moment("132", advice.expected_arrival, zone))
    out += [_segment("NAD", "SU", _gln(advice.supplier_gln)), _segment("NAD", "DP", _gln(advice.consignee_gln))]
    if advice.ultimate_consignee_gln is not None:
        out.append(_segment("NAD", "UC", _gln(advice.ultimate_consignee_gln)))
    if advice.carrier is not None or advice.truck_id is not None:
        carrier = advice.carrier
        c040 = ("", "", "", "") if carrier is None else (
            carrier.gln or "", "", "9" if carrier.gln else "", carrier.name or "")
        c222 = ("", "", "", advice.truck_id or "")
        out.append(_segment("TDT", "20", "", "30", "31", c040, "", "", c222))
    return out


def _line(number: int, line: TradeItemLine, pallet: PalletAdvice, default: str | None, first: bool) -> list[str]:
    out = [_segment("LIN", str(number), "", (line.gtin, "SRV"))]
    if line.batch is not None:
        out.append(_segment("PIA", "1", (line.batch, "NB")))
    out.append(_segment("QTY", ("12", str(line.quantity))))
    if line.best_before is not None:
        out.append(_segment("DTM", ("361", _day(line.best_before), "102")))
    if first:
        out += [_segment("DGS", "ADR", d.adr_class, d.un_number) for d in pallet.dangerous_goods]
    if line.final_destination_gln is not None and line.final_destination_gln != default:
        out.append(_segment("LOC", "7", _gln(line.final_destination_gln)))
    return out


def _pallet(number: int, pallet: PalletAdvice, first_line: int, default: str | None) -> list[str]:
    out = [_segment("CPS", str(number), "1"), _segment("PAC", "1", "", "PX")]
    if pallet.gross_weight_kg is not None:
        out.append(_segment("MEA", "AAE", "AAB", ("KGM", format_number(pallet.gross_weight_kg))))
    if pallet.min_temp_c is not None or pallet.max_temp_c is not None:
        low, high = (format_number(t) if t is not None else "" for t in (pallet.min_temp_c, pallet.max_temp_c))
        out.append(_segment("MEA", "AAE", "TE", ("CEL", "", low, high)))
    out += [_segment("PCI", "33E"), _segment("GIN", "BJ", pallet.sscc)]
    for offset, line in enumerate(pallet.lines):
        out += _line(first_line + offset, line, pallet, default, first=offset == 0)
    return out


def _message(reference: str, advice: DespatchAdvice, zone: tzinfo) -> list[str]:
    body = _header(advice, zone)
    body += [_segment("CPS", "1"), _segment("PAC", str(len(advice.pallets)), "", "PX")]
    line = 1
    for number, pallet in enumerate(advice.pallets, start=2):
        body += _pallet(number, pallet, line, advice.ultimate_consignee_gln)
        line += len(pallet.lines)
    return [
        _segment("UNH", reference, ("DESADV", "D", "96A", "UN", "EAN005")),
        *body,
        _segment("UNT", str(len(body) + 2), reference),
    ]


def to_edifact_all(
    advices: Sequence[DespatchAdvice], *, sender_gln: str, recipient_gln: str, interchange_ref: str,
    prepared_at: datetime, zone: tzinfo = UTC,
) -> str:
    """One interchange holding one DESADV message per advice (message references 1, 2, ...); its times are
    written in ``zone`` (EDIFACT's formats 203/204 carry none: the reader must be told the same zone)."""
    for what, gln in (("sender_gln", sender_gln), ("recipient_gln", recipient_gln)):
        problem = gln_problem(gln)
        if problem is not None:
            raise ValueError(f"{what}: {problem}")
    problem = text_problem("interchange_ref", interchange_ref)
    if problem is not None or len(interchange_ref) > _REF_MAX:
        raise ValueError(problem or f"interchange_ref {interchange_ref!r}: expected at most {_REF_MAX} characters")
    if prepared_at.tzinfo is None:
        raise ValueError(f"prepared_at {prepared_at.isoformat()}: expected a timezone-aware time")
    at = prepared_at.astimezone(zone)
    segments = [_segment("UNB", ("UNOC", "3"), (sender_gln, "14"), (recipient_gln, "14"),
                         (at.strftime("%y%m%d"), at.strftime("%H%M")), interchange_ref)]
    for number, advice in enumerate(advices, start=1):
        segments += _message(str(number), advice, zone)
    segments.append(_segment("UNZ", str(len(advices)), interchange_ref))
    return "".join(line + "\n" for line in ["UNA" + DEFAULT_SERVICE_CHARACTERS, *segments])


def to_edifact(
    advice: DespatchAdvice, *, sender_gln: str, recipient_gln: str, interchange_ref: str, prepared_at: datetime,
    zone: tzinfo = UTC,
) -> str:
    """``advice`` as a whole interchange (UNA, UNB, UNH ... UNT, UNZ), ready to send.

    ``sender_gln`` and ``recipient_gln`` name the interchange's parties (UNB, code qualifier 14: GLN),
    ``interchange_ref`` (1-14 characters) is UNB's control reference, ``prepared_at`` its date and time;
    every time is written in ``zone``.
    Wrong arguments raise :class:`ValueError` naming them.
    """
    return to_edifact_all([advice], sender_gln=sender_gln, recipient_gln=recipient_gln,
                          interchange_ref=interchange_ref, prepared_at=prepared_at, zone=zone)

"""The breakdown station: a mixed pallet split into child pallets, one per destination, each routed like any pallet.

A pallet whose advance shipping notice sends its lines to several of the site's destinations is
mixed: its scan sends it to a breakdown area (:mod:`xdock.central.site.announced`). There a worker
takes it apart; :meth:`Breakdown.split` records that in one store transaction:

- each child gets a new SSCC from the site's own range (``sscc_prefix`` in the site file: extension
  digit and GS1 company prefix; the serial reference counts up in the store, so no SSCC is given twice,
  crash or restart);
- by default one child per destination, carrying the parent's lines for it (``children`` names other
  groupings: each child's destination and lines, which must add up to the parent's lines);
- each child is announced (its own :class:`~xdock.central.store.database.AnnouncedPalletRow`: lines,
  destination, the parent's temperature class and dangerous goods) and decided at once by the
  dispatcher from the breakdown area, like a scanned pallet: a trailer, or staging;
- the parent is ``split`` (off the floor; scanned again, it is answered with its children) and a
  ``pallet_split`` event names parent, children and where each goes (EPCIS tells it as the parent's
  aggregation change, :mod:`xdock.central.partners.epcis_log`).

Refusals (:class:`BreakdownError`, with the HTTP status and field): an unknown pallet (404), a pallet
not at a breakdown area or without a notice to split by (409), a grouping whose lines do not add up
(422), a site file without ``sscc_prefix`` (409).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from xdock.central.optimiser.dispatcher import NoPlaceError
from xdock.central.optimiser.schema import Pallet
from xdock.central.site.answers import row_for_move
from xdock.central.site.parts import SiteParts
from xdock.central.store.database import AnnouncedLine, AnnouncedPalletRow, PalletRow
from xdock.protocol.gs1 import sscc_with_check_digit

__all__ = ["SERIAL_KEY", "Breakdown", "BreakdownError", "Child", "ChildPlan", "sscc_from"]

log = logging.getLogger(__name__)

SERIAL_KEY = "sscc_serial"
"""The store's ``meta`` key of the last serial reference given to one of the site's own SSCCs."""


class BreakdownError(ValueError):
    def __init__(self, status: int, field: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.field, self.detail = status, field, detail


@dataclass(frozen=True)
class ChildPlan:
    """One child pallet to make: its destination and lines ((GTIN, quantity) pairs)."""

    destination: str
    lines: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Child:
    """A child pallet made: its SSCC, destination, lines, and where it goes."""

    sscc: str
    destination: str
    lines: tuple[AnnouncedLine, ...]
    row: PalletRow


def sscc_from(prefix: str, serial: int) -> str:
    """The SSCC of ``serial`` in the range of ``prefix`` (extension digit + company prefix), with its check digit."""
    body = f"{prefix}{serial:0{17 - len(prefix)}d}"
    if len(body) != 17:
        raise BreakdownError(409, "sscc_prefix", f"the site's SSCC range {prefix} is used up (serial {serial})")
    return sscc_with_check_digit(body)


class Breakdown:
    """Splits mixed pallets at the site's breakdown areas (see the module docstring)."""

    def __init__(self, parts: SiteParts) -> None:
        self.parts = parts

    def children_of(self, parent: str) -> list[Child]:
        """The child pallets ``parent`` was split into (none: not split), as they are now."""
        state = self.parts.state
        return [Child(a.sscc, a.destinations[0], a.lines, state.pallets[a.sscc])
                for a in sorted(state.announced.values(), key=lambda a: a.sscc)
                if a.parent == parent and a.sscc in state.pallets]

    def split(self, sscc: str, *, children: Sequence[ChildPlan] | None = None, by: str) -> list[Child]:
        parts, state = self.parts, self.parts.state
        parent = state.pallets.get(sscc)
        if parent is None:
            raise BreakdownError(404, "sscc", f"no pallet {sscc} has been scanned at {state.config.site}")
        if parent.state != "breakdown" or parent.target is None:
            raise BreakdownError(409, "sscc", f"pallet {sscc} is {parent.state}, not at a breakdown area")
        notice = state.announced.get(sscc)
        if notice is None:
            raise BreakdownError(409, "sscc", f"pallet {sscc} has no advance shipping notice to split it by")
        prefix = state.config.sscc_prefix
        if prefix is None:
            raise BreakdownError(409, "sscc_prefix", "the site file gives no sscc_prefix: no SSCC for a child pallet")
        plans = list(children) if children is not None else _by_destination(notice)
        lines = _checked(plans, notice, state.destinations)
        now = parts.clock.now()
        serial = int(parts.store.meta(SERIAL_KEY) or 0)
        made: list[Child] = []
        announced: list[AnnouncedPalletRow] = []
        for plan, child_lines in zip(plans, lines, strict=True):
            serial += 1
            child = sscc_from(prefix, serial)
            bests = [x.best_before for x in child_lines if x.best_before is not None]
            row = AnnouncedPalletRow(
                sscc=child, asn=notice.asn, truck=notice.truck, destinations=(plan.destination,), temp=notice.temp,
                hazmat=notice.hazmat, un_numbers=notice.un_numbers, best_before=min(bests) if bests else None,
                weight_kg=None, lines=child_lines, parent=sscc,
            )
            announced.append(row)
            made.append(Child(child, plan.destination, child_lines, self._decide(row, parent, now)))
        split_parent = replace(parent, state="split", trailer=None, door=None, updated_at=now)
        body = {"parent": sscc, "area": parent.target, "by": by, "children": [
            {"sscc": c.sscc, "destination": c.destination, "state": c.row.state, "target": c.row.target,
             "lines": [{"gtin": x.gtin, "quantity": x.quantity} for x in c.lines]} for c in made]}
        try:
            with parts.store.transaction() as tx:
                tx.put_meta(SERIAL_KEY, str(serial))
                tx.put_announced(announced)
                tx.put_pallets([split_parent, *(c.row for c in made)])
                tx.append_event(now, "pallet_split", body, sscc=sscc)
        except BaseException:
            for c in made:
                parts.dispatcher.remove_pallet(c.sscc)
            raise
        parts.dispatcher.remove_pallet(sscc)
        state.put(split_parent)
        for c, a in zip(made, announced, strict=True):
            state.put(c.row)
            state.announced[c.sscc] = a
        log.info("pallet %s split by %s into %s", sscc, by, ", ".join(f"{c.sscc} ({c.destination})" for c in made),
                 extra={"sscc": sscc})
        return made

    def _decide(self, row: AnnouncedPalletRow, parent: PalletRow, now: datetime) -> PalletRow:
        parts = self.parts
        area = parent.target or parent.inbound_door
        pallet = Pallet(sscc=row.sscc, destinations=row.destinations, location=area, temp=row.temp,
                        hazmat=row.hazmat, expiry=row.best_before)
        base = PalletRow(
            sscc=row.sscc, state="unrouted", destination=row.destinations[0], ship_to=None, trailer=None, door=None,
            inbound_door=parent.inbound_door, first_seen=now, updated_at=now, scans=0, weight_kg=None,
            temp=row.temp, dangerous=row.hazmat is not None, expiry=row.best_before, hazmat=row.hazmat,
        )
        parts.dispatcher.put_pallet(pallet)
        try:
            return row_for_move(base, parts.dispatcher.decide(row.sscc, now))
        except NoPlaceError:
            parts.dispatcher.remove_pallet(row.sscc)
            return base


def _by_destination(notice: AnnouncedPalletRow) -> list[ChildPlan]:
    totals: dict[str, Counter[str]] = {}
    for line in notice.lines:
        if line.destination is not None:
            totals.setdefault(line.destination, Counter())[line.gtin] += line.quantity
    return [ChildPlan(dest, tuple(sorted(c.items()))) for dest, c in sorted(totals.items())]


def _checked(
    plans: Sequence[ChildPlan], notice: AnnouncedPalletRow, destinations: Collection[str],
) -> list[tuple[AnnouncedLine, ...]]:
    """Each plan's lines as announced lines; refused unless together they are exactly the parent's lines."""
    if not plans:
        raise BreakdownError(422, "children", f"pallet {notice.sscc}: no child pallet to make")
    known = set(destinations)
    for i, plan in enumerate(plans):
        if plan.destination not in known:
            raise BreakdownError(422, f"children[{i}].destination",
                                 f"children[{i}].destination: {plan.destination!r} is none of the site's destinations")
    have: Counter[str] = Counter()
    for line in notice.lines:
        have[line.gtin] += line.quantity
    given: Counter[str] = Counter()
    for plan in plans:
        for gtin, quantity in plan.lines:
            given[gtin] += quantity
    if given != have:
        want = ", ".join(f"{g} x{q}" for g, q in sorted(have.items()))
        got = ", ".join(f"{g} x{q}" for g, q in sorted(given.items()))
        raise BreakdownError(422, "children", f"pallet {notice.sscc}: the children's lines ({got}) must add up to"
                                              f" the pallet's ({want})")
    best = {line.gtin: line.best_before for line in notice.lines}
    return [tuple(AnnouncedLine(g, q, best.get(g), plan.destination) for g, q in plan.lines) for plan in plans]

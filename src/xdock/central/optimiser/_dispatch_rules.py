"""What makes a trailer fit a pallet on the instant decision, and how the fitting trailers are ranked.

The checks run in the order a dock worker would ask about a trailer: is it still here, is it at a
door, can it keep the cold chain, may it carry these dangerous goods, is there room. The order matters
for the words shown when nothing fits: the check the closest trailer failed names the reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from xdock.central.optimiser.schema import Door, Pallet, Rules, TempClass, Trailer

__all__ = ["NO_LOAD", "REJECTS", "Load", "Reject", "fill_after", "keeps", "rank_key", "reject", "urgent"]

REJECTS = ("gone", "door", "reefer", "hazmat", "segregated", "full", "held")
"""Why a trailer does not fit, from furthest to closest to fitting. ``held``: it has room, but the room
left is held by edges that may fill it alone (their shares of it), none of it for this pallet."""

Reject = str

_COLD = {"ambient": 0, "chilled": 1, "frozen": 2}
_KG_SLACK = 1e-6


def keeps(area_temp: TempClass, pallet_temp: TempClass) -> bool:
    """An area (or a place) at ``area_temp`` may hold a pallet of ``pallet_temp``."""
    return _COLD[area_temp] >= _COLD[pallet_temp]


@dataclass
class Load:
    """What a trailer carries or is promised: loaded and moving pallets plus direct moves to it."""

    count: int = 0
    kg: float = 0.0
    hazmat: Counter[str] = field(default_factory=Counter)

    def add(self, pallet: Pallet) -> None:
        self.count += 1
        self.kg += pallet.weight_kg
        if pallet.hazmat is not None:
            self.hazmat[pallet.hazmat] += 1

    def remove(self, pallet: Pallet) -> None:
        self.count -= 1
        self.kg -= pallet.weight_kg
        if pallet.hazmat is not None:
            self.hazmat[pallet.hazmat] -= 1
            if self.hazmat[pallet.hazmat] <= 0:
                del self.hazmat[pallet.hazmat]
        if self.count == 0:
            self.kg = 0.0  # no drift from float sums once empty

    def over(self, trailer: Trailer) -> bool:
        return self.count > trailer.capacity_pallets or self.kg > trailer.capacity_kg + _KG_SLACK

    def conflicts(self, rules: Rules) -> set[str]:
        """Dangerous-goods classes aboard that must not travel with another class aboard."""
        classes = sorted(self.hazmat)
        return {a for a in classes for b in classes if a != b and rules.incompatible(a, b)}


NO_LOAD = Load()
"""The load of a trailer nothing is aboard of or promised to; read it, never add to it."""


def urgent(pallet: Pallet, rules: Rules, today: date | None) -> bool:
    """Priority above zero, or expiring within ``rules.urgent_days`` of ``today``."""
    if pallet.priority > 0:
        return True
    return today is not None and pallet.expiry is not None and (pallet.expiry - today).days <= rules.urgent_days


def reject(  # noqa: PLR0911 - one return per check, in the order of REJECTS
    rules: Rules, pallet: Pallet, trailer: Trailer, door: Door | None, load: Load, now: datetime | None,
    *, aboard: bool, held: int = 0,
) -> Reject | None:
    """Why ``trailer`` (at ``door``, carrying ``load``) does not fit ``pallet``; ``None`` when it fits.

    ``aboard``: the pallet is already counted in ``load``. The destination is the caller's to check.
    ``now=None`` skips the departure-time check (only ``departed`` counts). ``held``: positions of the
    trailer this pallet may not take (held by edges); a pallet already aboard takes none.
    """
    # Checked in the order of REJECTS, the first that fails named (this runs for every trailer of every scan).
    if trailer.departed or (now is not None and trailer.departure < now + rules.handling):
        return "gone"
    if door is None or not door.open or not door.outbound:
        return "door"
    if pallet.temp != "ambient" and not trailer.reefer:
        return "reefer"
    hazmat = pallet.hazmat
    if hazmat is not None and not trailer.accepts_hazmat:
        return "hazmat"
    if hazmat is not None and any(rules.incompatible(hazmat, c) for c in load.hazmat):
        return "segregated"
    count, kg = (load.count, load.kg) if aboard else (load.count + 1, load.kg + pallet.weight_kg)
    if count > trailer.capacity_pallets or kg > trailer.capacity_kg + _KG_SLACK:
        return "full"
    if not aboard and count + held > trailer.capacity_pallets:
        return "held"
    return None


def fill_after(trailer: Trailer, load: Load, pallet: Pallet, *, aboard: bool) -> float:
    """Fill fraction of the binding dimension (positions or kg) once ``pallet`` is aboard."""
    count, kg = (load.count, load.kg) if aboard else (load.count + 1, load.kg + pallet.weight_kg)
    by_count = count / trailer.capacity_pallets if trailer.capacity_pallets > 0 else 1.0
    by_kg = kg / trailer.capacity_kg if trailer.capacity_kg > 0 else 1.0
    return max(by_count, by_kg)


def rank_key(
    rules: Rules, trailer: Trailer, travel: float, fill: float, now: datetime, *, is_urgent: bool
) -> tuple[float, float, str]:
    """Smaller is better. Urgent: earliest departure, then travel. Others: travel plus balance plus the
    departure term (:meth:`Rules.departure_m`), then departure."""
    departs = trailer.departure.timestamp()
    if is_urgent:
        return departs, travel, trailer.id
    return travel + rules.balance_weight_m * fill + rules.departure_m(trailer.departure, now), departs, trailer.id

"""``fcfs``: what a site does without xdock.

- Trucks take the first free inbound door (the site file's order), in their order of arrival; trailers
  the first free outbound door.
- A scanned pallet goes to a trailer at a door for its destination with room (pallets aboard or on
  their way count), keeping its cold chain (chilled and frozen: reefers only) and its dangerous goods
  (trailers that accept them); of several, the one leaving first, then the first door. With none it
  goes to the staging area nearest its door that keeps its temperature (else the nearest one).
- When a trailer docks, staged pallets for its destination go to it, first staged first, while it
  has room; when a trailer leaves, its pallets not aboard are sent again as if just scanned.
- A closed door's trailer takes no pallet: those on their way are sent again; when the door opens, it
  takes staged pallets as if it had just docked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdock.simulation.layout import Layout
from xdock.simulation.model import Day, InboundTruck, OutboundTrailer, PalletPlan
from xdock.simulation.policy import Changes, Target

__all__ = ["FcfsPolicy"]

_COLD = {"ambient": 0, "chilled": 1, "frozen": 2}


@dataclass
class _Docked:
    plan: OutboundTrailer
    door: str
    sent: set[str] = field(default_factory=set)
    """Pallets aboard or on their way."""


class FcfsPolicy:
    """First come, first served: the floor without a planner (see the module doc)."""

    name = "fcfs"
    tick_every_min: float | None = None

    def __init__(self) -> None:
        self._layout: Layout | None = None
        self._docked: dict[str, _Docked] = {}
        self._pallets: dict[str, PalletPlan] = {}
        self._where: dict[str, str] = {}
        """SSCC → the door it was scanned at, or the staging area it was sent to."""
        self._staged: dict[str, None] = {}
        """Pallets sent to staging, first staged first."""
        self._loaded: set[str] = set()
        self._closed: set[str] = set()

    def begin(self, day: Day) -> None:
        self._layout = Layout(day.site)
        self._pallets = {p.sscc: p for t in day.trucks for p in t.pallets}

    @property
    def layout(self) -> Layout:
        assert self._layout is not None, "begin() first"
        return self._layout

    def inbound_door(self, truck: InboundTruck, free: Sequence[str], now: float) -> str | None:
        return free[0] if free else None

    def outbound_door(self, trailer: OutboundTrailer, free: Sequence[str], now: float) -> str | None:
        return free[0] if free else None

    def truck_docked(self, truck: InboundTruck, door: str, now: float) -> None:
        return None

    def truck_unloaded(self, truck: InboundTruck, now: float) -> Changes:
        return {}

    def scanned(self, pallet: PalletPlan, door: str, now: float) -> Changes:
        self._where[pallet.sscc] = door
        return {pallet.sscc: self._send(pallet)}

    def trailer_docked(self, trailer: OutboundTrailer, door: str, now: float) -> Changes:
        docked = self._docked[trailer.id] = _Docked(trailer, door)
        return self._fill(docked)

    def _fill(self, docked: _Docked) -> Changes:
        """Staged pallets to ``docked``, first staged first, while it has room."""
        changes: dict[str, Target | None] = {}
        if docked.door in self._closed:
            return changes
        for sscc in list(self._staged):
            if len(docked.sent) >= docked.plan.capacity:
                break
            if _fits(self._pallets[sscc], docked.plan):
                del self._staged[sscc]
                docked.sent.add(sscc)
                changes[sscc] = Target("trailer", docked.plan.id)
        return changes

    def door_closed(self, door: str, now: float) -> Changes:
        self._closed.add(door)
        changes: dict[str, Target | None] = {}
        for docked in [d for d in self._docked.values() if d.door == door]:
            going = sorted(docked.sent - self._loaded)
            docked.sent -= set(going)
            changes.update({sscc: self._send(self._pallets[sscc]) for sscc in going})
        return changes

    def door_opened(self, door: str, now: float) -> Changes:
        self._closed.discard(door)
        changes: dict[str, Target | None] = {}
        for docked in [d for d in self._docked.values() if d.door == door]:
            changes.update(self._fill(docked))
        return changes

    def loaded(self, sscc: str, trailer: str, now: float) -> Changes:
        self._loaded.add(sscc)
        return {}

    def trailer_departed(self, trailer: OutboundTrailer, now: float) -> Changes:
        docked = self._docked.pop(trailer.id)
        return {sscc: self._send(self._pallets[sscc]) for sscc in sorted(docked.sent - self._loaded)}

    def central_lost(self, now: float) -> None:
        """No central: nothing to lose."""

    def central_back(self, now: float) -> Changes:
        return {}

    def tick(self, now: float) -> Changes:
        return {}

    def end(self, now: float) -> None:
        return None

    # -- deciding -------------------------------------------------------------------------------------

    def _send(self, pallet: PalletPlan) -> Target:
        fitting = [d for d in self._docked.values()
                   if d.door not in self._closed and len(d.sent) < d.plan.capacity and _fits(pallet, d.plan)]
        if fitting:
            best = min(fitting, key=lambda d: (d.plan.departure_min, self.layout.outbound.index(d.door)))
            best.sent.add(pallet.sscc)
            return Target("trailer", best.plan.id)
        area = self._nearest_staging(pallet, self._where[pallet.sscc])
        self._where[pallet.sscc] = area
        self._staged[pallet.sscc] = None
        return Target("staging", area)

    def _nearest_staging(self, pallet: PalletPlan, at: str) -> str:
        areas = self.layout.staging.values()
        keeping = [a for a in areas if _COLD[a.temp] >= _COLD[pallet.temp]] or list(areas)
        return min(keeping, key=lambda a: (self.layout.metres(at, a.id), a.id)).id


def _fits(pallet: PalletPlan, trailer: OutboundTrailer) -> bool:
    if trailer.destination != pallet.destination:
        return False
    if pallet.temp != "ambient" and not trailer.reefer:
        return False
    return pallet.dangerous is None or trailer.accepts_hazmat

"""What the re-plan derives once from the floor: windows, candidates, flows and weights.

Times are whole seconds from ``now``; a trailer already on site (no ``loading_from``) holds its door
from the start of time, as :func:`~xdock.central.optimiser.validation.validate` sees it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from xdock.central.optimiser.schema import Area, Floor, Pallet, TempClass, Trailer, metres

__all__ = ["EARLIEST", "Problem", "Window", "keeps"]

EARLIEST = -(10**12)
"""Window start of a trailer already on site."""

_COLD = {"ambient": 0, "chilled": 1, "frozen": 2}

Window = tuple[int, int]


def keeps(area_temp: TempClass, pallet_temp: TempClass) -> bool:
    """An area at ``area_temp`` may hold a pallet of ``pallet_temp``."""
    return _COLD[area_temp] >= _COLD[pallet_temp]


@dataclass(frozen=True)
class Aboard:
    """What frozen pallets already hold of a trailer."""

    count: int = 0
    kg: float = 0.0
    hazmat: frozenset[str] = frozenset()


@dataclass
class Problem:
    """The floor at ``now``, indexed for the re-plan."""

    floor: Floor
    now: datetime
    out_doors: list[str] = field(default_factory=list)
    in_doors: list[str] = field(default_factory=list)
    trailer_window: dict[str, Window] = field(default_factory=dict)
    truck_window: dict[str, Window] = field(default_factory=dict)
    aboard: dict[str, Aboard] = field(default_factory=dict)
    movable: list[Pallet] = field(default_factory=list)
    """Pallets that are not frozen: every one gets a move."""
    candidates: dict[str, list[str]] = field(default_factory=dict)
    """Trailers a pallet may go to directly, whatever their door."""
    could: dict[str, bool] = field(default_factory=dict)
    """A trailer exists for the pallet (destination, time, cold chain, dangerous goods allowed)."""
    fallback: dict[str, Area | None] = field(default_factory=dict)
    """Nearest breakdown area (mixed pallets) or staging area keeping the pallet's temperature."""
    weight: dict[str, float] = field(default_factory=dict)
    """Multiplier of the unplaced penalty: ``1 + priority``, doubled when expiring soon."""
    flows: dict[tuple[str, str], float] = field(default_factory=dict)
    """Expected pallets from an inbound truck to a trailer."""
    flows_in: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    """Per trailer: the trucks bringing its pallets, and how many."""
    flows_out: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    """Per truck: the trailers its pallets go to, and how many."""

    @classmethod
    def build(cls, floor: Floor, now: datetime) -> Problem:
        problem = cls(floor=floor, now=now)
        problem.out_doors = sorted(d.id for d in floor.doors.values() if d.open and d.outbound)
        problem.in_doors = sorted(d.id for d in floor.doors.values() if d.open and d.inbound)
        for t in floor.trailers.values():
            if not t.departed:
                start = EARLIEST if t.loading_from is None else problem.seconds(t.loading_from)
                problem.trailer_window[t.id] = (start, problem.seconds(t.departure))
        for k in floor.trucks.values():
            start = problem.seconds(k.arrival)
            problem.truck_window[k.id] = (start, problem.seconds(k.arrival + k.unload))
        problem._index_pallets()
        problem._index_flows()
        return problem

    def seconds(self, when: datetime) -> int:
        return int((when - self.now).total_seconds())

    def point(self, place: str | None) -> tuple[float, float] | None:
        if place is None:
            return None
        try:
            return self.floor.where(place)
        except KeyError:
            return None

    def travel(self, source: str | None, target: str | None) -> float:
        """Metres between two places; 0 when either is unknown."""
        a, b = self.point(source), self.point(target)
        return 0.0 if a is None or b is None else metres(a, b)

    def trailer_needs_door(self, trailer: Trailer) -> bool:
        return not trailer.departed

    def truck_needs_door(self, truck_id: str) -> bool:
        truck = self.floor.trucks[truck_id]
        return truck.docked or truck.door is not None or self.truck_window[truck_id][1] > 0

    def balance(self, trailer_id: str) -> float:
        """Metres-equivalent per pallet sent to a trailer: by how full frozen pallets already make it, and by
        how long until it leaves (:meth:`~xdock.central.optimiser.schema.Rules.departure_m`)."""
        trailer = self.floor.trailers[trailer_id]
        rules = self.floor.rules
        fill = self.aboard.get(trailer_id, Aboard()).count / max(trailer.capacity_pallets, 1)
        return rules.balance_weight_m * fill + rules.departure_m(trailer.departure, self.now)

    def _index_pallets(self) -> None:
        floor, rules = self.floor, self.floor.rules
        loads: dict[str, list[Pallet]] = defaultdict(list)
        for p in floor.pallets.values():
            if p.frozen:
                if p.trailer is not None:
                    loads[p.trailer].append(p)
            else:
                self.movable.append(p)
        for tid, ps in loads.items():
            hazmat = frozenset(p.hazmat for p in ps if p.hazmat is not None)
            self.aboard[tid] = Aboard(len(ps), sum(p.weight_kg for p in ps), hazmat)
        ready = self.now + rules.handling
        open_trailers = [t for t in floor.trailers.values() if not t.departed and t.departure >= ready]
        for p in self.movable:
            suited = [t for t in open_trailers if _suits(p, t)]
            self.could[p.sscc] = bool(suited)
            self.candidates[p.sscc] = [t.id for t in suited if self._room_for(p, t)]
            self.fallback[p.sscc] = self._nearest_area(p)
            weight = 1.0 + max(p.priority, 0)
            if p.expiry is not None and (p.expiry - self.now.date()).days <= rules.urgent_days:
                weight *= 2.0
            self.weight[p.sscc] = weight

    def _room_for(self, pallet: Pallet, trailer: Trailer) -> bool:
        aboard = self.aboard.get(trailer.id, Aboard())
        if aboard.count + 1 > trailer.capacity_pallets or aboard.kg + pallet.weight_kg > trailer.capacity_kg + 1e-6:
            return False
        hazmat = pallet.hazmat
        return hazmat is None or not any(self.floor.rules.incompatible(hazmat, c) for c in aboard.hazmat)

    def _nearest_area(self, pallet: Pallet) -> Area | None:
        areas = [a for a in self.floor.areas.values() if keeps(a.temp, pallet.temp)]
        kinds = ("breakdown", "staging") if pallet.mixed else ("staging",)
        pools = [[a for a in areas if a.kind == kind] for kind in kinds]
        pools.append([a for a in self.floor.areas.values() if a.kind == "staging"])  # no area keeps it: least bad
        pools.append(list(self.floor.areas.values()))
        for pool in pools:
            if pool:
                return min(pool, key=lambda a: (self.travel(pallet.location, a.id), a.id))
        return None

    def _index_flows(self) -> None:
        ready = self.now + self.floor.rules.handling
        by_dest: dict[str, list[str]] = defaultdict(list)
        for t in sorted(self.floor.trailers.values(), key=lambda t: t.id):
            if not t.departed and t.departure >= ready:
                by_dest[t.destination].append(t.id)
        for truck in self.floor.trucks.values():
            if self.truck_window[truck.id][1] <= 0:
                continue
            for dest, count in truck.pallets.items():
                for tid in by_dest.get(dest, []):
                    self.flows[truck.id, tid] = count / len(by_dest[dest])
        for (kid, tid), flow in self.flows.items():
            self.flows_in.setdefault(tid, []).append((kid, flow))
            self.flows_out.setdefault(kid, []).append((tid, flow))


def _suits(pallet: Pallet, trailer: Trailer) -> bool:
    if pallet.mixed or trailer.destination not in pallet.destinations:
        return False
    if pallet.temp != "ambient" and not trailer.reefer:
        return False
    return pallet.hazmat is None or trailer.accepts_hazmat

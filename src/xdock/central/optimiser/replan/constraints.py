"""The rules of the re-plan's models, one class each; ``add(model, vars)`` posts them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from xdock.central.optimiser.replan.variables import DoorData, DoorVars, PalletData, PalletVars
from xdock.central.optimiser.schema import Rules

__all__ = ["AtMostOneDoor", "DoorNoOverlap", "OneTarget", "Segregation", "TrailerRoom", "cliques"]


@dataclass(frozen=True)
class AtMostOneDoor:
    """A vehicle stands at one door at most (leaving it without one is paid by the objective)."""

    data: DoorData

    def add(self, model: cp_model.CpModel, v: DoorVars) -> None:
        for vehicle in self.data.vehicles:
            model.add_at_most_one(v.of(vehicle))


def cliques(windows: dict[str, tuple[int, int]]) -> list[list[str]]:
    """Maximal sets of windows sharing an instant (an interval graph's cliques sit at start times)."""
    out: list[list[str]] = []
    for u, (start, end) in windows.items():
        if start < end:
            group = [v for v, (s, e) in windows.items() if s <= start < e]
        else:
            group = [u] + [v for v, (s, e) in windows.items() if s < start < e]
        if len(group) > 1:
            out.append(sorted(group))
    return [list(c) for c in sorted({tuple(c) for c in out})]


@dataclass(frozen=True)
class DoorNoOverlap:
    """A door holds one vehicle at a time: per door and per clique of overlapping windows, at most one.

    Windows are fixed, so this time-indexed form is exact and as tight as it gets; the other side's
    vehicles and docked ones were already taken out of each vehicle's door options.
    """

    data: DoorData

    def add(self, model: cp_model.CpModel, v: DoorVars) -> None:
        by_door: dict[str, set[str]] = defaultdict(set)
        for vehicle, door in v.x:
            by_door[door].add(vehicle)
        for group in cliques(self.data.windows):
            for door, there in by_door.items():
                members = [v.x[u, door] for u in group if u in there]
                if len(members) > 1:
                    model.add_at_most_one(members)


@dataclass(frozen=True)
class OneTarget:
    """Every pallet with a choice goes to exactly one trailer or to its area."""

    data: PalletData

    def add(self, model: cp_model.CpModel, v: PalletVars) -> None:
        for p in self.data.pallets:
            options = [v.y[p, t] for t in self.data.options[p]]
            if p in v.area:
                options.append(v.area[p])
            model.add_exactly_one(options)


@dataclass(frozen=True)
class TrailerRoom:
    """Positions and weight left on each trailer once frozen pallets and fixed moves are counted."""

    data: PalletData

    def add(self, model: cp_model.CpModel, v: PalletVars) -> None:
        by_trailer: dict[str, list[str]] = defaultdict(list)
        for p, t in v.y:
            by_trailer[t].append(p)
        for t, pallets in by_trailer.items():
            positions, units = self.data.room[t]
            if len(pallets) > positions:
                model.add(sum(v.y[p, t] for p in pallets) <= positions)
            if sum(self.data.units[p] for p in pallets) > units:
                model.add(sum(self.data.units[p] * v.y[p, t] for p in pallets) <= units)


@dataclass(frozen=True)
class Segregation:
    """Dangerous goods classes the rules keep apart never share a trailer."""

    data: PalletData
    rules: Rules

    def add(self, model: cp_model.CpModel, v: PalletVars) -> None:
        for (p, t), var in v.y.items():
            hazmat = self.data.hazmat[p]
            if hazmat is not None:
                model.add_implication(var, v.carries[t, hazmat])
        for t, a in v.carries:
            for t2, b in v.carries:
                if t2 == t and a < b and self.rules.incompatible(a, b):
                    model.add_at_most_one([v.carries[t, a], v.carries[t, b]])

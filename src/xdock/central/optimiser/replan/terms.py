"""The objective terms of the re-plan's models, one class each; ``add(model, vars)`` returns the term.

Costs are integers in decimetres-equivalent (metres x :data:`SCALE`), computed in advance per option:
with the other side's doors fixed the door-to-door (CDAP) term is linear in each door choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from xdock.central.optimiser.replan.variables import DoorData, DoorVars, PalletData, PalletVars

__all__ = ["SCALE", "AreaCost", "DoorCost", "DoorlessPenalty", "TrailerChoiceCost", "scaled"]

SCALE = 10


def scaled(metres: float) -> int:
    return round(metres * SCALE)


@dataclass(frozen=True)
class DoorCost:
    """Travel to a vehicle's door: its pallets on the floor plus the flows to or from the other side."""

    data: DoorData

    def add(self, model: cp_model.CpModel, v: DoorVars) -> cp_model.LinearExpr:
        del model
        keys = list(v.x)
        return cp_model.LinearExpr.weighted_sum([v.x[k] for k in keys], [self.data.options[u][d] for u, d in keys])


@dataclass(frozen=True)
class DoorlessPenalty:
    """A vehicle that should stand at a door and gets none."""

    data: DoorData

    def add(self, model: cp_model.CpModel, v: DoorVars) -> cp_model.LinearExpr:
        del model
        needy = [u for u in self.data.vehicles if self.data.needs_door[u]]
        placed = [(var, self.data.doorless_cost[u]) for u in needy for var in v.of(u)]
        constant = sum(self.data.doorless_cost[u] for u in needy)
        return cp_model.LinearExpr.weighted_sum([x for x, _ in placed], [-c for _, c in placed]) + constant


@dataclass(frozen=True)
class TrailerChoiceCost:
    """Travel to the trailer's door, balance, and the change penalty if the worker was told otherwise."""

    data: PalletData

    def add(self, model: cp_model.CpModel, v: PalletVars) -> cp_model.LinearExpr:
        del model
        keys = list(v.y)
        return cp_model.LinearExpr.weighted_sum([v.y[k] for k in keys], [self.data.options[p][t] for p, t in keys])


@dataclass(frozen=True)
class AreaCost:
    """Travel to the area, the unplaced penalty by urgency, and the change penalty."""

    data: PalletData

    def add(self, model: cp_model.CpModel, v: PalletVars) -> cp_model.LinearExpr:
        del model
        keys = list(v.area)
        return cp_model.LinearExpr.weighted_sum([v.area[p] for p in keys], [self.data.area_cost[p] or 0 for p in keys])

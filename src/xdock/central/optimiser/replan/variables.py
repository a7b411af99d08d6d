"""Decision variables of the two CP-SAT models the re-plan alternates between.

The door model places the vehicles of one side (trailers, or inbound trucks) with the other side's
doors fixed; the pallet model sends pallets to trailers with every door fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from xdock.central.optimiser.replan.problem import Window

__all__ = ["DoorData", "DoorVars", "PalletData", "PalletVars"]


@dataclass
class DoorData:
    """One side's vehicles, their windows, and the integer cost of each door they may take."""

    vehicles: list[str]
    windows: dict[str, Window]
    options: dict[str, dict[str, int]]
    needs_door: dict[str, bool]
    doorless_cost: dict[str, int]
    """Cost of leaving a vehicle without a door, its pallets then waiting in their areas."""
    hint: dict[str, str | None] = field(default_factory=dict)


@dataclass
class DoorVars:
    """``x[v, d]``: vehicle ``v`` takes door ``d``."""

    x: dict[tuple[str, str], cp_model.IntVar]
    by_vehicle: dict[str, list[cp_model.IntVar]]

    @classmethod
    def create(cls, model: cp_model.CpModel, data: DoorData) -> DoorVars:
        x = {(v, d): model.new_bool_var(f"door_{v}_{d}") for v in data.vehicles for d in data.options[v]}
        by_vehicle: dict[str, list[cp_model.IntVar]] = {v: [] for v in data.vehicles}
        for (v, _), var in x.items():
            by_vehicle[v].append(var)
        return cls(x, by_vehicle)

    def of(self, vehicle: str) -> list[cp_model.IntVar]:
        return self.by_vehicle[vehicle]


@dataclass
class PalletData:
    """Pallets with a choice, the trailers they may go to, and what each choice costs."""

    pallets: list[str]
    options: dict[str, dict[str, int]]
    """Integer cost of each trailer a pallet may go to."""
    area_cost: dict[str, int | None]
    """Integer cost of sending the pallet to its area; ``None`` when it has none."""
    units: dict[str, int]
    """Weight in whole units (rounded up)."""
    hazmat: dict[str, str | None]
    room: dict[str, tuple[int, int]]
    """Free positions and free weight units (rounded down) of each trailer."""
    hint: dict[str, str | None] = field(default_factory=dict)
    """Trailer in the incumbent, ``None`` for its area."""


@dataclass
class PalletVars:
    """``y[p, t]``: pallet ``p`` goes to trailer ``t``; ``area[p]``: it goes to its area;
    ``carries[t, c]``: trailer ``t`` carries dangerous goods class ``c``."""

    y: dict[tuple[str, str], cp_model.IntVar]
    area: dict[str, cp_model.IntVar]
    carries: dict[tuple[str, str], cp_model.IntVar]

    @classmethod
    def create(cls, model: cp_model.CpModel, data: PalletData) -> PalletVars:
        y = {(p, t): model.new_bool_var(f"to_{p}_{t}") for p in data.pallets for t in data.options[p]}
        area = {p: model.new_bool_var(f"area_{p}") for p in data.pallets if data.area_cost[p] is not None}
        classes = {(t, c) for (p, t) in y if (c := data.hazmat[p]) is not None}
        carries = {key: model.new_bool_var(f"carries_{key[0]}_{key[1]}") for key in sorted(classes)}
        return cls(y, area, carries)

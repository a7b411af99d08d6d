"""The pallet step: send every pallet that is not frozen to a trailer or an area, all doors fixed."""

from __future__ import annotations

import math

from xdock.central.optimiser.replan.assignment import Assignment
from xdock.central.optimiser.replan.problem import Aboard, Problem
from xdock.central.optimiser.replan.terms import scaled
from xdock.central.optimiser.replan.variables import PalletData
from xdock.central.optimiser.schema import Pallet, Rules

__all__ = [
    "KG_UNITS",
    "area_metres",
    "cheapest",
    "components",
    "pallet_data",
    "trailer_metres",
    "unconstrained",
    "units",
]

KG_UNITS = 100
"""Weight units per kilogram in the model (10 g): pallets round up, free room rounds down."""


def units(pallet: Pallet) -> int:
    """A pallet's weight in model units, rounded up."""
    return math.ceil(pallet.weight_kg * KG_UNITS - 1e-9)


def changed(pallet: Pallet, trailer: str | None) -> bool:
    return pallet.instructed and pallet.trailer is not None and trailer != pallet.trailer


def trailer_metres(problem: Problem, a: Assignment, pallet: Pallet, trailer: str) -> float:
    """Metres-equivalent of sending ``pallet`` to ``trailer`` at its assigned door."""
    cost = problem.travel(pallet.location, a.trailer_doors.get(trailer)) + problem.balance(trailer)
    return cost + (problem.floor.rules.change_penalty_m if changed(pallet, trailer) else 0.0)


def area_metres(problem: Problem, pallet: Pallet) -> float | None:
    """Metres-equivalent of sending ``pallet`` to its area, ``None`` when the floor has none."""
    area = problem.fallback[pallet.sscc]
    if area is None:
        return None
    rules = problem.floor.rules
    cost = problem.travel(pallet.location, area.id)
    if problem.could[pallet.sscc]:
        cost += rules.unplaced_penalty_m * problem.weight[pallet.sscc]
    return cost + (rules.change_penalty_m if changed(pallet, None) else 0.0)


def pallet_data(problem: Problem, a: Assignment) -> PalletData:
    floor = problem.floor
    options: dict[str, dict[str, int]] = {}
    area_cost: dict[str, int | None] = {}
    pallets: list[str] = []
    for p in problem.movable:
        docked = [t for t in problem.candidates[p.sscc] if a.trailer_doors.get(t) is not None]
        metres = area_metres(problem, p)
        if not docked and metres is None:
            continue  # nowhere to go: the incumbent's move stands
        pallets.append(p.sscc)
        options[p.sscc] = {t: scaled(trailer_metres(problem, a, p, t)) for t in docked}
        area_cost[p.sscc] = None if metres is None else scaled(metres)
    room: dict[str, tuple[int, int]] = {}
    for tid in {t for opts in options.values() for t in opts}:
        trailer = floor.trailers[tid]
        aboard = problem.aboard.get(tid, Aboard())
        free_units = math.floor((trailer.capacity_kg - aboard.kg + 1e-6) * KG_UNITS)
        room[tid] = (trailer.capacity_pallets - aboard.count, free_units)
    hint: dict[str, str | None] = {}
    for sscc in pallets:
        kind, target = a.targets.get(sscc, ("staging", ""))
        hint[sscc] = target if kind == "direct" else None
    return PalletData(
        pallets=pallets,
        options=options,
        area_cost=area_cost,
        units={p.sscc: units(p) for p in problem.movable},
        hazmat={p.sscc: p.hazmat for p in problem.movable},
        room=room,
        hint=hint,
    )


def components(data: PalletData) -> list[PalletData]:
    """Independent parts of the pallet model: pallets sharing no trailer, directly or through others.

    Pallets only meet through a trailer's room and dangerous goods, so each part is solved on its own.
    """
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for p in data.pallets:
        for t in data.options[p]:
            parent[root("p:" + p)] = root("t:" + t)
    groups: dict[str, list[str]] = {}
    for p in data.pallets:
        groups.setdefault(root("p:" + p), []).append(p)
    return [
        PalletData(
            pallets=pallets,
            options={p: data.options[p] for p in pallets},
            area_cost={p: data.area_cost[p] for p in pallets},
            units=data.units,
            hazmat=data.hazmat,
            room=data.room,
            hint={p: data.hint[p] for p in pallets},
        )
        for pallets in groups.values()
    ]


def unconstrained(data: PalletData, rules: Rules) -> bool:
    """No trailer of the part can run out of room or mix kept-apart classes: each pallet just takes its best."""
    for t in {t for p in data.pallets for t in data.options[p]}:
        pallets = [p for p in data.pallets if t in data.options[p]]
        positions, free_units = data.room[t]
        if len(pallets) > positions or sum(data.units[p] for p in pallets) > free_units:
            return False
        classes = sorted({c for p in pallets if (c := data.hazmat[p]) is not None})
        if any(rules.incompatible(a, b) for i, a in enumerate(classes) for b in classes[i + 1 :]):
            return False
    return True


def cheapest(data: PalletData) -> dict[str, str | None]:
    """Each pallet's cheapest option: a trailer, or ``None`` for its area."""
    out: dict[str, str | None] = {}
    for p in data.pallets:
        options: list[tuple[int, str, str | None]] = [(c, t, t) for t, c in data.options[p].items()]
        area = data.area_cost[p]
        if area is not None:
            options.append((area, "", None))
        out[p] = min(options)[2]
    return out

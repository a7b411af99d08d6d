"""The re-plan's starting point: the current plan when it still holds, else a greedy repair of it.

The repair keeps every door and every direct move of the current plan that is still allowed, then
places the rest greedily: vehicles at the cheapest free door, pallets (most urgent first) at the
cheapest trailer with room, else at their breakdown or staging area. From an empty plan it is the
greedy nearest-door plan.
"""

from __future__ import annotations

import math
from collections import defaultdict

from xdock.central.optimiser.replan.assignment import Assignment
from xdock.central.optimiser.replan.doors import (
    Side,
    door_costs,
    feasible_doors,
    loads,
    movable,
    occupants,
    overlap,
)
from xdock.central.optimiser.replan.pallets import KG_UNITS, trailer_metres, units
from xdock.central.optimiser.replan.problem import Aboard, Problem
from xdock.central.optimiser.schema import Pallet

__all__ = ["repair"]


def repair(problem: Problem, current: Assignment) -> Assignment:
    """A valid assignment as close to ``current`` as the floor allows."""
    out = Assignment(targets=dict(current.targets))
    _repair_doors(problem, current, out)
    _repair_pallets(problem, current, out)
    return out


def _repair_doors(problem: Problem, current: Assignment, out: Assignment) -> None:
    floor = problem.floor
    for tid in floor.trailers:
        trailer = floor.trailers[tid]
        out.trailer_doors[tid] = trailer.door if trailer.docked else None
    for kid in floor.trucks:
        truck = floor.trucks[kid]
        out.truck_doors[kid] = truck.door if truck.docked else None
    sides: tuple[Side, Side] = ("trailers", "trucks")
    for side in sides:  # keep what still holds
        doors = out.trailer_doors if side == "trailers" else out.truck_doors
        wanted = current.trailer_doors if side == "trailers" else current.truck_doors
        windows = problem.trailer_window if side == "trailers" else problem.truck_window
        pool = set(problem.out_doors if side == "trailers" else problem.in_doors)
        for v in sorted(movable(problem, side), key=lambda v: windows[v]):
            door = wanted.get(v)
            if door in pool and _free(problem, out, door, windows[v]):
                doors[v] = door
    for side in sides:  # place the rest at their cheapest free door
        doors = out.trailer_doors if side == "trailers" else out.truck_doors
        windows = problem.trailer_window if side == "trailers" else problem.truck_window
        placed = loads(problem, out) if side == "trailers" else {}
        for v in sorted(movable(problem, side), key=lambda v: windows[v]):
            if doors.get(v) is not None:
                continue
            free = feasible_doors(problem, windows[v], side, _held(problem, out))
            if free:
                costs = door_costs(problem, out, side, v, free, placed.get(v, []))
                doors[v] = free[int(costs.argmin())]


def _held(problem: Problem, a: Assignment) -> dict[str, list[tuple[int, int]]]:
    held = occupants(problem, a, "trailers")
    for tid, window in problem.trailer_window.items():
        door = a.trailer_doors.get(tid)
        if door is not None and not problem.floor.trailers[tid].docked:
            held[door].append(window)
    return held


def _free(problem: Problem, a: Assignment, door: str | None, window: tuple[int, int]) -> bool:
    return door is not None and not any(overlap(window, w) for w in _held(problem, a).get(door, ()))


class _Room:
    """Positions, weight and dangerous goods classes taken on each trailer so far, counted as the model does."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.count: dict[str, int] = defaultdict(int)
        self.units: dict[str, int] = defaultdict(int)
        self.hazmat: dict[str, set[str]] = defaultdict(set)
        for tid, aboard in problem.aboard.items():
            self.count[tid] = aboard.count
            self.hazmat[tid] |= aboard.hazmat

    def fits(self, pallet: Pallet, tid: str) -> bool:
        trailer = self.problem.floor.trailers[tid]
        if self.count[tid] + 1 > trailer.capacity_pallets:
            return False
        aboard = self.problem.aboard.get(tid, Aboard())
        if self.units[tid] + units(pallet) > math.floor((trailer.capacity_kg - aboard.kg + 1e-6) * KG_UNITS):
            return False
        rules = self.problem.floor.rules
        return pallet.hazmat is None or not any(rules.incompatible(pallet.hazmat, c) for c in self.hazmat[tid])

    def take(self, pallet: Pallet, tid: str) -> None:
        self.count[tid] += 1
        self.units[tid] += units(pallet)
        if pallet.hazmat is not None:
            self.hazmat[tid].add(pallet.hazmat)


def _repair_pallets(problem: Problem, current: Assignment, out: Assignment) -> None:
    room = _Room(problem)
    order = sorted(problem.movable, key=lambda p: (not p.instructed, -problem.weight[p.sscc], p.sscc))
    rest: list[Pallet] = []
    for p in order:  # keep direct moves that still hold
        kind, target = current.targets.get(p.sscc, ("staging", ""))
        ok = kind == "direct" and target in problem.candidates[p.sscc] and out.trailer_doors.get(target) is not None
        if ok and room.fits(p, target):
            room.take(p, target)
            out.targets[p.sscc] = ("direct", target)
        else:
            rest.append(p)
    for p in rest:
        options = [
            t for t in problem.candidates[p.sscc] if out.trailer_doors.get(t) is not None and room.fits(p, t)
        ]
        if options:
            best = min(options, key=lambda t: (trailer_metres(problem, out, p, t), t))
            room.take(p, best)
            out.targets[p.sscc] = ("direct", best)
            continue
        area = problem.fallback[p.sscc]
        if area is not None:
            out.targets[p.sscc] = ("indirect" if area.kind == "breakdown" else "staging", area.id)
    for sscc in list(out.targets):
        if sscc not in problem.candidates:
            del out.targets[sscc]  # frozen or gone: no move


"""The re-plan: compose the door and pallet models, alternate them within the time budget.

Each round solves, warm-started from the incumbent, (1) pallets to trailers or areas with all doors
fixed, (2) trailers to outbound doors with trucks and pallets fixed, (3) trucks to inbound doors with
trailers fixed. Once the rounds settle, a small floor also gets the joint door step (both sides at
once, see :mod:`.joint`) for the rest of the budget. A step's result replaces the incumbent only
when it is valid and cheaper, so the plan returned is never worse than the warm start. Rounds stop
when one brings nothing or the budget is spent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from ortools.sat.python import cp_model

from xdock.central.optimiser.plan import Plan
from xdock.central.optimiser.replan.assignment import Assignment, to_plan
from xdock.central.optimiser.replan.constraints import AtMostOneDoor, DoorNoOverlap, OneTarget, Segregation, TrailerRoom
from xdock.central.optimiser.replan.doors import Side, door_data
from xdock.central.optimiser.replan.joint import FlowProducts, joint_data, unmerge
from xdock.central.optimiser.replan.pallets import cheapest, components, pallet_data, unconstrained
from xdock.central.optimiser.replan.problem import Problem
from xdock.central.optimiser.replan.terms import AreaCost, DoorCost, DoorlessPenalty, TrailerChoiceCost
from xdock.central.optimiser.replan.variables import DoorVars, PalletData, PalletVars
from xdock.central.optimiser.replan.warm_start import repair
from xdock.central.optimiser.schema import Floor, Rules
from xdock.central.optimiser.validation import validate

__all__ = ["replan"]

log = logging.getLogger(__name__)

MAX_ROUNDS = 8
_MIN_SLICE = 0.02
_PALLET_LP = 2
"""Full linear relaxation for the pallet parts: a part of 100 pallets and two trailers whose kilograms
bind is proved optimal in 16 ms with it, and not in 2 s with the default. The parts are solved on one
worker: they take milliseconds, and more workers only add their start-up to each."""
_DOOR_LP = 2
_RESERVE = 0.08
"""Share of the time limit kept for writing the plan out."""


@dataclass
class _Budget:
    """What is left of the time limit: wall seconds, or CP-SAT's deterministic time (``deterministic``)."""

    limit: float
    seed: int
    workers: int
    deterministic: bool = False
    started: float = field(default_factory=time.perf_counter)
    spent: float = 0.0
    """Deterministic time the solves took so far."""

    def left(self) -> float:
        if self.deterministic:
            return self.limit - self.spent
        return self.limit - (time.perf_counter() - self.started)


def _solve(
    model: cp_model.CpModel, seconds: float, budget: _Budget, *, lp: int = 1, workers: int | None = None
) -> cp_model.CpSolver | None:
    solver = cp_model.CpSolver()
    solver.parameters.linearization_level = lp
    if budget.deterministic:  # one worker: several race, and the race is the machine's to decide
        solver.parameters.max_deterministic_time = max(seconds, _MIN_SLICE)
        solver.parameters.num_workers = 1
    else:
        solver.parameters.max_time_in_seconds = max(seconds, _MIN_SLICE)
        solver.parameters.num_workers = budget.workers if workers is None else workers
    solver.parameters.random_seed = budget.seed
    status = solver.solve(model)
    if budget.deterministic:
        budget.spent += solver.response_proto.deterministic_time
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def door_step(problem: Problem, a: Assignment, side: Side, seconds: float, budget: _Budget) -> Assignment | None:
    data = door_data(problem, a, side)
    if not data.vehicles:
        return None
    model = cp_model.CpModel()
    v = DoorVars.create(model, data)
    for constraint in (AtMostOneDoor(data), DoorNoOverlap(data)):
        constraint.add(model, v)
    model.minimize(cp_model.LinearExpr.sum([DoorCost(data).add(model, v), DoorlessPenalty(data).add(model, v)]))
    for (vehicle, door), var in v.x.items():
        model.add_hint(var, data.hint.get(vehicle) == door)
    solver = _solve(model, seconds, budget, lp=_DOOR_LP)
    if solver is None:
        return None
    out = a.copy()
    doors = out.trailer_doors if side == "trailers" else out.truck_doors
    for vehicle in data.vehicles:
        doors[vehicle] = None
    for (vehicle, door), var in v.x.items():
        if solver.boolean_value(var):
            doors[vehicle] = door
    return out


def joint_step(problem: Problem, a: Assignment, seconds: float, budget: _Budget) -> Assignment | None:
    """Both sides' doors in one model, for floors small enough (see :mod:`.joint`)."""
    found = joint_data(problem, a)
    if found is None:
        return None
    data, flows = found
    model = cp_model.CpModel()
    v = DoorVars.create(model, data)
    for constraint in (AtMostOneDoor(data), DoorNoOverlap(data)):
        constraint.add(model, v)
    terms = [
        DoorCost(data).add(model, v),
        DoorlessPenalty(data).add(model, v),
        FlowProducts(data, flows, problem).add(model, v),
    ]
    model.minimize(cp_model.LinearExpr.sum(terms))
    for (vehicle, door), var in v.x.items():
        model.add_hint(var, data.hint.get(vehicle) == door)
    solver = _solve(model, seconds, budget, lp=_DOOR_LP)
    if solver is None:
        return None
    chosen = {vehicle: door for (vehicle, door), var in v.x.items() if solver.boolean_value(var)}
    return unmerge(data, dict(chosen), a)


def _solve_pallets(data: PalletData, rules: Rules, seconds: float, budget: _Budget) -> dict[str, str | None] | None:
    """Trailer (or ``None``: the area) of each pallet of one independent part, or ``None`` if not solved."""
    model = cp_model.CpModel()
    v = PalletVars.create(model, data)
    for constraint in (OneTarget(data), TrailerRoom(data), Segregation(data, rules)):
        constraint.add(model, v)
    model.minimize(cp_model.LinearExpr.sum([TrailerChoiceCost(data).add(model, v), AreaCost(data).add(model, v)]))
    for (p, t), var in v.y.items():
        model.add_hint(var, data.hint[p] == t)
    for p, var in v.area.items():
        model.add_hint(var, data.hint[p] is None)
    hinted = {(data.hint[p], data.hazmat[p]) for p in data.pallets}
    for key, var in v.carries.items():
        model.add_hint(var, key in hinted)
    solver = _solve(model, seconds, budget, lp=_PALLET_LP, workers=1)
    if solver is None:
        return None
    chosen: dict[str, str | None] = dict.fromkeys(data.pallets)
    for (p, t), var in v.y.items():
        if solver.boolean_value(var):
            chosen[p] = t
    return chosen


def pallet_step(problem: Problem, a: Assignment, seconds: float, budget: _Budget) -> Assignment | None:
    """Pallets to trailers or areas, all doors fixed, one small model per independent part.

    A part where no trailer can run short of room nor mix kept-apart classes needs no model: each
    pallet takes its cheapest option.
    """
    rules = problem.floor.rules
    parts = sorted(components(pallet_data(problem, a)), key=lambda d: -len(d.pallets))
    if not parts:
        return None
    stop_at = budget.left() - seconds
    out = a.copy()
    free = [d for d in parts if unconstrained(d, rules)]
    bound = [d for d in parts if not unconstrained(d, rules)]
    chosen: dict[str, str | None] = {}
    for data in free:
        chosen.update(cheapest(data))
    total = sum(len(d.pallets) for d in bound)
    for data in bound:
        left = budget.left() - stop_at
        if left <= 0:
            break  # the incumbent's moves stand for the parts not reached
        share = left * len(data.pallets) / total
        total -= len(data.pallets)
        chosen.update(_solve_pallets(data, rules, max(share, _MIN_SLICE), budget) or {})
    for p, t in chosen.items():
        area = problem.fallback[p]
        if t is not None:
            out.targets[p] = ("direct", t)
        elif area is not None:
            out.targets[p] = ("indirect" if area.kind == "breakdown" else "staging", area.id)
    return out


def replan(
    floor: Floor, current: Plan, now: datetime, *, time_limit: float = 2.0, seed: int = 0, workers: int = 1,
    deterministic: bool = False,
) -> Plan:
    """A better plan for ``floor`` at ``now``, warm-started from ``current``; its version is one more.

    ``time_limit`` bounds the whole call (seconds); ``seed`` and ``workers`` go to CP-SAT. ``deterministic``:
    ``time_limit`` is CP-SAT's deterministic time instead, spent on one worker, so the same floor, plan and
    seed give the same plan however busy the machine is (a simulation's re-plans reproduce); the wall time
    it takes then depends on the machine.
    """
    budget = _Budget(time_limit * (1 - _RESERVE), seed, workers, deterministic)
    problem = Problem.build(floor, now)
    version = current.version + 1
    best = Assignment.of_plan(floor, current)
    if validate(floor, current, now):
        best = repair(problem, best)
    best_plan = to_plan(problem, best, version)

    def better(found: Assignment | None, step: str) -> bool:
        nonlocal best, best_plan
        if found is None:
            return False
        plan = to_plan(problem, found, version)
        log.debug("re-plan step %s: %.1f -> %.1f, %.2f s left", step, best_plan.cost_m, plan.cost_m, budget.left())
        if plan.cost_m >= best_plan.cost_m - 1e-6:
            return False
        problems = validate(floor, plan, now)
        if problems:
            log.warning("re-plan step %s gave an invalid plan, kept the incumbent: %s", step, problems[0])
            return False
        best, best_plan = found, plan
        return True

    for _ in range(MAX_ROUNDS):
        improved = False
        for step in ("pallets", "trailers", "trucks"):
            left = budget.left()
            if left < _MIN_SLICE:
                break
            if step == "pallets":
                found = pallet_step(problem, best, left * 0.6, budget)
            else:
                found = door_step(problem, best, "trailers" if step == "trailers" else "trucks", left * 0.4, budget)
            improved = better(found, step) or improved
        if not improved or budget.left() < _MIN_SLICE:
            break
    joint = budget.left() >= _MIN_SLICE and better(joint_step(problem, best, budget.left(), budget), "joint")
    if joint and budget.left() >= _MIN_SLICE:
        better(pallet_step(problem, best, budget.left(), budget), "pallets")
    return best_plan

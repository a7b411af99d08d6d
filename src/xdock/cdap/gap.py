"""Exact one-side re-optimisation: with the other side's doors fixed, the CDAP is a generalised assignment.

Fixing the outbound doors ``b`` makes inbound truck i cost ``sum_j w_ij * d[k][b_j]`` at door k, independent of
the other inbound trucks, so the best inbound doors solve a linear generalised assignment problem (GAP), and
symmetrically for the outbound side. CP-SAT solves such GAPs exactly in milliseconds for a few doors; with about
a hundred trucks on twenty doors and tight capacities it may need far more than a second per proof, so the solver
uses it to find (or rule out) a feasible assignment when the greedy constructions fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from xdock.cdap.instance import CdapInstance, IntArray

__all__ = ["GapResult", "inbound_costs", "outbound_costs", "solve_gap"]


@dataclass(frozen=True, eq=False)
class GapResult:
    """Doors found for one side; ``doors`` is None when no assignment was found."""

    doors: IntArray | None
    cost: int
    optimal: bool
    infeasible: bool


def inbound_costs(instance: CdapInstance, outbound: IntArray) -> IntArray:
    """(M, I) cost of each inbound truck at each inbound door, given the outbound doors."""
    return np.asarray(instance.flows @ instance.distances[:, outbound].T, dtype=np.int64)


def outbound_costs(instance: CdapInstance, inbound: IntArray) -> IntArray:
    """(N, J) cost of each outbound truck at each outbound door, given the inbound doors."""
    return np.asarray(instance.flows.T @ instance.distances[inbound, :], dtype=np.int64)


def solve_gap(
    costs: IntArray,
    sizes: IntArray,
    capacities: IntArray,
    *,
    time_limit: float,
    seed: int = 0,
    hint: IntArray | None = None,
    workers: int = 1,
    first_solution: bool = False,
) -> GapResult:
    """Assign every truck (row of ``costs``) to one door (column) within capacities, at least total cost.

    With ``first_solution`` the search stops at the first feasible assignment (a feasibility check).
    """
    n_trucks, n_doors = costs.shape
    model = cp_model.CpModel()
    allowed = sizes[:, None] <= capacities[None, :]
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for t in range(n_trucks):
        row = []
        for k in range(n_doors):
            if allowed[t, k]:
                x[t, k] = model.new_bool_var(f"x_{t}_{k}")
                row.append(x[t, k])
        if not row:
            return GapResult(doors=None, cost=0, optimal=True, infeasible=True)
        model.add_exactly_one(row)
    for k in range(n_doors):
        terms = [(int(sizes[t]), x[t, k]) for t in range(n_trucks) if (t, k) in x and sizes[t] > 0]
        if terms and sum(size for size, _ in terms) > capacities[k]:
            model.add(sum(size * var for size, var in terms) <= int(capacities[k]))
    base = costs.min(axis=1, keepdims=True)
    reduced = costs - base
    model.minimize(sum(int(reduced[t, k]) * var for (t, k), var in x.items() if reduced[t, k]))
    if hint is not None:
        for (t, k), var in x.items():
            model.add_hint(var, int(hint[t]) == k)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.001)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.stop_after_first_solution = first_solution
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return GapResult(doors=None, cost=0, optimal=True, infeasible=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return GapResult(doors=None, cost=0, optimal=False, infeasible=False)
    doors = np.zeros(n_trucks, dtype=np.int64)
    for (t, k), var in x.items():
        if solver.boolean_value(var):
            doors[t] = k
    cost = int(costs[np.arange(n_trucks), doors].sum())
    return GapResult(doors=doors, cost=cost, optimal=status == cp_model.OPTIMAL, infeasible=False)

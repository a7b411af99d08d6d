"""The full quadratic model in CP-SAT, for proving optimality on small instances.

One Boolean per truck and door; each flow (i, j) with ``w_ij > 0`` gets a cost variable bounded below by
``w_ij * d[k][l]`` whenever inbound truck i is on door k and outbound truck j on door l. The model grows as
(non-zero flows) x I x J, so the solver uses it only when that product is small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from xdock.cdap.instance import CdapInstance, IntArray

__all__ = ["ExactResult", "model_size", "solve_exact"]


@dataclass(frozen=True, eq=False)
class ExactResult:
    """Best doors found (None if none), their cost, and whether CP-SAT proved them optimal or proved infeasibility."""

    inbound: IntArray | None
    outbound: IntArray | None
    cost: int
    optimal: bool
    infeasible: bool


def model_size(instance: CdapInstance) -> int:
    """Number of flow-by-door-pair constraints the exact model would hold."""
    return int(np.count_nonzero(instance.flows)) * instance.n_inbound_doors * instance.n_outbound_doors


def _assignment(
    model: cp_model.CpModel, prefix: str, sizes: IntArray, capacities: IntArray
) -> list[list[cp_model.IntVar]]:
    x = [[model.new_bool_var(f"{prefix}_{t}_{k}") for k in range(capacities.shape[0])] for t in range(sizes.shape[0])]
    for row in x:
        model.add_exactly_one(row)
    for k in range(capacities.shape[0]):
        model.add(sum(int(sizes[t]) * x[t][k] for t in range(sizes.shape[0])) <= int(capacities[k]))
    return x


def solve_exact(
    instance: CdapInstance,
    *,
    time_limit: float,
    seed: int = 0,
    hint: tuple[IntArray, IntArray] | None = None,
    workers: int = 1,
) -> ExactResult:
    """Solve the whole instance with CP-SAT within ``time_limit`` seconds."""
    model = cp_model.CpModel()
    x = _assignment(model, "in", instance.supplies, instance.inbound_capacities)
    y = _assignment(model, "out", instance.demands, instance.outbound_capacities)
    d = instance.distances
    low, high = int(d.min()), int(d.max())
    terms = []
    for i, j in zip(*np.nonzero(instance.flows), strict=True):
        w = int(instance.flows[i, j])
        cost = model.new_int_var(w * low, w * high, f"c_{i}_{j}")
        for k in range(d.shape[0]):
            for m in range(d.shape[1]):
                if d[k, m] > low:
                    model.add(cost >= w * int(d[k, m])).only_enforce_if([x[i][k], y[j][m]])
        terms.append(cost)
    model.minimize(sum(terms))
    if hint is not None:
        for rows, doors in ((x, hint[0]), (y, hint[1])):
            for t, row in enumerate(rows):
                for k, var in enumerate(row):
                    model.add_hint(var, int(doors[t]) == k)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.001)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(None, None, 0, optimal=False, infeasible=status == cp_model.INFEASIBLE)
    inbound = np.array([[solver.boolean_value(v) for v in row].index(True) for row in x], dtype=np.int64)
    outbound = np.array([[solver.boolean_value(v) for v in row].index(True) for row in y], dtype=np.int64)
    return ExactResult(
        inbound, outbound, round(solver.objective_value), optimal=status == cp_model.OPTIMAL, infeasible=False
    )

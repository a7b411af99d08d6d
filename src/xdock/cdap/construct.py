"""A first assignment: greedy, then worst-fit, then a CP-SAT feasibility check, else an overfull start.

An overfull start is still useful: the tabu search charges pallets over capacity and walks to feasibility.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xdock.cdap.gap import solve_gap
from xdock.cdap.greedy import greedy_side
from xdock.cdap.instance import CdapInstance, IntArray

__all__ = ["Start", "construct", "worst_fit"]


@dataclass(frozen=True, eq=False)
class Start:
    """Doors for both sides (None when ``proven_infeasible``); ``feasible`` when they respect the capacities."""

    inbound: IntArray | None
    outbound: IntArray | None
    feasible: bool
    proven_infeasible: bool


def worst_fit(sizes: IntArray, capacities: IntArray) -> tuple[IntArray, bool]:
    """Largest truck first onto the door with the most room left; True when nothing overflows."""
    doors = np.zeros(sizes.shape[0], dtype=np.int64)
    room = capacities.astype(np.int64).copy()
    for truck in np.argsort(-sizes, kind="stable"):
        door = int(np.argmax(room))
        doors[truck] = door
        room[door] -= sizes[truck]
    return doors, bool((room >= 0).all())


def _side(
    sizes: IntArray, capacities: IntArray, centrality: IntArray, time_limit: float, seed: int
) -> tuple[IntArray | None, bool]:
    """Doors for one side and whether they fit; None when the side is proven infeasible."""
    doors = greedy_side(sizes, capacities, centrality.astype(np.float64))
    if doors is not None:
        return doors, True
    spread, fits = worst_fit(sizes, capacities)
    if fits:
        return spread, True
    costs = (sizes[:, None] * centrality[None, :]).astype(np.int64)
    result = solve_gap(costs, sizes, capacities, time_limit=time_limit, seed=seed, first_solution=True)
    if result.infeasible:
        return None, False
    if result.doors is not None:
        return result.doors, True
    return spread, False


def construct(instance: CdapInstance, *, time_limit: float, seed: int = 0) -> Start:
    """Busiest trucks on the most central doors when that fits; ``time_limit`` bounds the feasibility checks."""
    d = instance.distances
    share = max(time_limit / 2, 0.001)
    inbound, in_fits = _side(instance.supplies, instance.inbound_capacities, d.sum(axis=1), share, seed)
    if inbound is None:
        return Start(None, None, feasible=False, proven_infeasible=True)
    outbound, out_fits = _side(instance.demands, instance.outbound_capacities, d.sum(axis=0), share, seed)
    if outbound is None:
        return Start(None, None, feasible=False, proven_infeasible=True)
    return Start(inbound, outbound, feasible=in_fits and out_fits, proven_infeasible=False)

"""Door-group permutation: move whole door loads to other doors, one side at a time, by linear assignment.

Keep which trucks share a door, and ask which door each group should stand on. With the other side's groups
fixed, placing inbound group g on door k costs ``sum_l F[g, l] * d[k][q(l)]`` (F: pallets between the groups, q:
the other side's placement), a linear assignment problem (groups that would overflow a door may not go there).
Solving it exactly for each side in turn, until neither improves, escapes optima that single-truck moves and
pairwise door exchanges cannot leave.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import linear_sum_assignment

from xdock.cdap.instance import CdapInstance, IntArray

__all__ = ["permute_doors"]


def _placement(costs: IntArray, loads: IntArray, capacities: IntArray) -> IntArray | None:
    """Door for each group (row of ``costs``) minimising the total cost, each door taking at most one group."""
    groups, doors = np.nonzero(loads[:, None] <= capacities[None, :])
    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    solver.add_arcs_with_cost(groups.astype(np.int32), doors.astype(np.int32), costs[groups, doors].astype(np.int64))
    if solver.solve() != solver.OPTIMAL:
        return None
    return np.array([solver.right_mate(group) for group in range(costs.shape[0])], dtype=np.int64)


def permute_doors(instance: CdapInstance, inbound: IntArray, outbound: IntArray) -> tuple[int, IntArray, IntArray]:
    """Best placement of the door groups reached by alternating exact one-side placements; never worse."""
    d = instance.distances
    n_in, n_out = instance.n_inbound_doors, instance.n_outbound_doors
    group_flows = np.zeros((n_in, n_out), dtype=np.int64)
    np.add.at(group_flows, (inbound[:, None], outbound[None, :]), instance.flows)
    in_loads = np.bincount(inbound, weights=instance.supplies, minlength=n_in).astype(np.int64)
    out_loads = np.bincount(outbound, weights=instance.demands, minlength=n_out).astype(np.int64)
    p, q = np.arange(n_in), np.arange(n_out)
    cost = int((group_flows * d[np.ix_(p, q)]).sum())
    improved = True
    while improved:
        improved = False
        for side in (0, 1):
            if side == 0:
                costs = group_flows @ d[:, q].T  # (group g, door k): sum_l F[g, l] * d[k][q(l)]
                placed = _placement(costs, in_loads, instance.inbound_capacities)
            else:
                costs = group_flows.T @ d[p, :]  # (group l, door m): sum_g F[g, l] * d[p(g)][m]
                placed = _placement(costs, out_loads, instance.outbound_capacities)
            if placed is None:
                continue
            p_new, q_new = (placed, q) if side == 0 else (p, placed)
            new_cost = int((group_flows * d[np.ix_(p_new, q_new)]).sum())
            if new_cost < cost:
                cost, p, q, improved = new_cost, p_new, q_new, True
    return cost, p[inbound], q[outbound]

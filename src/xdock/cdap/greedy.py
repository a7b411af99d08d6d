"""Baseline construction: the busiest trucks go to the most central doors that still have room."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from xdock.cdap.instance import CdapInstance, IntArray
from xdock.cdap.solution import CdapSolution, objective

__all__ = ["greedy", "greedy_side"]


def greedy_side(sizes: IntArray, capacities: IntArray, centrality: npt.NDArray[np.float64]) -> IntArray | None:
    """Largest truck first, each onto the most central door with room; None when a truck finds no door."""
    doors = np.full(sizes.shape[0], -1, dtype=np.int64)
    room = capacities.astype(np.int64).copy()
    door_order = np.argsort(centrality, kind="stable")
    for truck in np.argsort(-sizes, kind="stable"):
        fits = door_order[room[door_order] >= sizes[truck]]
        if fits.size == 0:
            return None
        door = int(fits[0])
        doors[truck] = door
        room[door] -= sizes[truck]
    return doors


def greedy(instance: CdapInstance) -> CdapSolution | None:
    """The greedy assignment, or None when first-fit leaves a truck without a door."""
    d = instance.distances.astype(np.float64)
    inbound = greedy_side(instance.supplies, instance.inbound_capacities, d.mean(axis=1))
    outbound = greedy_side(instance.demands, instance.outbound_capacities, d.mean(axis=0))
    if inbound is None or outbound is None:
        return None
    return CdapSolution(inbound, outbound, objective(instance, inbound, outbound))

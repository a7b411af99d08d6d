"""A truck-to-door assignment, its cost and a solver-agnostic check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xdock.cdap.instance import CdapInstance, IntArray

__all__ = ["CdapSolution", "door_loads", "excess", "objective", "validate"]


@dataclass(frozen=True, eq=False)
class CdapSolution:
    """Door of every inbound truck and every outbound truck (0-based), with the claimed cost."""

    inbound_doors: IntArray
    outbound_doors: IntArray
    objective: int


def objective(instance: CdapInstance, inbound: IntArray, outbound: IntArray) -> int:
    """Total pallet distance ``sum_ij w_ij * d[inbound[i]][outbound[j]]``."""
    travel = instance.distances[np.ix_(inbound, outbound)]
    return int((instance.flows * travel).sum())


def door_loads(sizes: IntArray, doors: IntArray, n_doors: int) -> IntArray:
    """Pallets placed on each door."""
    return np.bincount(doors, weights=sizes, minlength=n_doors).astype(np.int64)


def excess(instance: CdapInstance, inbound: IntArray, outbound: IntArray) -> int:
    """Pallets over capacity, summed over all doors of both sides."""
    total = 0
    for sizes, doors, capacities in (
        (instance.supplies, inbound, instance.inbound_capacities),
        (instance.demands, outbound, instance.outbound_capacities),
    ):
        total += int(np.maximum(door_loads(sizes, doors, capacities.shape[0]) - capacities, 0).sum())
    return total


def validate(instance: CdapInstance, solution: CdapSolution) -> list[str]:
    """Every way the solution breaks the instance; an empty list means it is feasible and its cost is right."""
    problems: list[str] = []
    sides = (
        ("inbound", solution.inbound_doors, instance.supplies, instance.inbound_capacities),
        ("outbound", solution.outbound_doors, instance.demands, instance.outbound_capacities),
    )
    shapes_ok = True
    for side, doors, sizes, capacities in sides:
        if doors.ndim != 1 or doors.shape[0] != sizes.shape[0]:
            problems.append(f"{side} doors: expected {sizes.shape[0]} entries, got {doors.size}")
            shapes_ok = False
            continue
        bad = [int(t) for t in np.flatnonzero((doors < 0) | (doors >= capacities.shape[0]))]
        problems.extend(
            f"{side} truck {truck}: door {int(doors[truck])} out of range 0..{capacities.shape[0] - 1}" for truck in bad
        )
        if bad:
            shapes_ok = False
            continue
        loads = door_loads(sizes, doors, capacities.shape[0])
        problems.extend(
            f"{side} door {int(door)}: load {int(loads[door])} exceeds capacity {int(capacities[door])}"
            for door in np.flatnonzero(loads > capacities)
        )
    if shapes_ok:
        actual = objective(instance, solution.inbound_doors, solution.outbound_doors)
        if actual != solution.objective:
            problems.append(f"objective: claimed {solution.objective}, recomputed {actual}")
    return problems

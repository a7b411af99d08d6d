"""A start from a spectral ordering of the trucks: trucks that exchange many pallets end up on nearby doors.

Inbound and outbound trucks are the two sides of one weighted graph (edge weight ``w_ij``). The Fiedler vector of
its normalised Laplacian places every truck on a line so that heavy flows are short; the doors of each side are
put on a line by how near they are to the first rather than the last door of the other side. Trucks are then
dealt out along both lines, each door taking its share of the pallets. Capacities may be slightly exceeded at
the boundaries; the tabu search repairs that.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from xdock.cdap.instance import CdapInstance, IntArray

__all__ = ["door_line", "fiedler_positions", "seriation_start"]

FloatArray = npt.NDArray[np.float64]


def fiedler_positions(flows: IntArray) -> tuple[FloatArray, FloatArray]:
    """Position of every inbound and outbound truck on the line (Fiedler vector of the flow graph)."""
    m, n = flows.shape
    adjacency = np.zeros((m + n, m + n))
    adjacency[:m, m:] = flows
    adjacency[m:, :m] = flows.T
    degree = adjacency.sum(axis=1)
    scale = 1.0 / np.sqrt(np.where(degree > 0, degree, 1.0))
    laplacian = np.eye(m + n) * (degree > 0) - scale[:, None] * adjacency * scale[None, :]
    _, vectors = np.linalg.eigh(laplacian)
    position = scale * vectors[:, 1] if m + n > 1 else np.zeros(m + n)
    return position[:m], position[m:]


def door_line(distances: IntArray) -> tuple[IntArray, IntArray]:
    """Inbound and outbound doors ordered from the first outbound (inbound) door's end to the other end."""
    inbound = np.argsort(distances[:, 0] - distances[:, -1], kind="stable")
    outbound = np.argsort(distances[0, :] - distances[-1, :], kind="stable")
    return inbound.astype(np.int64), outbound.astype(np.int64)


def _deal(order: IntArray, sizes: IntArray, capacities: IntArray, doors: IntArray) -> IntArray:
    """Trucks in ``order`` onto ``doors`` in turn, each door taking its capacity share of all pallets."""
    share = capacities[doors] / max(int(capacities.sum()), 1) * float(sizes.sum())
    assignment = np.zeros(sizes.shape[0], dtype=np.int64)
    position, load = 0, 0.0
    for truck in order:
        if position < doors.shape[0] - 1 and load > 0 and load + sizes[truck] / 2 > share[position]:
            position, load = position + 1, 0.0
        assignment[truck] = doors[position]
        load += float(sizes[truck])
    return assignment


def seriation_start(instance: CdapInstance, *, reverse: bool = False) -> tuple[IntArray, IntArray]:
    """Inbound and outbound doors from the spectral ordering (``reverse`` flips the trucks' line)."""
    inbound_position, outbound_position = fiedler_positions(instance.flows)
    if reverse:
        inbound_position, outbound_position = -inbound_position, -outbound_position
    inbound_doors, outbound_doors = door_line(instance.distances)
    inbound = _deal(
        np.argsort(inbound_position, kind="stable"), instance.supplies, instance.inbound_capacities, inbound_doors
    )
    outbound = _deal(
        np.argsort(outbound_position, kind="stable"), instance.demands, instance.outbound_capacities, outbound_doors
    )
    return inbound, outbound

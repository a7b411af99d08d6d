"""Move evaluation for the tabu search: every relocate, swap and door exchange on one side at once, in numpy.

With the other side fixed, truck t costs ``costs[t, k]`` on door k, so a relocate changes the cost by
``costs[t, k] - costs[t, door(t)]``, a swap by the sum of two such terms and a door exchange by the sum over the
trucks of both doors. Capacity overflow changes are computed alongside and charged at the current penalty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from xdock.central.optimiser.cdap.instance import IntArray

__all__ = ["BIG", "EXCHANGE", "RELOCATE", "SWAP", "Move", "Side", "best_on_side", "new_side"]

BIG = np.int64(1) << 60
"""Stands for an inadmissible move."""

RELOCATE, SWAP, EXCHANGE = 0, 1, 2


@dataclass
class Side:
    """One side's trucks and doors, and its cached costs."""

    sizes: IntArray
    capacities: IntArray
    weights: IntArray  # row t: flows from truck t to every truck of the other side
    spans: IntArray  # row k: distances from door k to every door of the other side
    doors: IntArray
    loads: IntArray
    costs: IntArray  # (trucks, doors): cost of each truck at each door, other side fixed
    tabu: IntArray  # (trucks, doors): iteration until which putting the truck on the door is tabu
    door_tabu: IntArray  # (doors, doors): iteration until which exchanging the two doors is tabu
    size_diff: IntArray  # (trucks, trucks): sizes[t1] - sizes[t2]
    rows: IntArray
    upper: npt.NDArray[np.bool_]  # (doors, doors): door pairs k < m
    size_span: int  # largest minus smallest truck size


@dataclass(frozen=True)
class Move:
    """A change on one side, with its penalised cost change.

    ``RELOCATE``: truck ``first`` to door ``second``. ``SWAP``: trucks ``first`` and ``second`` trade doors.
    ``EXCHANGE``: all trucks of door ``first`` and all trucks of door ``second`` trade doors.
    """

    side: int
    kind: int
    first: int
    second: int
    delta: int


RELOCATE, SWAP, EXCHANGE = 0, 1, 2


def new_side(sizes: IntArray, capacities: IntArray, weights: IntArray, spans: IntArray, doors: IntArray) -> Side:
    """A side with empty caches; :meth:`TabuSearch.reset` fills them."""
    n, k = sizes.shape[0], capacities.shape[0]
    return Side(
        sizes=sizes,
        capacities=capacities,
        weights=np.ascontiguousarray(weights),
        spans=np.ascontiguousarray(spans),
        doors=doors.copy(),
        loads=np.zeros(k, dtype=np.int64),
        costs=np.zeros((n, k), dtype=np.int64),
        tabu=np.zeros((n, k), dtype=np.int64),
        door_tabu=np.zeros((k, k), dtype=np.int64),
        size_diff=sizes[:, None] - sizes[None, :],
        rows=np.arange(n),
        upper=np.triu(np.ones((k, k), dtype=bool), 1),
        size_span=int(sizes.max() - sizes.min()),
    )


def best_on_side(
    side: Side, s: int, *, iteration: int, penalty: int, cost: int, target: int, excess: int, rng: np.random.Generator
) -> Move | None:
    """Best admissible move on one side by penalised cost change, ties broken at random.

    A move is admissible when it is not tabu, or when it reaches a feasible assignment cheaper than ``target``
    (aspiration); ``excess`` is the current overflow of both sides, ``penalty`` the charge per pallet of it.
    """
    it, weight, doors = iteration, penalty, side.doors
    spare = side.loads - side.capacities  # > 0 on an overfull door
    over = np.maximum(spare, 0)
    need = target - cost  # a feasible move with delta < need beats the best known: aspiration

    # relocate[t, k]: cost change of moving truck t to door k (swaps and exchanges are sums of these)
    relocate = side.costs - side.costs[side.rows, doors][:, None]
    gain = relocate[:, doors]  # gain[t1, t2]: truck t1 onto the door of truck t2
    swap = gain + gain.T
    door_spare, door_over = spare[doors], over[doors]
    leave = np.maximum(door_spare - side.sizes, 0) - door_over
    grow = np.maximum(spare[None, :] + side.sizes[:, None], 0) - over[None, :] + leave[:, None]
    ok = side.tabu <= it
    if relocate.min() < need:
        ok |= (relocate < need) & (grow == -excess)
    ok[side.rows, doors] = False
    relocate = np.where(ok, relocate + weight * grow, BIG)

    free = side.tabu[:, doors] <= it
    ok = free & free.T & (doors[:, None] < doors[None, :])
    if excess == 0 and int(spare.max()) + side.size_span <= 0:
        grow = None  # no swap can overfill a door
    else:
        taken = np.maximum(door_spare[None, :] + side.size_diff, 0) - door_over[None, :]
        grow = taken + taken.T
    if swap.min() < need:
        feasible = (swap < need) if grow is None else (swap < need) & (grow == -excess)
        ok |= feasible & (doors[:, None] != doors[None, :])
    swap = np.where(ok, swap if grow is None else swap + weight * grow, BIG)

    n_doors = side.capacities.shape[0]
    members = np.zeros((n_doors, side.rows.shape[0]))
    members[doors, side.rows] = 1.0
    block = (members @ side.costs).astype(np.int64)  # block[k, m]: trucks of door k, all placed on door m
    base = np.diagonal(block)
    exchange = block + block.T - base[:, None] - base[None, :]
    moved = np.maximum(side.loads[None, :] - side.capacities[:, None], 0) - over[:, None]
    grow = moved + moved.T
    ok = side.door_tabu <= it
    if exchange.min() < need:
        ok |= (exchange < need) & (grow == -excess)
    ok &= side.upper & (side.loads[:, None] + side.loads[None, :] > 0)
    exchange = np.where(ok, exchange + weight * grow, BIG)

    candidates = ((relocate, RELOCATE), (swap, SWAP), (exchange, EXCHANGE))
    lows = [int(matrix.min()) for matrix, _ in candidates]
    best = min(lows)
    if best >= BIG:
        return None
    kinds = [index for index, low in enumerate(lows) if low == best]
    matrix, kind = candidates[kinds[int(rng.integers(len(kinds)))] if len(kinds) > 1 else kinds[0]]
    choices = np.flatnonzero(matrix.ravel() == best)
    pick = int(choices[rng.integers(choices.size)]) if choices.size > 1 else int(choices[0])
    first, second = divmod(pick, matrix.shape[1])
    return Move(s, kind, first, second, best)

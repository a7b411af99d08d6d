"""Tabu search over relocate, swap and door-exchange moves on both sides, with incremental cost caches.

The cost is bilinear in the two sides: with the outbound doors fixed, inbound truck i costs
``G_in[i, k] = sum_j w_ij * d[k][b_j]`` at door k. Keeping ``G_in`` (M x I) and ``G_out`` (N x J) up to date makes
every move on a side a lookup (:mod:`~xdock.central.optimiser.cdap.moves` evaluates them all at once); a move on
one side changes only the other side's matrix, by one outer product.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from xdock.central.optimiser.cdap.gap import inbound_costs, outbound_costs
from xdock.central.optimiser.cdap.instance import CdapInstance, IntArray
from xdock.central.optimiser.cdap.moves import RELOCATE, SWAP, Move, best_on_side, new_side

__all__ = ["TabuSearch"]

_PENALTY_PERIOD = 10
_PENALTY_CAP = 1 << 20


class TabuSearch:
    """Current assignment with cached costs; applies moves and runs tabu walks."""

    def __init__(self, instance: CdapInstance, inbound: IntArray, outbound: IntArray) -> None:
        w, d = instance.flows, instance.distances
        self._sides = (
            new_side(instance.supplies, instance.inbound_capacities, w, d, inbound),
            new_side(instance.demands, instance.outbound_capacities, w.T.copy(), d.T.copy(), outbound),
        )
        self._instance = instance
        self.iteration = 0
        self.cost = 0
        self.penalty = 1
        """Cost charged per pallet over a door's capacity."""
        self.reset(inbound, outbound)

    def reset(self, inbound: IntArray, outbound: IntArray) -> None:
        """Jump to a new assignment and clear the tabu lists."""
        inside, outside = self._sides
        for side, doors in ((inside, inbound), (outside, outbound)):
            side.doors = doors.astype(np.int64).copy()
            side.loads = np.bincount(side.doors, weights=side.sizes, minlength=side.capacities.shape[0]).astype(
                np.int64
            )
            side.tabu.fill(0)
            side.door_tabu.fill(0)
        inside.costs = inbound_costs(self._instance, outside.doors)
        outside.costs = outbound_costs(self._instance, inside.doors)
        self.cost = int(inside.costs[inside.rows, inside.doors].sum())

    @property
    def inbound(self) -> IntArray:
        """Current inbound doors (a copy)."""
        return self._sides[0].doors.copy()

    @property
    def outbound(self) -> IntArray:
        """Current outbound doors (a copy)."""
        return self._sides[1].doors.copy()

    def _relocate(self, s: int, truck: int, door: int) -> None:
        side, other = self._sides[s], self._sides[1 - s]
        old = int(side.doors[truck])
        self.cost += int(side.costs[truck, door] - side.costs[truck, old])
        size = side.sizes[truck]
        side.loads[old] -= size
        side.loads[door] += size
        side.doors[truck] = door
        other.costs += np.outer(side.weights[truck], side.spans[door] - side.spans[old])

    def apply(self, move: Move, tenure: int) -> None:
        """Make a move and forbid the moved trucks to return to their doors for ``tenure`` iterations."""
        side = self._sides[move.side]
        until = self.iteration + tenure
        if move.kind == RELOCATE:
            side.tabu[move.first, side.doors[move.first]] = until
            self._relocate(move.side, move.first, move.second)
        elif move.kind == SWAP:
            first_door, second_door = int(side.doors[move.first]), int(side.doors[move.second])
            side.tabu[move.first, first_door] = until
            side.tabu[move.second, second_door] = until
            self._relocate(move.side, move.first, second_door)
            self._relocate(move.side, move.second, first_door)
        else:
            self._exchange(move.side, move.first, move.second, until)
        self.iteration += 1

    def _exchange(self, s: int, door: int, other_door: int, until: int) -> None:
        side, other = self._sides[s], self._sides[1 - s]
        here = np.flatnonzero(side.doors == door)
        there = np.flatnonzero(side.doors == other_door)
        self.cost += int(
            side.costs[here, other_door].sum()
            - side.costs[here, door].sum()
            + side.costs[there, door].sum()
            - side.costs[there, other_door].sum()
        )
        side.tabu[here, door] = until
        side.tabu[there, other_door] = until
        side.door_tabu[door, other_door] = side.door_tabu[other_door, door] = until
        side.doors[here] = other_door
        side.doors[there] = door
        side.loads[door], side.loads[other_door] = side.loads[other_door], side.loads[door]
        flow = side.weights[here].sum(axis=0) - side.weights[there].sum(axis=0)
        other.costs += np.outer(flow, side.spans[other_door] - side.spans[door])

    def excess(self) -> int:
        """Pallets over capacity, summed over the doors of both sides (0 when feasible)."""
        return sum(int(np.maximum(side.loads - side.capacities, 0).sum()) for side in self._sides)

    def best_move(self, target: int, rng: np.random.Generator) -> Move | None:
        """The best admissible move over both sides by penalised cost (ties broken at random)."""
        excess = self.excess()
        moves = [
            move
            for move in (
                best_on_side(
                    side,
                    s,
                    iteration=self.iteration,
                    penalty=self.penalty,
                    cost=self.cost,
                    target=target,
                    excess=excess,
                    rng=rng,
                )
                for s, side in enumerate(self._sides)
            )
            if move is not None
        ]
        if not moves:
            return None
        if len(moves) == 2 and moves[0].delta == moves[1].delta:
            return moves[int(rng.integers(2))]
        return min(moves, key=lambda m: m.delta)

    def walk(
        self,
        *,
        best_cost: int,
        stall_limit: int,
        tenure: tuple[int, int],
        rng: np.random.Generator,
        out_of_time: Callable[[], bool],
        on_best: Callable[[int, IntArray, IntArray], object] | None = None,
    ) -> tuple[int, IntArray, IntArray] | None:
        """Tabu walk with strategic oscillation across the capacity limits.

        Overfull doors are charged :attr:`penalty` per pallet; the penalty grows while the walk stays infeasible
        and shrinks while it stays feasible. The walk ends after ``stall_limit`` moves without a better feasible
        assignment and returns the best feasible one it met (None if it met none). ``on_best`` hears of every
        feasible assignment cheaper than ``best_cost`` and all before it, as soon as the walk reaches it.
        """
        found: tuple[int, IntArray, IntArray] | None = None
        if self.excess() == 0:
            found = (self.cost, self.inbound, self.outbound)
        stall = infeasible = 0
        low, high = tenure
        while stall < stall_limit and not out_of_time():
            target = best_cost if found is None else min(best_cost, found[0])
            move = self.best_move(target, rng)
            if move is None:
                break
            self.apply(move, int(rng.integers(low, high + 1)))
            stall += 1
            if self.excess() == 0:
                if found is None or self.cost < found[0]:
                    found = (self.cost, self.inbound, self.outbound)
                    stall = 0
                    if self.cost < best_cost:
                        best_cost = self.cost
                        if on_best is not None:
                            on_best(*found)
            else:
                infeasible += 1
            if self.iteration % _PENALTY_PERIOD == 0:
                if infeasible == _PENALTY_PERIOD:
                    self.penalty = min(self.penalty * 3 // 2 + 1, _PENALTY_CAP)
                elif infeasible == 0:
                    self.penalty = max(1, self.penalty * 2 // 3)
                infeasible = 0
        return found

    def kick(self, strength: int, rng: np.random.Generator) -> None:
        """Random relocations and swaps, capacity ignored, to leave a basin; clears the tabu lists."""
        for _ in range(strength):
            s = int(rng.integers(2))
            side = self._sides[s]
            n_trucks, n_doors = side.sizes.shape[0], side.capacities.shape[0]
            truck = int(rng.integers(n_trucks))
            door = int(side.doors[truck])
            if rng.random() < 0.5 and n_doors > 1:
                target = int(rng.integers(n_doors - 1))
                self._relocate(s, truck, target + (target >= door))
                continue
            partners = np.flatnonzero(side.doors != door)
            if partners.size:
                partner = int(partners[rng.integers(partners.size)])
                partner_door = int(side.doors[partner])
                self._relocate(s, truck, partner_door)
                self._relocate(s, partner, door)
        for side in self._sides:
            side.tabu.fill(0)
            side.door_tabu.fill(0)
        self.iteration += 1

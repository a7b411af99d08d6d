"""Population search: tabu walks from crossovers of good assignments.

Good CDAP assignments share most of their truck-to-door decisions, so a child keeps every door its two parents
agree on and takes each other truck's door from one parent at random; a tabu walk
(:class:`~xdock.cdap.tabu.TabuWalker`) repairs and improves it, and a door-group permutation
(:mod:`~xdock.cdap.permute`) polishes the walk's best. The child replaces the worst member when
it is better and not already in the population. The first members are tabu walks from the given starts, then from
random kicks of them. When ``restart_after`` children in a row bring no better assignment, the population has
converged on one basin: it restarts from the best member alone, refilled by tabu walks from random kicks of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from xdock.cdap.instance import CdapInstance, IntArray
from xdock.cdap.permute import permute_doors
from xdock.cdap.tabu import TabuWalker

__all__ = ["Member", "PopulationSettings", "evolve"]

Member = tuple[int, IntArray, IntArray]
"""Cost, inbound doors, outbound doors of a feasible assignment."""

_SLICE_EVALUATIONS = 2_000_000
"""Moves evaluated between two clock checks (about 10 ms)."""


@dataclass(frozen=True)
class PopulationSettings:
    """Size of the population and strength of the kicks that seed it (fraction of all trucks)."""

    size: int = 5
    seed_kick: float = 0.3
    restart_after: int = 15
    """Children in a row without a better assignment before the population restarts from its best member."""


def _walk(
    instance: CdapInstance,
    walker: TabuWalker,
    out_of_time: Callable[[], bool],
    on_best: Callable[[int, IntArray, IntArray], object],
) -> Member | None:
    """Finish the walker's current walk, telling ``on_best`` of each improvement as it happens."""
    slice_moves = max(1, _SLICE_EVALUATIONS // walker.evaluations)
    reported: int | None = None
    while True:
        ended = walker.step(slice_moves)
        best = walker.best
        if best is not None and (reported is None or best[0] < reported):
            reported = best[0]
            on_best(*best)
        if ended or out_of_time():
            break
    if best is None:
        return None
    permuted = permute_doors(instance, best[1], best[2])
    if permuted[0] < best[0]:
        on_best(*permuted)
        return permuted
    return best


def _crossover(first: Member, second: Member, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    sides = []
    for doors, other in ((first[1], second[1]), (first[2], second[2])):
        take = rng.random(doors.shape[0]) < 0.5
        sides.append(np.where(take, other, doors))
    return sides[0], sides[1]


def _same(member: Member, other: Member) -> bool:
    return member[0] == other[0] and np.array_equal(member[1], other[1]) and np.array_equal(member[2], other[2])


def evolve(
    instance: CdapInstance,
    walker: TabuWalker,
    starts: Sequence[tuple[IntArray, IntArray]],
    *,
    rng: np.random.Generator,
    out_of_time: Callable[[], bool],
    on_best: Callable[[int, IntArray, IntArray], object],
    settings: PopulationSettings | None = None,
) -> None:
    """Search until ``out_of_time``; every feasible improvement found is passed to ``on_best``."""
    settings = settings or PopulationSettings()
    trucks = walker.inbound.shape[0] + walker.outbound.shape[0]
    population: list[Member] = []

    def admit(child: Member | None) -> None:
        if child is None or any(_same(child, member) for member in population):
            return
        if len(population) < settings.size:
            population.append(child)
            return
        worst = max(range(len(population)), key=lambda index: population[index][0])
        if child[0] < population[worst][0]:
            population[worst] = child

    for inbound, outbound in starts:
        if out_of_time():
            return
        walker.start(inbound, outbound)
        admit(_walk(instance, walker, out_of_time, on_best))
    kick = max(2, round(trucks * settings.seed_kick))
    attempt = stale = 0
    while not out_of_time():
        best = min((member[0] for member in population), default=None)
        if len(population) >= max(2, settings.size):
            first, second = rng.choice(len(population), size=2, replace=False)
            walker.start(*_crossover(population[int(first)], population[int(second)], rng))
        else:
            if len(population) < settings.size:
                inbound, outbound = starts[attempt % len(starts)]
                attempt += 1
            else:  # a population of one
                inbound, outbound = population[0][1], population[0][2]
            walker.start(inbound, outbound)
            walker.kick(kick)
        admit(_walk(instance, walker, out_of_time, on_best))
        improved = bool(population) and (best is None or min(member[0] for member in population) < best)
        stale = 0 if improved else stale + 1
        if population and stale >= settings.restart_after:
            elite = min(population, key=lambda member: member[0])
            population[:] = [elite]
            starts = [(elite[1], elite[2])]
            attempt = stale = 0

"""The CDAP solver: construction, a population of compiled tabu walks, and an exact proof on small instances.

1. :func:`~xdock.cdap.construct.construct` finds a first assignment (greedy, worst-fit or a
   CP-SAT feasibility check, which also proves infeasibility).
2. Two spectral starts (:mod:`~xdock.cdap.seriation`, both orientations of the trucks' line)
   join it; trucks that exchange many pallets start on facing doors.
3. A population search (:mod:`~xdock.cdap.memetic`) runs compiled tabu walks
   (:mod:`~xdock.cdap.kernel`) over relocate, swap and door-exchange moves on both sides,
   crossing the capacity limits under an adaptive penalty, from the starts and then from crossovers of the best
   assignments found.
4. When the full quadratic model is small, CP-SAT gets the rest of the budget, hinted with the best assignment,
   to prove it optimal or improve it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from xdock.cdap.construct import construct
from xdock.cdap.exact import model_size, solve_exact
from xdock.cdap.instance import CdapInstance, IntArray
from xdock.cdap.memetic import PopulationSettings, evolve
from xdock.cdap.seriation import seriation_start
from xdock.cdap.solution import CdapSolution, excess, objective
from xdock.cdap.tabu import TabuSettings, TabuWalker

__all__ = ["CdapResult", "SearchSettings", "Status", "solve"]

Status = Literal["optimal", "feasible", "infeasible"]

EXACT_MODEL_LIMIT = 500
"""Largest exact model (non-zero flows x I x J) the solver hands to CP-SAT for a proof."""


@dataclass(frozen=True, eq=False)
class CdapResult:
    """Outcome of :func:`solve`; doors and objective are None when no feasible assignment was found."""

    objective: int | None
    inbound_doors: IntArray | None
    outbound_doors: IntArray | None
    seconds: float
    status: Status

    @property
    def solution(self) -> CdapSolution | None:
        """The assignment as a :class:`CdapSolution`, if there is one."""
        if self.objective is None or self.inbound_doors is None or self.outbound_doors is None:
            return None
        return CdapSolution(self.inbound_doors, self.outbound_doors, self.objective)


@dataclass(frozen=True)
class SearchSettings:
    """Tuning of the tabu walks and of the population search."""

    tabu: TabuSettings = field(default_factory=TabuSettings)
    population: PopulationSettings = field(default_factory=PopulationSettings)


class _Incumbent:
    """Best assignment so far, reporting each improvement."""

    def __init__(self, on_progress: Callable[[float, int], None] | None, elapsed: Callable[[], float]) -> None:
        self.cost: int | None = None
        self.inbound = np.zeros(0, dtype=np.int64)
        self.outbound = np.zeros(0, dtype=np.int64)
        self._on_progress = on_progress
        self._elapsed = elapsed

    def offer(self, cost: int, inbound: IntArray, outbound: IntArray) -> bool:
        if self.cost is not None and cost >= self.cost:
            return False
        self.cost, self.inbound, self.outbound = cost, inbound.copy(), outbound.copy()
        if self._on_progress is not None:
            self._on_progress(self._elapsed(), cost)
        return True


def solve(
    instance: CdapInstance,
    *,
    time_limit: float,
    seed: int = 0,
    on_progress: Callable[[float, int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    settings: SearchSettings | None = None,
) -> CdapResult:
    """Assign trucks to doors within ``time_limit`` seconds of ``clock``; reproducible for a given ``seed``."""
    started = clock()
    deadline = started + time_limit

    def elapsed() -> float:
        return clock() - started

    def out_of_time() -> bool:
        return clock() >= deadline

    start = construct(instance, time_limit=min(time_limit * 0.2, 2.0), seed=seed)
    if start.inbound is None or start.outbound is None:
        return CdapResult(None, None, None, elapsed(), "infeasible")
    best = _Incumbent(on_progress, elapsed)
    if start.feasible:
        best.offer(objective(instance, start.inbound, start.outbound), start.inbound, start.outbound)
    exact = model_size(instance) <= EXACT_MODEL_LIMIT
    search_deadline = started + (time_limit * 0.3 if exact else time_limit)
    settings = settings or SearchSettings()
    walker = TabuWalker(instance, seed=seed, settings=settings.tabu)
    evolve(
        instance,
        walker,
        _starts(instance, start.inbound, start.outbound, best),
        rng=np.random.default_rng(seed),
        out_of_time=lambda: clock() >= search_deadline,
        on_best=best.offer,
        settings=settings.population,
    )
    status: Status = "feasible"
    if exact and not out_of_time():
        hint = None if best.cost is None else (best.inbound, best.outbound)
        proof = solve_exact(instance, time_limit=deadline - clock(), seed=seed, hint=hint)
        if proof.inbound is not None and proof.outbound is not None:
            best.offer(objective(instance, proof.inbound, proof.outbound), proof.inbound, proof.outbound)
            if proof.optimal:
                status = "optimal"
    if best.cost is None:
        return CdapResult(None, None, None, elapsed(), "infeasible")
    return CdapResult(best.cost, best.inbound, best.outbound, elapsed(), status)


def _starts(
    instance: CdapInstance, inbound: IntArray, outbound: IntArray, best: _Incumbent
) -> list[tuple[IntArray, IntArray]]:
    """All starting assignments, cheapest (penalised by pallets over capacity) first."""
    starts = [(inbound, outbound)]
    for reverse in (False, True):
        start = seriation_start(instance, reverse=reverse)
        if excess(instance, *start) == 0:
            best.offer(objective(instance, *start), *start)
        starts.append(start)
    penalty = int(instance.distances.max()) + 1
    starts.sort(key=lambda start: objective(instance, *start) + penalty * excess(instance, *start))
    return starts

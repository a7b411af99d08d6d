"""The CDAP solver: construction, tabu search with strategic oscillation, and an exact proof on small instances.

1. :func:`~xdock.central.optimiser.cdap.construct.construct` finds a first assignment (greedy, worst-fit or a
   CP-SAT feasibility check, which also proves infeasibility).
2. Two spectral starts (:mod:`~xdock.central.optimiser.cdap.seriation`, both orientations of the trucks' line)
   join it; trucks that exchange many pallets start on facing doors.
3. Tabu search (:class:`~xdock.central.optimiser.cdap.local_search.TabuSearch`) walks relocate, swap and
   door-exchange moves on both sides, crossing the capacity limits under an adaptive penalty. One walk runs from
   each start, cheapest first; after that every walk starts from the best assignment after a random kick whose
   strength grows while walks fail to improve.
4. When the full quadratic model is small, CP-SAT gets the rest of the budget, hinted with the best assignment,
   to prove it optimal or improve it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from xdock.central.optimiser.cdap.construct import construct
from xdock.central.optimiser.cdap.exact import model_size, solve_exact
from xdock.central.optimiser.cdap.instance import CdapInstance, IntArray
from xdock.central.optimiser.cdap.local_search import TabuSearch
from xdock.central.optimiser.cdap.seriation import seriation_start
from xdock.central.optimiser.cdap.solution import CdapSolution, excess, objective

__all__ = ["CdapResult", "SearchSettings", "Status", "solve"]

Status = Literal["optimal", "feasible", "infeasible"]

_UNBOUNDED = 1 << 62

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
    """Tuning of the iterated tabu search; sizes are fractions of the total number of trucks (both sides)."""

    tenure: tuple[float, float] = (0.25, 0.5)
    """Range of the tabu tenure (iterations a truck may not return to a door it left), drawn per move."""
    stall: float = 20.0
    """A walk ends after this many moves per truck without a better feasible assignment."""
    max_kick: float = 0.25
    """Largest kick (random moves before a walk); kicks grow from 2 by half per failed walk, then wrap around."""


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
    search = TabuSearch(instance, start.inbound, start.outbound)
    starts = _starts(instance, search, best)
    rng = np.random.default_rng(seed)
    _iterated_tabu(
        instance, search, best, starts[1:], rng, lambda: clock() >= search_deadline, settings or SearchSettings()
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


def _starts(instance: CdapInstance, search: TabuSearch, best: _Incumbent) -> list[tuple[IntArray, IntArray]]:
    """All starting assignments, cheapest (penalised) first; the search is moved to the first one."""
    starts = [(search.inbound, search.outbound)]
    for reverse in (False, True):
        inbound, outbound = seriation_start(instance, reverse=reverse)
        if excess(instance, inbound, outbound) == 0:
            best.offer(objective(instance, inbound, outbound), inbound, outbound)
        starts.append((inbound, outbound))

    def penalised(start: tuple[IntArray, IntArray]) -> int:
        return objective(instance, *start) + search.penalty * excess(instance, *start)

    starts.sort(key=penalised)
    search.reset(*starts[0])
    return starts


def _iterated_tabu(
    instance: CdapInstance,
    search: TabuSearch,
    best: _Incumbent,
    starts: list[tuple[IntArray, IntArray]],
    rng: np.random.Generator,
    out_of_time: Callable[[], bool],
    settings: SearchSettings,
) -> None:
    """Tabu walks: first one from each start, then from the best assignment after a random kick whose strength
    grows while walks fail to improve."""
    pending = list(starts)
    trucks = instance.n_inbound + instance.n_outbound
    tenure = (max(2, round(trucks * settings.tenure[0])), max(3, round(trucks * settings.tenure[1])))
    stall_limit = max(100, round(settings.stall * trucks))
    min_kick, max_kick = 2, max(4, round(trucks * settings.max_kick))
    kick = min_kick
    while not out_of_time():
        before = best.cost
        found = search.walk(
            best_cost=_UNBOUNDED if best.cost is None else best.cost,
            stall_limit=stall_limit,
            tenure=tenure,
            rng=rng,
            out_of_time=out_of_time,
            on_best=best.offer,
        )
        if found is not None:
            best.offer(*found)
        improved = best.cost != before
        kick = min_kick if improved or kick >= max_kick else min(max_kick, kick * 3 // 2 + 1)
        if pending:
            search.reset(*pending.pop(0))
            continue
        if best.cost is not None:
            search.reset(best.inbound, best.outbound)
        search.kick(kick, rng)

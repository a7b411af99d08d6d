"""The population search reports only feasible assignments at their true cost and, whatever its size and restarts,
reaches the enumerated optimum of a small instance."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from xdock.cdap.instance import CdapInstance, IntArray
from xdock.cdap.memetic import PopulationSettings, evolve
from xdock.cdap.seriation import seriation_start
from xdock.cdap.solution import excess, objective
from xdock.cdap.tabu import TabuWalker


def _instance() -> CdapInstance:
    rng = np.random.default_rng(11)
    flows = (rng.integers(1, 10, (6, 6)) * (rng.random((6, 6)) < 0.6)).astype(np.int64)
    supplies, demands = flows.sum(axis=1) + 1, flows.sum(axis=0) + 1
    return CdapInstance(
        flows=flows,
        distances=rng.integers(1, 20, (3, 3)).astype(np.int64),
        supplies=supplies,
        inbound_capacities=np.full(3, int(supplies.sum()) // 3 + int(supplies.max()) // 2, dtype=np.int64),
        demands=demands,
        outbound_capacities=np.full(3, int(demands.sum()) // 3 + int(demands.max()) // 2, dtype=np.int64),
    )


def _optimum(instance: CdapInstance) -> int:
    def sides(n_trucks: int, n_doors: int) -> list[IntArray]:
        return [np.array(doors, dtype=np.int64) for doors in itertools.product(range(n_doors), repeat=n_trucks)]

    return min(
        objective(instance, inbound, outbound)
        for inbound in sides(instance.n_inbound, instance.n_inbound_doors)
        for outbound in sides(instance.n_outbound, instance.n_outbound_doors)
        if excess(instance, inbound, outbound) == 0
    )


@pytest.mark.parametrize(("size", "restart_after"), [(1, 1), (2, 1), (5, 2)])
def test_reports_feasible_assignments_and_reaches_the_optimum(size: int, restart_after: int) -> None:
    instance = _instance()
    reported: list[int] = []

    def on_best(cost: int, inbound: IntArray, outbound: IntArray) -> None:
        assert excess(instance, inbound, outbound) == 0
        assert cost == objective(instance, inbound, outbound)
        reported.append(cost)

    checks = itertools.count()
    evolve(
        instance,
        TabuWalker(instance, seed=2),
        [seriation_start(instance)],
        rng=np.random.default_rng(2),
        out_of_time=lambda: next(checks) >= 120,
        on_best=on_best,
        settings=PopulationSettings(size=size, restart_after=restart_after),
    )
    assert min(reported) == _optimum(instance)

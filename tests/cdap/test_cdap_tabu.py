"""The compiled tabu walk keeps its cached cost exact, reports only feasible bests, and repeats itself per seed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xdock.cdap.instance import CdapInstance
from xdock.cdap.seriation import seriation_start
from xdock.cdap.solution import excess, objective
from xdock.cdap.tabu import TabuWalker


def random_instance(seed: int, m: int, n: int, i: int, j: int) -> CdapInstance:
    rng = np.random.default_rng(seed)
    flows = rng.integers(0, 10, (m, n)) * (rng.random((m, n)) < 0.4)
    supplies, demands = flows.sum(axis=1) + 1, flows.sum(axis=0) + 1
    return CdapInstance(
        flows=flows.astype(np.int64),
        distances=rng.integers(1, 20, (i, j)).astype(np.int64),
        supplies=supplies.astype(np.int64),
        inbound_capacities=np.full(i, int(supplies.sum() * 1.2 / i) + int(supplies.max()), dtype=np.int64),
        demands=demands.astype(np.int64),
        outbound_capacities=np.full(j, int(demands.sum() * 1.2 / j) + int(demands.max()), dtype=np.int64),
    )


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 12), st.integers(2, 12), st.integers(1, 5), st.integers(1, 5))
def test_walks_and_kicks_keep_the_cost_exact(seed: int, m: int, n: int, i: int, j: int) -> None:
    instance = random_instance(seed, m, n, i, j)
    walker = TabuWalker(instance, seed=seed)
    walker.start(*seriation_start(instance))
    assert walker.cost == objective(instance, walker.inbound, walker.outbound)
    for _ in range(3):
        walker.step(37)
        assert walker.cost == objective(instance, walker.inbound, walker.outbound)
        assert walker.excess() == excess(instance, walker.inbound, walker.outbound)
        best = walker.best
        if best is not None:
            cost, inbound, outbound = best
            assert cost == objective(instance, inbound, outbound)
            assert excess(instance, inbound, outbound) == 0
        walker.kick(4)
        assert walker.cost == objective(instance, walker.inbound, walker.outbound)


def test_a_walk_ends_and_its_best_is_no_worse_than_a_feasible_start() -> None:
    instance = random_instance(3, 10, 9, 3, 3)
    walker = TabuWalker(instance, seed=5)
    inbound, outbound = np.arange(10) % 3, np.arange(9) % 3
    start_cost = objective(instance, inbound, outbound)
    assert excess(instance, inbound, outbound) == 0
    walker.start(inbound, outbound)
    steps = 0
    while not walker.step(50):
        steps += 1
        assert steps < 1000
    best = walker.best
    assert best is not None
    assert best[0] <= start_cost


def test_the_same_seed_walks_the_same_way() -> None:
    instance = random_instance(11, 9, 8, 3, 4)
    runs = []
    for _ in range(2):
        walker = TabuWalker(instance, seed=42)
        walker.start(*seriation_start(instance))
        walker.step(200)
        walker.kick(5)
        walker.step(200)
        runs.append((walker.cost, walker.inbound.tolist(), walker.outbound.tolist(), walker.iteration))
    assert runs[0] == runs[1]

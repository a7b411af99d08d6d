"""The tabu search's cached costs stay equal to the recomputed objective through every kind of move."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xdock.central.optimiser.cdap.instance import CdapInstance
from xdock.central.optimiser.cdap.local_search import TabuSearch
from xdock.central.optimiser.cdap.moves import EXCHANGE, RELOCATE, SWAP, Move
from xdock.central.optimiser.cdap.seriation import seriation_start
from xdock.central.optimiser.cdap.solution import excess, objective


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


def test_each_move_kind_keeps_the_cost_exact() -> None:
    instance = random_instance(7, 8, 6, 3, 4)
    search = TabuSearch(instance, np.array([0, 1, 2, 0, 1, 2, 0, 1]), np.array([0, 1, 2, 3, 0, 1]))
    for move in (
        Move(side=0, kind=RELOCATE, first=0, second=2, delta=0),
        Move(side=1, kind=SWAP, first=1, second=3, delta=0),
        Move(side=0, kind=EXCHANGE, first=0, second=1, delta=0),
        Move(side=1, kind=EXCHANGE, first=2, second=3, delta=0),
    ):
        search.apply(move, tenure=3)
        assert search.cost == objective(instance, search.inbound, search.outbound)
    assert search.inbound.tolist() == [2, 0, 2, 1, 0, 2, 1, 0]
    assert search.outbound.tolist() == [0, 2, 3, 1, 0, 1]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 12), st.integers(2, 12), st.integers(1, 5), st.integers(1, 5))
def test_walks_and_kicks_keep_the_cost_exact(seed: int, m: int, n: int, i: int, j: int) -> None:
    instance = random_instance(seed, m, n, i, j)
    search = TabuSearch(instance, *seriation_start(instance))
    rng = np.random.default_rng(seed)
    for _ in range(3):
        found = search.walk(
            best_cost=1 << 62, stall_limit=30, tenure=(2, 5), rng=rng, out_of_time=lambda: search.iteration > 400
        )
        assert search.cost == objective(instance, search.inbound, search.outbound)
        assert search.excess() == excess(instance, search.inbound, search.outbound)
        if found is not None:
            cost, inbound, outbound = found
            assert cost == objective(instance, inbound, outbound)
            assert excess(instance, inbound, outbound) == 0
        search.kick(4, rng)
        assert search.cost == objective(instance, search.inbound, search.outbound)

"""The solver returns valid assignments with honest costs, and the optimum where it can be enumerated."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xdock.cdap.instance import CdapInstance
from xdock.cdap.solution import objective, validate
from xdock.cdap.solver import solve

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "cdap"


@st.composite
def instances(draw: st.DrawFn, max_trucks: int = 4, max_doors: int = 3, slack: float = 1.0) -> CdapInstance:
    m = draw(st.integers(1, max_trucks))
    n = draw(st.integers(1, max_trucks))
    i = draw(st.integers(1, max_doors))
    j = draw(st.integers(1, max_doors))
    flows = np.array(draw(st.lists(st.integers(0, 9), min_size=m * n, max_size=m * n)), dtype=np.int64)
    flows = flows.reshape(m, n)
    distances = np.array(draw(st.lists(st.integers(0, 12), min_size=i * j, max_size=i * j)), dtype=np.int64)
    supplies = flows.sum(axis=1) + 1
    demands = flows.sum(axis=0) + 1

    def capacities(sizes: np.ndarray, doors: int) -> np.ndarray:
        # every door fits the largest truck; total room from tight to generous
        low = int(sizes.max())
        high = max(low, int(sizes.sum() * slack))
        return np.array(draw(st.lists(st.integers(low, high), min_size=doors, max_size=doors)), dtype=np.int64)

    return CdapInstance(
        flows=flows,
        distances=distances.reshape(i, j),
        supplies=supplies,
        inbound_capacities=capacities(supplies, i),
        demands=demands,
        outbound_capacities=capacities(demands, j),
        name="random",
    )


def brute_force(instance: CdapInstance) -> int | None:
    best: int | None = None
    ins = [
        np.array(doors, dtype=np.int64)
        for doors in itertools.product(range(instance.n_inbound_doors), repeat=instance.n_inbound)
        if _fits(doors, instance.supplies, instance.inbound_capacities)
    ]
    outs = [
        np.array(doors, dtype=np.int64)
        for doors in itertools.product(range(instance.n_outbound_doors), repeat=instance.n_outbound)
        if _fits(doors, instance.demands, instance.outbound_capacities)
    ]
    for inbound in ins:
        for outbound in outs:
            cost = objective(instance, inbound, outbound)
            best = cost if best is None else min(best, cost)
    return best


def _fits(doors: tuple[int, ...], sizes: np.ndarray, capacities: np.ndarray) -> bool:
    loads = np.bincount(np.array(doors, dtype=np.int64), weights=sizes, minlength=capacities.shape[0])
    return bool((loads <= capacities).all())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_trucks=4, max_doors=3, slack=0.8))
def test_tiny_instances_reach_the_enumerated_optimum(instance: CdapInstance) -> None:
    optimum = brute_force(instance)
    result = solve(instance, time_limit=1.0, seed=1)
    if optimum is None:
        assert result.status == "infeasible"
        assert result.objective is None
        return
    assert result.objective == optimum
    assert result.solution is not None
    assert validate(instance, result.solution) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_trucks=9, max_doors=4, slack=0.7), st.integers(0, 3))
def test_every_returned_solution_is_valid(instance: CdapInstance, seed: int) -> None:
    progress: list[tuple[float, int]] = []
    result = solve(instance, time_limit=0.2, seed=seed, on_progress=lambda s, c: progress.append((s, c)))
    if result.solution is None:
        assert result.status == "infeasible"
        return
    assert result.status in {"optimal", "feasible"}
    assert validate(instance, result.solution) == []
    assert result.objective == objective(instance, result.solution.inbound_doors, result.solution.outbound_doors)
    assert progress[-1][1] == result.objective
    assert [cost for _, cost in progress] == sorted((cost for _, cost in progress), reverse=True)


def test_infeasible_instance_is_reported() -> None:
    # two trucks of 5 pallets, one inbound door of 8
    instance = CdapInstance.parse("2 1 1 1\n4\n4\n3\n5 5\n8\n8\n10\n")
    result = solve(instance, time_limit=0.5)
    assert (result.status, result.objective, result.inbound_doors) == ("infeasible", None, None)


@pytest.mark.skipif(not DATA.is_dir(), reason="benchmark data folder absent")
def test_set_a_instance_reaches_its_best_known_solution() -> None:
    name = "SetA_12x5S10"
    with (DATA / "reference.csv").open(encoding="utf-8") as file:
        bks = {row["instance"]: int(row["bks"]) for row in csv.DictReader(file)}[name]
    instance = CdapInstance.read(DATA / "SetA" / f"{name}.txt")
    result = solve(instance, time_limit=2.0, seed=0)
    assert result.objective == bks
    assert result.solution is not None
    assert validate(instance, result.solution) == []


def test_a_fixed_seed_and_clock_give_the_same_assignment() -> None:
    rng = np.random.default_rng(8)
    flows = (rng.integers(1, 10, (12, 12)) * (rng.random((12, 12)) < 0.5)).astype(np.int64)
    supplies, demands = flows.sum(axis=1) + 1, flows.sum(axis=0) + 1
    instance = CdapInstance(
        flows=flows,
        distances=rng.integers(1, 30, (4, 4)).astype(np.int64),
        supplies=supplies,
        inbound_capacities=np.full(4, int(supplies.sum()) // 4 + int(supplies.max()), dtype=np.int64),
        demands=demands,
        outbound_capacities=np.full(4, int(demands.sum()) // 4 + int(demands.max()), dtype=np.int64),
    )
    results = []
    for _ in range(2):
        ticks = itertools.count()
        result = solve(instance, time_limit=1.0, seed=3, clock=lambda ticks=ticks: next(ticks) * 0.01)
        assert result.solution is not None
        assert validate(instance, result.solution) == []
        results.append((result.objective, result.inbound_doors.tolist(), result.outbound_doors.tolist()))
    assert results[0] == results[1]

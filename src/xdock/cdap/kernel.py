"""Compiled (numba) tabu walk over relocate, swap and door-exchange moves on both sides, with a random kick.

The cost is bilinear in the two sides: with the outbound doors ``b`` fixed, inbound truck i costs
``ca[i, k] = sum_j w_ij * d[k][b_j]`` on door k (and ``cb[j, l] = sum_i w_ij * d[a_i][l]`` for the outbound side).
A move on one side is then a lookup in its own matrix, and changes only the other side's matrix: moving inbound
truck i from door k to k2 adds ``w_ij * (d[k2][l] - d[k][l])`` to ``cb[j, l]``.

Every iteration evaluates all admissible moves of both sides and makes the best one by cost plus ``penalty`` per
pallet over a door's capacity (strategic oscillation: the penalty grows while the search stays infeasible and
shrinks while it stays feasible). A truck may not return to the door it left for a random tenure unless that
reaches a new best feasible assignment of the walk. A walk ends after ``stall_limit`` moves without a better
feasible assignment. :func:`kick` makes random moves to leave a basin.

All state lives in arrays owned by :class:`~xdock.cdap.tabu.TabuWalker`, so a walk can be run
in slices between clock checks. Everything compiled is in this one module on purpose: numba's on-disk
cache does not notice changes in other modules a compiled function calls.
"""

# mypy: allow-untyped-defs, allow-untyped-calls
# (the compiled helpers are numba-typed; the three public entry points carry Python annotations)

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from xdock.cdap.instance import IntArray

__all__ = [
    "COST",
    "ITERATION",
    "NONE",
    "PENALTY",
    "SETTINGS_SIZE",
    "STALL",
    "STALL_LIMIT",
    "STATE_SIZE",
    "TENURE_HIGH",
    "TENURE_LOW",
    "WALK_BEST",
    "Rng",
    "kick",
    "reset",
    "walk",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(function: _F) -> _F:
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


Rng = npt.NDArray[np.uint64]
"""One-element xorshift64 state."""

NONE = 1 << 60
"""Cost standing for "no assignment yet"."""

# slots of the state array
ITERATION, COST, PENALTY, STALL, INFEASIBLE, WALK_BEST = range(6)
STATE_SIZE = 6
# slots of the settings array
TENURE_LOW, TENURE_HIGH, STALL_LIMIT = range(3)
SETTINGS_SIZE = 3

_PENALTY_PERIOD = 10
_PENALTY_CAP = 1 << 20


@_compiled
def _random(rng):
    x = rng[0]
    x ^= x << np.uint64(13)
    x ^= x >> np.uint64(7)
    x ^= x << np.uint64(17)
    rng[0] = x
    return x


@_compiled
def _below(rng, n):
    return np.int64(_random(rng) % np.uint64(n))


@_compiled
def _over(load, capacity):
    return load - capacity if load > capacity else 0


@_compiled
def _excess(loads, capacities):
    total = 0
    for k in range(loads.shape[0]):
        total += _over(loads[k], capacities[k])
    return total


@_compiled
def _consider(pick, side, kind, first, second, delta, rng):
    if delta < pick[4]:
        pick[0], pick[1], pick[2], pick[3], pick[4], pick[5] = side, kind, first, second, delta, 1
    elif delta == pick[4]:
        pick[5] += 1
        if _below(rng, pick[5]) == 0:
            pick[0], pick[1], pick[2], pick[3] = side, kind, first, second


@_compiled
def _scan(side, doors, loads, sizes, caps, costs, tabu, door_tabu, agg, state, excess, rng, pick):
    """Offer every admissible move of one side to ``pick`` (side, kind, first, second, delta, ties)."""
    _scan_relocate(side, doors, loads, sizes, caps, costs, tabu, state, excess, rng, pick)
    _scan_swap(side, doors, loads, sizes, caps, costs, tabu, state, excess, rng, pick)
    _scan_exchange(side, doors, loads, caps, costs, door_tabu, agg, state, excess, rng, pick)


@_compiled
def _scan_relocate(side, doors, loads, sizes, caps, costs, tabu, state, excess, rng, pick):
    iteration, penalty, cost, best = state[ITERATION], state[PENALTY], state[COST], state[WALK_BEST]
    n_trucks, n_doors = costs.shape
    for t in range(n_trucks):  # relocate truck t to door m
        k, s = doors[t], sizes[t]
        leave = _over(loads[k] - s, caps[k]) - _over(loads[k], caps[k])
        for m in range(n_doors):
            if m == k:
                continue
            dc = costs[t, m] - costs[t, k]
            dx = leave + _over(loads[m] + s, caps[m]) - _over(loads[m], caps[m])
            delta = dc + penalty * dx
            if delta > pick[4]:
                continue
            if tabu[t, m] > iteration and not (excess + dx == 0 and cost + dc < best):
                continue
            _consider(pick, side, 0, t, m, delta, rng)


@_compiled
def _scan_swap(side, doors, loads, sizes, caps, costs, tabu, state, excess, rng, pick):
    iteration, penalty, cost, best = state[ITERATION], state[PENALTY], state[COST], state[WALK_BEST]
    n_trucks = costs.shape[0]
    for t in range(n_trucks):  # swap trucks t and u
        k, s = doors[t], sizes[t]
        for u in range(t + 1, n_trucks):
            m = doors[u]
            if m == k:
                continue
            dc = costs[t, m] - costs[t, k] + costs[u, k] - costs[u, m]
            shift = sizes[u] - s
            dx = (
                _over(loads[k] + shift, caps[k])
                - _over(loads[k], caps[k])
                + _over(loads[m] - shift, caps[m])
                - _over(loads[m], caps[m])
            )
            delta = dc + penalty * dx
            if delta > pick[4]:
                continue
            if (tabu[t, m] > iteration or tabu[u, k] > iteration) and not (excess + dx == 0 and cost + dc < best):
                continue
            _consider(pick, side, 1, t, u, delta, rng)


@_compiled
def _scan_exchange(side, doors, loads, caps, costs, door_tabu, agg, state, excess, rng, pick):
    iteration, penalty, cost, best = state[ITERATION], state[PENALTY], state[COST], state[WALK_BEST]
    n_trucks, n_doors = costs.shape
    agg[:, :] = 0  # agg[k, m]: cost of door k's trucks if they stood on door m
    for t in range(n_trucks):
        for m in range(n_doors):
            agg[doors[t], m] += costs[t, m]
    for k in range(n_doors):  # exchange all trucks of doors k and m
        for m in range(k + 1, n_doors):
            if loads[k] == 0 and loads[m] == 0:
                continue
            dc = agg[k, m] - agg[k, k] + agg[m, k] - agg[m, m]
            dx = (
                _over(loads[m], caps[k])
                + _over(loads[k], caps[m])
                - _over(loads[k], caps[k])
                - _over(loads[m], caps[m])
            )
            delta = dc + penalty * dx
            if delta > pick[4]:
                continue
            if door_tabu[k, m] > iteration and not (excess + dx == 0 and cost + dc < best):
                continue
            _consider(pick, side, 2, k, m, delta, rng)


@_compiled
def _relocate(truck, door, doors, loads, sizes, costs, weights, spans, other_costs):
    """Move one truck; returns the cost change and updates the other side's cost matrix."""
    old = doors[truck]
    delta = costs[truck, door] - costs[truck, old]
    loads[old] -= sizes[truck]
    loads[door] += sizes[truck]
    doors[truck] = door
    for j in range(weights.shape[1]):
        flow = weights[truck, j]
        if flow != 0:
            for m in range(spans.shape[1]):
                other_costs[j, m] += flow * (spans[door, m] - spans[old, m])
    return delta


@_compiled
def _apply(kind, first, second, until, doors, loads, sizes, costs, tabu, door_tabu, weights, spans, other_costs):
    """Make a move, forbidding the moved trucks their old doors until iteration ``until``; returns the cost change."""
    if kind == 0:
        tabu[first, doors[first]] = until
        return _relocate(first, second, doors, loads, sizes, costs, weights, spans, other_costs)
    if kind == 1:
        k, m = doors[first], doors[second]
        tabu[first, k] = until
        tabu[second, m] = until
        delta = _relocate(first, m, doors, loads, sizes, costs, weights, spans, other_costs)
        return delta + _relocate(second, k, doors, loads, sizes, costs, weights, spans, other_costs)
    door_tabu[first, second] = until
    door_tabu[second, first] = until
    delta = 0
    for t in range(doors.shape[0]):
        k = doors[t]
        if k in (first, second):
            tabu[t, k] = until
            target = second if k == first else first
            delta += _relocate(t, target, doors, loads, sizes, costs, weights, spans, other_costs)
    return delta


@_compiled
def reset(
    w: IntArray,
    d: IntArray,
    a: IntArray,
    b: IntArray,
    la: IntArray,
    lb: IntArray,
    s: IntArray,
    r: IntArray,
    ca: IntArray,
    cb: IntArray,
) -> int:
    """Recompute loads and both cost matrices for doors ``a`` and ``b``; returns the cost."""
    la[:] = 0
    lb[:] = 0
    for i in range(a.shape[0]):
        la[a[i]] += s[i]
    for j in range(b.shape[0]):
        lb[b[j]] += r[j]
    ca[:, :] = 0
    cb[:, :] = 0
    cost = 0
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            flow = w[i, j]
            if flow != 0:
                for k in range(ca.shape[1]):
                    ca[i, k] += flow * d[k, b[j]]
                for m in range(cb.shape[1]):
                    cb[j, m] += flow * d[a[i], m]
                cost += flow * d[a[i], b[j]]
    return cost


@_compiled
def kick(
    w: IntArray,
    wt: IntArray,
    d: IntArray,
    dt: IntArray,
    a: IntArray,
    b: IntArray,
    la: IntArray,
    lb: IntArray,
    s: IntArray,
    r: IntArray,
    ca: IntArray,
    cb: IntArray,
    state: IntArray,
    rng: Rng,
    strength: int,
) -> None:
    """``strength`` random relocations or swaps, capacity ignored, to leave a basin."""
    for _ in range(strength):
        if _below(rng, 2) == 0:
            doors, loads, sizes, costs, weights, spans, other = a, la, s, ca, w, d, cb
        else:
            doors, loads, sizes, costs, weights, spans, other = b, lb, r, cb, wt, dt, ca
        n_doors = costs.shape[1]
        if n_doors < 2:
            continue
        truck = _below(rng, doors.shape[0])
        door = doors[truck]
        partner = _below(rng, doors.shape[0])
        if _below(rng, 2) == 0 or doors[partner] == door:
            target = _below(rng, n_doors - 1)
            state[COST] += _relocate(
                truck, target + (target >= door), doors, loads, sizes, costs, weights, spans, other
            )
        else:
            state[COST] += _relocate(truck, doors[partner], doors, loads, sizes, costs, weights, spans, other)
            state[COST] += _relocate(partner, door, doors, loads, sizes, costs, weights, spans, other)


@_compiled
def walk(
    w: IntArray,
    wt: IntArray,
    d: IntArray,
    dt: IntArray,
    s: IntArray,
    cin: IntArray,
    r: IntArray,
    cout: IntArray,
    a: IntArray,
    b: IntArray,
    la: IntArray,
    lb: IntArray,
    ca: IntArray,
    cb: IntArray,
    ta: IntArray,
    tb: IntArray,
    dta: IntArray,
    dtb: IntArray,
    agga: IntArray,
    aggb: IntArray,
    best_a: IntArray,
    best_b: IntArray,
    state: IntArray,
    settings: IntArray,
    rng: Rng,
    iterations: int,
) -> bool:
    """Up to ``iterations`` tabu moves; the walk's best feasible doors go to ``best_*``.

    Returns True when the walk has ended: ``settings[STALL_LIMIT]`` moves without a better feasible assignment, or
    no admissible move.
    """
    pick = np.zeros(6, dtype=np.int64)
    for _ in range(iterations):
        if state[STALL] >= settings[STALL_LIMIT]:
            return True
        excess = _excess(la, cin) + _excess(lb, cout)
        pick[0], pick[4], pick[5] = -1, NONE, 0
        _scan(0, a, la, s, cin, ca, ta, dta, agga, state, excess, rng, pick)
        _scan(1, b, lb, r, cout, cb, tb, dtb, aggb, state, excess, rng, pick)
        if pick[0] < 0:
            return True
        tenure = settings[TENURE_LOW] + _below(rng, settings[TENURE_HIGH] - settings[TENURE_LOW] + 1)
        until = state[ITERATION] + tenure
        if pick[0] == 0:
            state[COST] += _apply(pick[1], pick[2], pick[3], until, a, la, s, ca, ta, dta, w, d, cb)
        else:
            state[COST] += _apply(pick[1], pick[2], pick[3], until, b, lb, r, cb, tb, dtb, wt, dt, ca)
        state[ITERATION] += 1
        state[STALL] += 1
        if _excess(la, cin) + _excess(lb, cout) == 0:
            if state[COST] < state[WALK_BEST]:
                state[WALK_BEST] = state[COST]
                state[STALL] = 0
                best_a[:] = a
                best_b[:] = b
        else:
            state[INFEASIBLE] += 1
        if state[ITERATION] % _PENALTY_PERIOD == 0:
            if state[INFEASIBLE] >= _PENALTY_PERIOD:
                state[PENALTY] = min(state[PENALTY] * 3 // 2 + 1, _PENALTY_CAP)
            elif state[INFEASIBLE] == 0:
                state[PENALTY] = max(1, state[PENALTY] * 2 // 3)
            state[INFEASIBLE] = 0
    return bool(state[STALL] >= settings[STALL_LIMIT])

"""Typed owner of the compiled tabu walk's arrays (:mod:`~xdock.cdap.kernel`).

A walk runs in slices (:meth:`TabuWalker.step`) so the caller can watch the clock between them; the walk's best
feasible assignment is always at hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xdock.cdap import kernel
from xdock.cdap.instance import CdapInstance, IntArray

__all__ = ["TabuSettings", "TabuWalker", "warm"]


@dataclass(frozen=True)
class TabuSettings:
    """Tuning of one tabu walk; sizes are fractions of the total number of trucks (both sides)."""

    tenure: tuple[float, float] = (0.1, 0.25)
    """Range of the tabu tenure (iterations a truck may not return to a door it left), drawn per move."""
    stall: float = 20.0
    """A walk ends after this many moves per truck without a better feasible assignment."""


def _array(values: IntArray) -> IntArray:
    return np.ascontiguousarray(values, dtype=np.int64)


class TabuWalker:
    """Tabu walks on one instance; reproducible for a given ``seed``."""

    def __init__(self, instance: CdapInstance, *, seed: int, settings: TabuSettings | None = None) -> None:
        settings = settings or TabuSettings()
        m, n = instance.n_inbound, instance.n_outbound
        i, j = instance.n_inbound_doors, instance.n_outbound_doors
        self._w, self._wt = _array(instance.flows), _array(instance.flows.T)
        self._d, self._dt = _array(instance.distances), _array(instance.distances.T)
        self._s, self._cin = _array(instance.supplies), _array(instance.inbound_capacities)
        self._r, self._cout = _array(instance.demands), _array(instance.outbound_capacities)
        self._a, self._b = np.zeros(m, dtype=np.int64), np.zeros(n, dtype=np.int64)
        self._best_a, self._best_b = self._a.copy(), self._b.copy()
        self._la, self._lb = np.zeros(i, dtype=np.int64), np.zeros(j, dtype=np.int64)
        self._ca, self._cb = np.zeros((m, i), dtype=np.int64), np.zeros((n, j), dtype=np.int64)
        self._ta, self._tb = np.zeros((m, i), dtype=np.int64), np.zeros((n, j), dtype=np.int64)
        self._dta, self._dtb = np.zeros((i, i), dtype=np.int64), np.zeros((j, j), dtype=np.int64)
        self._agga, self._aggb = np.zeros((i, i), dtype=np.int64), np.zeros((j, j), dtype=np.int64)
        # xorshift64 state; must not be 0
        self._rng = np.array([(seed * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) % (1 << 64) or 1], dtype=np.uint64)
        trucks = m + n
        low = max(1, round(trucks * settings.tenure[0]))
        self._settings = np.zeros(kernel.SETTINGS_SIZE, dtype=np.int64)
        self._settings[kernel.TENURE_LOW] = low
        self._settings[kernel.TENURE_HIGH] = max(low, round(trucks * settings.tenure[1]))
        self._settings[kernel.STALL_LIMIT] = max(100, round(settings.stall * trucks))
        self._state = np.zeros(kernel.STATE_SIZE, dtype=np.int64)
        self._state[kernel.PENALTY] = 1
        self._state[kernel.WALK_BEST] = kernel.NONE
        self.evaluations = m * i + n * j + (m * m + n * n) // 2 + i * i + j * j
        """Moves evaluated per iteration (for sizing slices)."""

    def start(self, inbound: IntArray, outbound: IntArray) -> None:
        """Begin a walk at the given doors, tabu lists cleared."""
        self._a[:] = inbound
        self._b[:] = outbound
        self._restart()

    def _restart(self) -> None:
        self._state[kernel.COST] = kernel.reset(
            self._w, self._d, self._a, self._b, self._la, self._lb, self._s, self._r, self._ca, self._cb
        )
        for tabu in (self._ta, self._tb, self._dta, self._dtb):
            tabu.fill(0)
        self._state[kernel.STALL] = 0
        self._state[kernel.WALK_BEST] = kernel.NONE
        if self.excess() == 0:
            self._state[kernel.WALK_BEST] = self._state[kernel.COST]
            self._best_a[:] = self._a
            self._best_b[:] = self._b

    def kick(self, strength: int) -> None:
        """``strength`` random relocations or swaps (capacity ignored), then a fresh walk from there."""
        kernel.kick(
            self._w, self._wt, self._d, self._dt, self._a, self._b, self._la, self._lb, self._s, self._r,
            self._ca, self._cb, self._state, self._rng, int(strength),
        )  # fmt: skip
        self._restart()

    def step(self, iterations: int) -> bool:
        """Make up to ``iterations`` more moves; True when the walk has ended."""
        ended: bool = kernel.walk(
            self._w, self._wt, self._d, self._dt, self._s, self._cin, self._r, self._cout,
            self._a, self._b, self._la, self._lb, self._ca, self._cb, self._ta, self._tb, self._dta, self._dtb,
            self._agga, self._aggb, self._best_a, self._best_b, self._state, self._settings, self._rng,
            int(iterations),
        )  # fmt: skip
        return bool(ended)

    def excess(self) -> int:
        """Pallets over capacity at the current doors, both sides."""
        return int(np.maximum(self._la - self._cin, 0).sum() + np.maximum(self._lb - self._cout, 0).sum())

    @property
    def cost(self) -> int:
        """Cost of the current doors."""
        return int(self._state[kernel.COST])

    @property
    def iteration(self) -> int:
        """Moves made so far, over all walks."""
        return int(self._state[kernel.ITERATION])

    @property
    def inbound(self) -> IntArray:
        """Current inbound doors (a copy)."""
        return self._a.copy()

    @property
    def outbound(self) -> IntArray:
        """Current outbound doors (a copy)."""
        return self._b.copy()

    @property
    def best(self) -> tuple[int, IntArray, IntArray] | None:
        """Cost and doors of the walk's best feasible assignment (copies), None if it met none."""
        cost = int(self._state[kernel.WALK_BEST])
        if cost >= kernel.NONE:
            return None
        return cost, self._best_a.copy(), self._best_b.copy()


def warm() -> None:
    """Compile the tabu kernel for the array types the solver uses, or load it from numba's on-disk cache.

    The first call after an install (or after the kernel's source changed) compiles for several seconds; later
    calls, in any process, load the cached machine code in well under a second. ``./dev`` calls this once after
    installing so that a first time-limited solve does not spend its budget compiling.
    """
    tiny = CdapInstance.parse("2 2 2 2\n1 0\n0 1\n1 2\n2 1\n1 1\n2 2\n1 1\n2 2\n", name="warm-up")
    walker = TabuWalker(tiny, seed=0)
    walker.start(np.array([0, 1]), np.array([1, 0]))
    walker.step(5)
    walker.kick(1)

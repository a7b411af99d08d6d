"""Runs the re-plan in a worker process so ingestion never waits for the optimiser.

The event loop hands the floor and the current plan to a process pool (``forkserver`` where the
platform has it, else ``spawn``: forking a process that runs threads is unsafe) and awaits the
result; one re-plan runs at a time. The caller swaps the returned plan in atomically. The worker
runs at a lower priority (niceness +10) than central, so a busy machine serves scans first.

The current plan's truck doors are first merged with the floor's trucks (:func:`with_floor_trucks`):
a truck now docked is at its real door, one gone from the floor (unloaded) is dropped, so the re-plan
starts from what the yard did rather than from what the last plan suggested.

Errors::

    ReplanError          the worker process died or the pool is closed
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import datetime
from types import TracebackType

from xdock.central.optimiser.plan import Plan
from xdock.central.optimiser.schema import Floor

__all__ = ["ReplanError", "Replanner", "with_floor_trucks"]

log = logging.getLogger(__name__)

_WORKER_NICENESS = 10
"""Added to the worker process's niceness: when the cores are busy, ingestion's process gets them
first and a re-plan (up to its time budget of CPU) waits, so live answers do not."""


class ReplanError(RuntimeError):
    """The re-plan could not run: its worker process died, or the replanner is closed."""


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _start_worker() -> None:
    """In the worker process: lower its priority, and ignore Ctrl-C, which the terminal sends to the whole
    process group: central stops the worker itself (:meth:`Replanner.aclose`), a worker that stopped on its
    own would print a traceback and break a re-plan under way."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(_WORKER_NICENESS)


def with_floor_trucks(floor: Floor, plan: Plan) -> Plan:
    """``plan`` with the truck doors of ``floor``'s trucks only: a docked truck's own door, else the plan's."""
    doors: dict[str, str] = {}
    for truck in floor.trucks.values():
        door = truck.door if truck.docked else plan.truck_doors.get(truck.id)
        if door is not None:
            doors[truck.id] = door
    return plan if doors == plan.truck_doors else replace(plan, truck_doors=doors)


class Replanner:
    """Runs replan() in a worker process so ingestion never waits; one re-plan at a time."""

    def __init__(self, *, time_limit: float = 2.0, max_workers: int = 1, seed: int = 0, workers: int = 1) -> None:
        """``max_workers`` worker processes (one re-plan runs at a time); ``seed`` and ``workers``
        (CP-SAT search threads) go to :func:`~xdock.central.optimiser.replan.replan`."""
        self._time_limit = time_limit
        self._max_workers = max_workers
        self._seed = seed
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self._max_workers, mp_context=_context(),
                                             initializer=_start_worker)
        return self._pool

    async def replan(self, floor: Floor, current: Plan, now: datetime) -> Plan:
        """The re-plan of ``floor`` from ``current`` (its truck doors merged with the floor's trucks) at
        ``now``, computed in the worker process."""
        current = with_floor_trucks(floor, current)
        async with self._lock:
            if self._closed:
                raise ReplanError("Cannot re-plan: the replanner is closed")
            pool = self._executor()
            loop = asyncio.get_running_loop()
            job = loop.run_in_executor(
                pool, _run, floor, current, now, self._time_limit, self._seed, self._workers
            )
            try:
                return await job
            except BrokenProcessPool as exc:
                self._pool = None
                await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
                raise ReplanError(
                    f"Re-plan of plan version {current.version} failed: the worker process died ({exc})"
                ) from exc

    async def aclose(self) -> None:
        """Stop the worker process; waits for a running re-plan to end."""
        async with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
            if pool is not None:
                await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
                log.debug("re-plan worker stopped")

    async def __aenter__(self) -> Replanner:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _run(floor: Floor, current: Plan, now: datetime, time_limit: float, seed: int, workers: int) -> Plan:
    # The solver (OR-Tools) is loaded in the worker process only: central's own start never waits for it.
    from xdock.central.optimiser.replan import replan  # noqa: PLC0415

    return replan(floor, current, now, time_limit=time_limit, seed=seed, workers=workers)

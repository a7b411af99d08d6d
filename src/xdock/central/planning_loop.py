"""Re-planning the floor in the background: rematch staged pallets, then a full re-plan in a worker process.

A round runs every ``interval`` seconds of site time when scans changed the floor since the last
round, or a trailer's departure time passed (its pallets not yet loaded need another trailer).
The re-plan works on a snapshot; the dispatcher merges its result with what was decided
meanwhile, and only then is the better plan swapped in and the changed pallets stored.
Ingestion never waits for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from xdock.central.replanner import ReplanError, Replanner
from xdock.central.scans import ScanService
from xdock.protocol.clock import Clock

__all__ = ["PlanningLoop", "RoundResult"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundResult:
    rematched: int
    replanned: int
    version: int
    cost_m: float


class PlanningLoop:
    def __init__(self, service: ScanService, replanner: Replanner, clock: Clock, *, interval: float = 30.0) -> None:
        if interval <= 0:
            raise ValueError(f"re-plan interval must be positive, got {interval}")
        self.service = service
        self.replanner = replanner
        self.clock = clock
        self.interval = interval
        self.rounds = 0
        self._dirty = True
        self._last_round = clock.now()
        service.on_applied(lambda _event, _reply: self._touch())

    def _touch(self) -> None:
        self._dirty = True

    async def run(self) -> None:
        """Run rounds until cancelled; a failed re-plan is logged and the current plan stays."""
        while True:
            await self.clock.sleep(self.interval)
            if not (self._dirty or self._departed_since(self._last_round)):
                continue
            try:
                await self.run_once()
            except ReplanError:
                log.exception("re-plan failed; the current plan stays")

    def _departed_since(self, since: datetime) -> bool:
        now = self.clock.now()
        return any(since < t.departure <= now for t in self.service.state.trailers.values())

    async def run_once(self) -> RoundResult:
        """One round now: rematch, re-plan from a snapshot, merge and store."""
        self._dirty = False
        self._last_round = self.clock.now()
        rematched = self.service.rematch()
        dispatcher = self.service.dispatcher
        plan = await self.replanner.replan(dispatcher.floor, dispatcher.plan(), self.clock.now())
        replanned = self.service.adopt_plan(plan)
        self.rounds += 1
        log.info("plan v%d: cost %.0f m-eq, %d rematched, %d changed", plan.version, plan.cost_m, rematched, replanned)
        return RoundResult(rematched, replanned, plan.version, plan.cost_m)

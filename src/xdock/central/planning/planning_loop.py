"""Re-planning the floor in the background: rematch staged pallets, then a full re-plan in a worker process.

A round runs every ``interval`` seconds of site time when scans changed the floor since the last
round, an inbound truck was announced, arrived or left, an outbound trailer was announced, moved or
marked departed, or a trailer's departure time passed (its pallets not yet loaded need another
trailer). The re-plan works on a snapshot, inbound trucks included
(:func:`~xdock.central.site.floor_view.trucks_from`); the dispatcher merges its result with what
was decided meanwhile, and only then is the better plan swapped in and the changed pallets stored.
Each waiting truck then gets the plan's door as its suggested door
(:meth:`~xdock.central.site.inbound.InboundTrucks.suggest`). Ingestion never waits for it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime

from xdock.central.planning.replanner import ReplanError, Replanner
from xdock.central.site.floor_view import trucks_from
from xdock.central.site.live_site import LiveSite
from xdock.central.store.database import InboundTruckRow
from xdock.observability.latency import REPLAN_BOUNDS_S, Latencies
from xdock.protocol.clock import Clock

__all__ = ["PlanningLoop", "RoundResult"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundResult:
    rematched: int
    replanned: int
    version: int
    cost_m: float
    suggested: int = 0
    """Waiting inbound trucks whose suggested door changed."""


class PlanningLoop:
    """Re-plan rounds over ``site``'s floor and its inbound trucks."""

    def __init__(
        self, site: LiveSite, replanner: Replanner, clock: Clock, *, interval: float = 30.0,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"re-plan interval must be positive, got {interval}")
        self.site = site
        self.replanner = replanner
        self.clock = clock
        self.interval = interval
        self.rounds = 0
        self.durations = Latencies(REPLAN_BOUNDS_S)
        """Wall-clock seconds of each re-plan that gave a plan (the worker's solve and the hand-over)."""
        self.last_cost_m: float | None = None
        """The objective of the latest plan adopted (metres-equivalent); ``None`` before the first round."""
        self._dirty = True
        self._last_round = clock.now()
        self._trucks_seen: tuple[tuple[object, ...], ...] = ()
        self._trailers_seen: tuple[tuple[object, ...], ...] = ()
        site.on_scan(lambda _event, _reply: self._touch())

    def _touch(self) -> None:
        self._dirty = True

    async def run(self) -> None:
        """Run rounds until cancelled; a failed re-plan is logged and the current plan stays."""
        while True:
            await self.clock.sleep(self.interval)
            if not self.due():
                continue
            try:
                await self.run_once()
            except ReplanError:
                log.exception("re-plan failed; the current plan stays")

    def due(self) -> bool:
        """A round has something to do: scans changed the floor, a trailer left, or the inbound trucks or the
        outbound trailers changed."""
        return (self._dirty or self._departed_since(self._last_round) or self._trucks_changed()
                or self._trailers_key() != self._trailers_seen)

    @staticmethod
    def _trucks_key(rows: list[InboundTruckRow]) -> tuple[tuple[object, ...], ...]:
        """What of the trucks the plan depends on (not the suggestions it made)."""
        return tuple(
            (r.id, r.state, r.door, r.eta, r.pallets, tuple(sorted((r.destinations or {}).items())))
            for r in rows if r.state != "unloaded"
        )

    def _trailers_key(self) -> tuple[tuple[object, ...], ...]:
        """What of the outbound trailers the plan depends on beyond the site file: which, where, gone or not."""
        return tuple((t.plan.id, t.plan.door, t.departed) for t in self.site.state.trailers.values())

    def _trucks_changed(self) -> bool:
        return self._trucks_key(self.site.inbound_trucks()) != self._trucks_seen

    def _departed_since(self, since: datetime) -> bool:
        now = self.clock.now()
        return any(since < t.departure <= now for t in self.site.state.trailers.values())

    async def run_once(self) -> RoundResult:
        """One round now: rematch, re-plan from a snapshot, suggest truck doors, merge and store."""
        self._dirty = False
        self._last_round = now = self.clock.now()
        rows = self.site.inbound_trucks()
        self._trucks_seen = self._trucks_key(rows)
        self._trailers_seen = self._trailers_key()
        rematched = self.site.rematch()
        floor = replace(self.site.floor(), trucks=trucks_from(rows, now, self.site.state.pallets.values()))
        started = time.monotonic()
        plan = await self.replanner.replan(floor, self.site.plan(), now)
        self.durations.observe(time.monotonic() - started)
        waiting = {k: plan.truck_doors.get(k, t.door) for k, t in floor.trucks.items() if not t.docked}
        suggested = len(self.site.suggest_truck_doors(waiting, version=plan.version))
        replanned = self.site.adopt_plan(plan)
        self.rounds += 1
        self.last_cost_m = plan.cost_m
        log.info("plan v%d: cost %.0f m-eq, %d rematched, %d changed, %d truck doors suggested", plan.version,
                 plan.cost_m, rematched, replanned, suggested)
        return RoundResult(rematched, replanned, plan.version, plan.cost_m, suggested)

"""``xdock+replan``: the ``xdock`` policy plus the background re-plan, as central's planning loop runs it.

Every ``every_min`` minutes of site time (15 by default) a round, as
:meth:`~xdock.central.planning.planning_loop.PlanningLoop.run_once` does it: the floor with the inbound trucks
announced, the CP-SAT re-plan warm-started from the current plan within ``budget_s`` of CP-SAT's
*deterministic* time (one worker, so a seed reproduces the run whatever the machine's load), its suggested
doors given to the waiting trucks, and the plan adopted by the site core. Trucks are announced
``notice_min`` minutes before they arrive (their advance shipping notice), so a round can place them; a
truck takes its suggested door when it is free, else the ``xdock`` policy's choice.

The re-plan runs in this process, in site time: the simulated floor waits for it, as if it took no time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from xdock.central.site.floor_view import trucks_from
from xdock.simulation.model import InboundTruck
from xdock.simulation.policies.xdock import XdockPolicy
from xdock.simulation.policy import Changes

__all__ = ["XdockReplanPolicy"]


class XdockReplanPolicy(XdockPolicy):
    """The site core plus its re-plan every ``every_min`` site minutes (see the module doc)."""

    name = "xdock+replan"

    def __init__(self, *, every_min: float = 15.0, budget_s: float = 1.0, notice_min: float = 60.0, seed: int = 0,
                 workdir: Path | None = None) -> None:
        super().__init__(workdir=workdir)
        if every_min <= 0:
            raise ValueError(f"every_min: must be positive, got {every_min}")
        if budget_s <= 0:
            raise ValueError(f"budget_s: must be positive, got {budget_s}")
        self.tick_every_min = every_min
        self.budget_s = budget_s
        self.notice_min = notice_min
        self.seed = seed
        self.rounds = 0

    def tick(self, now: float) -> Changes:
        from xdock.central.optimiser.replan import replan  # noqa: PLC0415  (OR-Tools: loaded when first needed)

        for truck in self.day.trucks:
            if now <= truck.arrival_min <= now + self.notice_min:
                self.announce(truck, now)
        at = self._at(now)
        site = self.site
        rows = site.inbound_trucks()
        floor = replace(site.floor(), trucks=trucks_from(rows, at, site.state.pallets.values()))
        plan = replan(floor, site.plan(), at, time_limit=self.budget_s, seed=self.seed, deterministic=True)
        waiting = {k: plan.truck_doors.get(k, t.door) for k, t in floor.trucks.items() if not t.docked}
        self._call(now, "suggest_truck_doors", waiting, version=plan.version)
        self._call(now, "adopt_plan", plan)
        self.rounds += 1
        return self._changed()

    def inbound_door(self, truck: InboundTruck, free: Sequence[str], now: float) -> str | None:
        self.announce(truck, now)
        suggested = self.site.inbound_truck(truck.id).suggested_door
        if suggested is not None and suggested in free:
            return suggested
        return super().inbound_door(truck, free, now)

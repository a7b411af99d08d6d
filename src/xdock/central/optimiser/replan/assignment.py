"""The re-plan's working solution, its cost, and its conversion to and from a :class:`Plan`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from xdock.central.optimiser.plan import Move, MoveKind, Plan
from xdock.central.optimiser.replan.problem import Problem
from xdock.central.optimiser.schema import Floor

__all__ = ["Assignment", "cost", "plan_cost", "to_plan"]


@dataclass
class Assignment:
    """Doors of trailers and trucks, and the target of every pallet that is not frozen."""

    trailer_doors: dict[str, str | None] = field(default_factory=dict)
    truck_doors: dict[str, str | None] = field(default_factory=dict)
    targets: dict[str, tuple[MoveKind, str]] = field(default_factory=dict)

    def copy(self) -> Assignment:
        return Assignment(dict(self.trailer_doors), dict(self.truck_doors), dict(self.targets))

    @classmethod
    def of_plan(cls, floor: Floor, plan: Plan) -> Assignment:
        return cls(
            trailer_doors={t.id: plan.trailer_doors.get(t.id, t.door) for t in floor.trailers.values()},
            truck_doors={k.id: plan.truck_doors.get(k.id, k.door) for k in floor.trucks.values()},
            targets={
                s: (m.kind, m.target)
                for s, m in plan.moves.items()
                if s in floor.pallets and not floor.pallets[s].frozen
            },
        )

    def direct_to(self, trailer_id: str) -> list[str]:
        return [s for s, (kind, target) in self.targets.items() if kind == "direct" and target == trailer_id]


def cost(problem: Problem, a: Assignment) -> float:
    """The re-plan's objective, in metres-equivalent (see :func:`plan_cost`)."""
    floor, rules = problem.floor, problem.floor.rules
    total = 0.0
    for p in problem.movable:
        kind, target = a.targets.get(p.sscc, ("staging", ""))
        door = a.trailer_doors.get(target) if kind == "direct" else None
        if door is not None:
            total += problem.travel(p.location, door)
            if target in floor.trailers:
                total += problem.balance(target)
        else:  # an area, or a trailer with no door yet: the pallet waits as if staged
            area = problem.fallback[p.sscc]
            total += problem.travel(p.location, target if kind != "direct" else area.id if area else None)
            if problem.could[p.sscc]:
                total += rules.unplaced_penalty_m * problem.weight[p.sscc]
        if p.instructed and p.trailer is not None and (kind != "direct" or target != p.trailer):
            total += rules.change_penalty_m
    for (truck, trailer), flow in problem.flows.items():
        total += flow * problem.travel(a.truck_doors.get(truck), a.trailer_doors.get(trailer))
    for t in floor.trailers.values():
        if problem.trailer_needs_door(t) and a.trailer_doors.get(t.id) is None:
            total += rules.unplaced_penalty_m
    for k in floor.trucks.values():
        if problem.truck_needs_door(k.id) and a.truck_doors.get(k.id) is None:
            total += rules.unplaced_penalty_m
    return total


def plan_cost(floor: Floor, plan: Plan, now: datetime) -> float:
    """Objective of ``plan`` on ``floor`` at ``now``, whoever made it, in metres-equivalent.

    Travel of every move (to the trailer's door, or to the area; a trailer with no door counts as the
    pallet's staging area, unplaced penalty included), plus per direct pallet the balance
    term (``balance_weight_m`` x the trailer's fill by frozen pallets), plus ``change_penalty_m`` per
    changed instruction, plus ``unplaced_penalty_m`` x (1 + priority) (x 2 when urgent) per pallet sent
    to an area while a trailer exists for it, plus the expected travel of pallets still on inbound
    trucks (flow x door-to-door metres), plus ``unplaced_penalty_m`` per vehicle left without a door.
    """
    problem = Problem.build(floor, now)
    return cost(problem, Assignment.of_plan(floor, plan))


def to_plan(problem: Problem, a: Assignment, version: int) -> Plan:
    """The plan handed to the floor, with each move's door, metres and reason."""
    floor = problem.floor
    fill = Counter({tid: ab.count for tid, ab in problem.aboard.items()})
    fill.update(target for kind, target in a.targets.values() if kind == "direct")
    moves: dict[str, Move] = {}
    for p in problem.movable:
        kind, target = a.targets[p.sscc]
        dest = ",".join(p.destinations) or "?"
        if kind == "direct":
            trailer = floor.trailers[target]
            door = a.trailer_doors.get(target)
            dist = problem.travel(p.location, door)
            reason = (
                f"{dest} · {target} {fill[target]}/{trailer.capacity_pallets} · "
                f"dep {trailer.departure:%H:%M} · {dist:.0f} m"
            )
            moves[p.sscc] = Move(p.sscc, kind, target, door, dist, reason)
        else:
            dist = problem.travel(p.location, target)
            why = "breakdown" if kind == "indirect" else ("no trailer with room" if problem.could[p.sscc]
                                                           else "no trailer yet")
            moves[p.sscc] = Move(p.sscc, kind, target, None, dist, f"{dest} · {target} · {why} · {dist:.0f} m")
    trailer_doors = {
        tid: door for tid, door in sorted(a.trailer_doors.items())
        if door is not None and not floor.trailers[tid].departed
    }
    truck_doors = {kid: door for kid, door in sorted(a.truck_doors.items()) if door is not None}
    plan = Plan(version, moves, trailer_doors, truck_doors)
    return replace(plan, cost_m=cost(problem, Assignment.of_plan(floor, plan)))

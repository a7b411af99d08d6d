"""The optimiser at site scale: instant decisions, a full re-plan, and a greedy nearest-door baseline.

Usage: python bench/replan.py [--doors 300] [--pallets 5000] [--decisions 1000] [--budget 2.0] [--seed 1]

1. builds a synthetic site (``xdock.testing.synthetic_site``) and decides every pallet on it with the
   dispatcher, then times N newly scanned pallets (``put_pallet`` + ``decide``): p50/p99;
2. builds the greedy baseline over the same floor: every movable pallet, in SSCC order, to the nearest
   trailer for its destination that keeps the hard rules and has room (else where the dispatcher put it);
3. re-plans the dispatcher's plan with CP-SAT within ``--budget`` seconds (in this process) and times it.
Travel metres and the objective (``plan_cost``: travel plus penalties, metres-equivalent) are printed
for all three plans; every plan is checked with ``validate``. The last line is one JSON object.
Figures only: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from dispatch import Greedy  # noqa: E402
from xdock.central.optimiser.dispatcher import Dispatcher  # noqa: E402
from xdock.central.optimiser.plan import Move, Plan  # noqa: E402
from xdock.central.optimiser.replan import plan_cost, replan  # noqa: E402
from xdock.central.optimiser.schema import Floor, metres  # noqa: E402
from xdock.central.optimiser.validation import validate  # noqa: E402
from xdock.testing.synthetic_site import synthetic_floor, synthetic_pallets  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=1)))


def greedy_plan(floor: Floor, dispatched: Plan) -> Plan:
    """Nearest trailer with room for each movable pallet; where the dispatcher put it otherwise."""
    frozen = {k: p for k, p in floor.pallets.items() if p.frozen}
    chooser = Greedy(floor, Dispatcher(Floor(floor.doors, floor.areas, floor.trailers, frozen, floor.trucks,
                                             floor.rules)))
    moves: dict[str, Move] = {}
    for sscc in sorted(floor.pallets):
        pallet = floor.pallets[sscc]
        if pallet.frozen:
            continue
        best: tuple[float, str, str] | None = None
        if not pallet.mixed and pallet.destinations:
            at = floor.where(pallet.location)
            for trailer in floor.trailers.values():
                door = floor.doors.get(chooser.doors.get(trailer.id) or "")
                if door is None or not chooser._fits(trailer, door, pallet, NOW):
                    continue
                candidate = (metres(at, (door.x, door.y)), trailer.id, door.id)
                best = candidate if best is None or candidate < best else best
        if best is None:
            moves[sscc] = _fallback(floor, chooser, dispatched.moves[sscc])
            continue
        chooser._add(best[1], pallet)
        moves[sscc] = Move(sscc, "direct", best[1], best[2], best[0], "nearest door with room")
    return Plan(0, moves, dict(dispatched.trailer_doors), dict(dispatched.truck_doors))


_COLD = {"ambient": 0, "chilled": 1, "frozen": 2}


def _fallback(floor: Floor, chooser: Greedy, move: Move) -> Move:
    """Where a pallet the greedy rule cannot place goes: the dispatcher's area, else the nearest staging."""
    pallet = floor.pallets[move.sscc]
    if move.kind != "direct":
        return move
    door = floor.doors[move.door or ""]
    if chooser._fits(floor.trailers[move.target], door, pallet, NOW):
        chooser._add(move.target, pallet)
        return move
    at = floor.where(pallet.location)
    area = min(
        (a for a in floor.areas.values() if a.kind == "staging" and _COLD[a.temp] >= _COLD[pallet.temp]),
        key=lambda a: (metres(at, (a.x, a.y)), a.id),
    )
    return Move(move.sscc, "staging", area.id, None, metres(at, (area.x, area.y)), "no trailer with room")


def travel(plan: Plan) -> float:
    return round(sum(m.metres for m in plan.moves.values()), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doors", type=int, default=300)
    parser.add_argument("--pallets", type=int, default=5000)
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--budget", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    floor = synthetic_floor(args.doors, args.pallets, args.seed, NOW)
    dispatcher = Dispatcher(floor)
    for sscc, pallet in floor.pallets.items():
        if not pallet.frozen:
            dispatcher.decide(sscc, NOW)
    gc.collect()
    times_ms: list[float] = []
    for pallet in synthetic_pallets(floor, args.decisions, args.seed + 7, NOW):
        started = time.perf_counter_ns()
        dispatcher.put_pallet(pallet)
        dispatcher.decide(pallet.sscc, NOW)
        times_ms.append((time.perf_counter_ns() - started) / 1e6)
    times_ms.sort()

    now_floor = dispatcher.floor
    instant = dispatcher.plan()
    baseline = greedy_plan(now_floor, instant)
    started = time.perf_counter()
    better = replan(now_floor, instant, NOW, time_limit=args.budget, seed=args.seed)
    replan_s = time.perf_counter() - started

    plans = {"greedy": baseline, "instant": instant, "replan": better}
    result: dict[str, Any] = {
        "doors": args.doors,
        "pallets": len(now_floor.pallets),
        "trailers": len(now_floor.trailers),
        "instant_p50_ms": round(statistics.median(times_ms), 4),
        "instant_p99_ms": round(times_ms[min(len(times_ms) - 1, int(0.99 * len(times_ms)))], 4),
        "instant_decisions": len(times_ms),
        "replan_s": round(replan_s, 3),
        "replan_budget_s": args.budget,
        "travel_m": {name: travel(plan) for name, plan in plans.items()},
        "cost_m": {name: round(plan_cost(now_floor, plan, NOW), 1) for name, plan in plans.items()},
        "direct": {name: sum(m.kind == "direct" for m in plan.moves.values()) for name, plan in plans.items()},
        "valid": {name: not validate(now_floor, plan, NOW) for name, plan in plans.items()},
    }
    result["replan_vs_greedy_cost"] = round(result["cost_m"]["replan"] / result["cost_m"]["greedy"], 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

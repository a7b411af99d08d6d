"""How long the site-day simulator takes: a shipped scenario under each policy, wall seconds against the targets.

    python bench/simulate.py [--scenario normal-day] [--policy xdock ...] [--seed 0] [--hours H]

Issue 13's targets on this 2-core machine: ``normal-day`` with ``xdock`` in 60 s at most, with
``xdock+replan`` (a round every 15 site minutes, 1 s of CP-SAT deterministic time) in 180 s; ``torbali-hh``
(a week) with ``xdock`` in 60 s. Each policy runs alone on the Day of the seed, in this process, one after
the other. Prints JSON: per policy the wall seconds, the site seconds run per wall second, the pallets,
and the target where the issue sets one (``within_target``).
"""

from __future__ import annotations

import argparse
import json
import logging
import time

from xdock.simulation.engine import run_day
from xdock.simulation.kpis import kpis
from xdock.simulation.runner import POLICIES
from xdock.simulation.scenario import load_scenario

TARGETS_S = {("normal-day", "xdock"): 60.0, ("normal-day", "xdock+replan"): 180.0, ("torbali-hh", "xdock"): 60.0}


def run(scenario: str, policies: list[str], seed: int, hours: float | None) -> dict[str, object]:
    loaded = load_scenario(scenario)
    day = (loaded if hours is None else loaded.with_horizon(hours)).draw(seed)
    out: dict[str, object] = {"scenario": scenario, "seed": seed, "sim_hours": day.horizon_min / 60,
                              "pallets": day.pallet_count}
    for name in policies:
        began = time.perf_counter()
        result = run_day(day, POLICIES[name]())
        wall = time.perf_counter() - began
        found = kpis(day, result)
        target = TARGETS_S.get((scenario, name)) if hours is None else None
        out[name] = {
            "wall_s": round(wall, 2), "site_s_per_wall_s": round(day.horizon_min * 60 / wall),
            "pallets": found["pallets"], "late_pallets": found["late_pallets"], "forklift_km": found["forklift_km"],
            "unaccounted": found["unaccounted"], "target_s": target,
            "within_target": None if target is None else wall <= target,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="normal-day")
    parser.add_argument("--policy", action="append", choices=list(POLICIES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hours", type=float, help="only the scenario's first hours (no target then)")
    args = parser.parse_args()
    logging.getLogger("xdock.central").setLevel(logging.ERROR)  # a warning per trailer departing
    print(json.dumps(run(args.scenario, args.policy or list(POLICIES), args.seed, args.hours)))


if __name__ == "__main__":
    main()

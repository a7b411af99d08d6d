"""Time the instant decision on a synthetic site and compare its travel with a greedy nearest-door rule.

Usage: python bench/dispatch.py [--doors 300] [--pallets 5000] [--decisions 2000] [--seed 1]

Builds the site (``xdock.testing.synthetic_site``), decides every pallet already on the floor, then
times N newly scanned pallets (``put_pallet`` + ``decide``, one core, ``time.perf_counter_ns``). The same
pallets then go through the greedy baseline: the nearest trailer for the destination with room and the
same hard rules (time, door, cold chain, dangerous goods), ignoring balance and urgency.
The last line printed is one JSON object. Figures only: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from xdock.central.optimiser.dispatcher import Dispatcher  # noqa: E402
from xdock.central.optimiser.schema import Door, Floor, Pallet, Trailer, metres  # noqa: E402
from xdock.central.optimiser.validation import validate  # noqa: E402
from xdock.testing.synthetic_site import synthetic_floor, synthetic_pallets  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=1)))


class Greedy:
    """Nearest trailer for the destination with room; loads start from the dispatcher's warmed-up plan."""

    def __init__(self, floor: Floor, d: Dispatcher) -> None:
        self.floor = floor
        plan = d.plan()
        self.doors = {t: plan.trailer_doors.get(t, tr.door) for t, tr in floor.trailers.items()}
        self.count: Counter[str] = Counter()
        self.kg: dict[str, float] = {}
        self.hazmat: dict[str, set[str]] = {}
        for p in floor.pallets.values():
            move = plan.moves.get(p.sscc)
            on = p.trailer if p.frozen else (move.target if move is not None and move.kind == "direct" else None)
            if on is not None:
                self._add(on, p)

    def _add(self, t: str, p: Pallet) -> None:
        self.count[t] += 1
        self.kg[t] = self.kg.get(t, 0.0) + p.weight_kg
        if p.hazmat is not None:
            self.hazmat.setdefault(t, set()).add(p.hazmat)

    def _fits(self, t: Trailer, door: Door, p: Pallet, now: datetime) -> bool:
        rules = self.floor.rules
        return not (
            t.destination != p.destinations[0] or t.departed or t.departure < now + rules.handling
            or not door.open or not door.outbound
            or (p.temp != "ambient" and not t.reefer)
            or (p.hazmat is not None and not t.accepts_hazmat)
            or any(p.hazmat is not None and rules.incompatible(p.hazmat, c) for c in self.hazmat.get(t.id, ()))
            or self.count[t.id] + 1 > t.capacity_pallets
            or self.kg.get(t.id, 0.0) + p.weight_kg > t.capacity_kg
        )

    def place(self, p: Pallet, now: datetime) -> float | None:
        """Travel metres of the chosen trailer, or ``None`` when no trailer takes the pallet."""
        if p.mixed or not p.destinations:
            return None
        at = self.floor.where(p.location)
        best: tuple[float, str] | None = None
        for t in self.floor.trailers.values():
            door = self.floor.doors.get(self.doors[t.id] or "")
            if door is None or not self._fits(t, door, p, now):
                continue
            travel = metres(at, (door.x, door.y))
            if best is None or (travel, t.id) < best:
                best = (travel, t.id)
        if best is None:
            return None
        self._add(best[1], p)
        return best[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doors", type=int, default=300)
    parser.add_argument("--pallets", type=int, default=5000)
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    floor = synthetic_floor(args.doors, args.pallets, args.seed, NOW)
    started = time.perf_counter()
    d = Dispatcher(floor)
    for sscc, p in floor.pallets.items():
        if not p.frozen:
            d.decide(sscc, NOW)
    warm_s = time.perf_counter() - started
    greedy = Greedy(d.floor, d)
    scans = synthetic_pallets(floor, args.decisions, args.seed + 7, NOW)

    gc.collect()
    times_ns: list[int] = []
    kinds: Counter[str] = Counter()
    ours: dict[str, float] = {}
    for p in scans:
        t0 = time.perf_counter_ns()
        d.put_pallet(p)
        move = d.decide(p.sscc, NOW)
        times_ns.append(time.perf_counter_ns() - t0)
        kinds[move.kind] += 1
        if move.kind == "direct":
            ours[p.sscc] = move.metres
    problems = validate(d.floor, d.plan(), NOW)
    theirs = {p.sscc: m for p in scans if (m := greedy.place(p, NOW)) is not None}
    both = ours.keys() & theirs.keys()

    ms = sorted(t / 1e6 for t in times_ns)
    result: dict[str, Any] = {
        "p50_ms": round(statistics.median(ms), 4),
        "p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 4),
        "max_ms": round(ms[-1], 4),
        "decisions": len(ms),
        "doors": args.doors,
        "pallets": args.pallets,
        "direct": kinds["direct"],
        "staging": kinds["staging"],
        "indirect": kinds["indirect"],
        "greedy_direct": len(theirs),
        "dispatch_travel_m": round(sum(ours.values()), 1),
        "greedy_travel_m": round(sum(theirs.values()), 1),
        "both_direct": len(both),
        "dispatch_travel_both_m": round(sum(ours[k] for k in both), 1),
        "greedy_travel_both_m": round(sum(theirs[k] for k in both), 1),
        "warmup_decisions_s": round(warm_s, 3),
        "valid": not problems,
    }
    print(f"{len(problems)} rule(s) broken" + (f", first: {problems[0]}" if problems else ""))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

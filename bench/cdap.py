"""Run the CDAP solver and the greedy baseline on the published benchmark and print the gaps to the BKS.

Usage: python bench/cdap.py [--set A|B|all] [--time-limit S] [--seed N] [--instances GLOB] [--data DIR] [--jobs N]

One line per instance, then, as the last line, one JSON object with per-instance figures and a summary.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from xdock.cdap.greedy import greedy  # noqa: E402
from xdock.cdap.instance import CdapInstance  # noqa: E402
from xdock.cdap.solution import validate  # noqa: E402
from xdock.cdap.solver import solve  # noqa: E402
from xdock.cdap.tabu import warm  # noqa: E402


def _gap(value: int | None, bks: int) -> float | None:
    return None if value is None else 100.0 * (value - bks) / bks


def _run(path: Path, bks: int, time_limit: float, seed: int) -> dict[str, Any]:
    instance = CdapInstance.read(path)
    result = solve(instance, time_limit=time_limit, seed=seed)
    problems = validate(instance, result.solution) if result.solution is not None else ["no solution"]
    baseline = greedy(instance)
    return {
        "instance": path.stem,
        "bks": bks,
        "objective": result.objective,
        "gap_pct": _gap(result.objective, bks),
        "seconds": round(result.seconds, 3),
        "status": result.status,
        "valid": not problems,
        "greedy_objective": None if baseline is None else baseline.objective,
        "greedy_gap_pct": _gap(None if baseline is None else baseline.objective, bks),
    }


def _summary(rows: list[dict[str, Any]], key: str, objective_key: str) -> dict[str, Any]:
    gaps = [row[key] for row in rows if row[key] is not None]
    return {
        "instances": len(rows),
        "solved": len(gaps),
        "mean_gap_pct": round(statistics.fmean(gaps), 4) if gaps else None,
        "max_gap_pct": round(max(gaps), 4) if gaps else None,
        "at_bks": sum(1 for row in rows if row[objective_key] is not None and row[objective_key] <= row["bks"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/cdap.py", description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["A", "B", "all"], default="A")
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--instances", default="*", help="glob on instance names, e.g. 'SetB_100x*'")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "benchmarks" / "cdap")
    parser.add_argument("--jobs", type=int, default=1, help="instances solved in parallel")
    args = parser.parse_args(argv)

    # names compare case-insensitively: one published file is spelled SetB_100X10S15.txt
    with (args.data / "reference.csv").open(encoding="utf-8") as file:
        bks = {row["instance"].lower(): int(row["bks"]) for row in csv.DictReader(file)}
    sets = ["SetA", "SetB"] if args.set == "all" else [f"Set{args.set}"]
    paths = [
        path
        for folder in sets
        for path in sorted((args.data / folder).glob("*.txt"), key=lambda path: path.stem.lower())
        if fnmatch.fnmatchcase(path.stem.lower(), args.instances.lower()) and path.stem.lower() in bks
    ]
    missing = sorted(set(bks) - {path.stem.lower() for path in paths})
    if args.instances == "*" and args.set != "all":
        missing = [name for name in missing if name.startswith(f"set{args.set.lower()}_")]
        if missing:
            print(f"warning: no instance file for {', '.join(missing)}", file=sys.stderr)
    warm()  # compile the tabu kernel (or load it from the on-disk cache) before any instance is timed
    rows: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(_run, path, bks[path.stem.lower()], args.time_limit, args.seed) for path in paths]
        for future in futures:
            row = future.result()
            rows.append(row)
            gap = "-" if row["gap_pct"] is None else f"{row['gap_pct']:.3f}%"
            print(
                f"{row['instance']:<22} objective {row['objective']} bks {row['bks']} gap {gap} "
                f"seconds {row['seconds']:.2f} {row['status']}{'' if row['valid'] else ' INVALID'} "
                f"greedy {row['greedy_objective']}",
                flush=True,
            )
    ours = _summary(rows, "gap_pct", "objective")
    ours["mean_seconds"] = round(statistics.fmean(row["seconds"] for row in rows), 3) if rows else None
    ours["invalid"] = sum(1 for row in rows if not row["valid"])
    report = {
        "set": args.set,
        "time_limit": args.time_limit,
        "seed": args.seed,
        "jobs": args.jobs,
        "instances": rows,
        "summary": {"solver": ours, "greedy": _summary(rows, "greedy_gap_pct", "greedy_objective")},
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Running policies over the days of a scenario, and writing what ``xdock simulate`` writes.

:func:`simulate` draws one :class:`~xdock.simulation.model.Day` per replication (seeds ``seed`` to
``seed + replications - 1``), runs every policy on that same Day (common random numbers), and returns the
summary whose JSON is the last stdout line of ``xdock simulate``: per policy the KPIs of
:data:`~xdock.simulation.kpis.SUMMARY_KEYS` (their mean over replications, and with more than one, the
95 % interval of each under ``intervals``). With ``out``, the folder gets ``kpis.json`` (every KPI of
every run, and the mean and interval of each), ``pallets.csv`` (one row per pallet, policy and seed) and
``report.html`` (the first replication's report).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from xdock.simulation.engine import run_day
from xdock.simulation.kpis import SUMMARY_KEYS, kpis, summarise
from xdock.simulation.model import Day, PalletRecord, PolicyRun
from xdock.simulation.policies.fcfs import FcfsPolicy
from xdock.simulation.policies.xdock import XdockPolicy
from xdock.simulation.policies.xdock_replan import XdockReplanPolicy
from xdock.simulation.policy import Policy
from xdock.simulation.report import Kpis, write_report

__all__ = ["POLICIES", "Progress", "simulate", "with_hours"]

POLICIES: dict[str, Callable[[], Policy]] = {"fcfs": FcfsPolicy, "xdock": XdockPolicy,
                                             "xdock+replan": XdockReplanPolicy}
"""Policy name → a fresh policy for one run."""

PALLET_COLUMNS = ("seed", "policy", *(f.name for f in dataclasses.fields(PalletRecord)))


class Progress:
    """Site hours done per run on ``stream``: one line updated in place on a terminal, else a line per 10 %."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self._label = ""
        self._total = 0.0
        self._tenths = -1

    def start(self, label: str, total_min: float) -> None:
        self._label, self._total, self._tenths = label, total_min, -1
        self.update(0.0)

    def update(self, done_min: float) -> None:
        share = done_min / self._total if self._total > 0 else 1.0
        text = f"{self._label}: {done_min / 60:.0f}/{self._total / 60:g} site h ({share:.0%})"
        if self.tty:
            self.stream.write(f"\r{text}\x1b[K")
        else:
            tenths = int(share * 10 + 1e-9)
            if tenths == self._tenths:
                return
            self._tenths = tenths
            self.stream.write(f"{text}\n")
        self.stream.flush()

    def done(self, wall_s: float) -> None:
        self.update(self._total)
        if self.tty:
            self.stream.write(f" {wall_s:.1f} s\n")
        else:
            self.stream.write(f"{self._label}: done in {wall_s:.1f} s\n")
        self.stream.flush()


def with_hours(day: Day, hours: float | None) -> Day:
    """``day`` cut to its first ``hours`` hours (``None``: all of it)."""
    if hours is None:
        return day
    if hours <= 0:
        raise ValueError(f"hours: must be positive, got {hours}")
    return dataclasses.replace(day, horizon_min=min(day.horizon_min, hours * 60.0))


def simulate(
    draw: Callable[[int], Day], policies: Sequence[str], *, seed: int = 0, replications: int = 1,
    out: Path | None = None, hours: float | None = None, progress: Progress | None = None,
) -> dict[str, Any]:
    """Run ``policies`` on ``draw(seed + i)`` for each replication; return the summary (see the module doc)."""
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise ValueError(f"policy: unknown {', '.join(unknown)} (policies: {', '.join(POLICIES)})")
    if replications < 1:
        raise ValueError(f"replications: must be at least 1, got {replications}")
    began = time.perf_counter()
    per_run: list[dict[str, Any]] = []
    days: list[Day] = []
    with _Outputs(out) as outputs:
        for i in range(replications):
            day = with_hours(draw(seed + i), hours)
            days.append(day)
            runs = [_run_one(day, name, progress) for name in policies]
            found = {run.policy: kpis(day, run) for run in runs}
            outputs.take(day, runs, found, first=i == 0)
            per_run.append({"seed": day.seed, "policies": found})
    summary = {name: summarise([r["policies"][name] for r in per_run]) for name in policies}
    result: dict[str, Any] = {
        "scenario": days[0].scenario, "seed": seed, "sim_hours": round(days[0].horizon_min / 60.0, 3),
        "wall_s": round(time.perf_counter() - began, 3),
        "policies": {name: {k: summary[name][k]["mean"] for k in SUMMARY_KEYS} for name in policies},
    }
    if replications == 1:  # one run: its own values (whole numbers stay whole)
        result["policies"] = {name: {k: per_run[0]["policies"][name][k] for k in SUMMARY_KEYS} for name in policies}
    else:
        result["replications"] = replications
        result["intervals"] = {
            name: {k: [summary[name][k]["lo"], summary[name][k]["hi"]] for k in SUMMARY_KEYS} for name in policies
        }
    if out is not None:
        full = {**result, "runs": per_run, "summary": summary}
        (out / "kpis.json").write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")
    return result


class _Outputs:
    """``pallets.csv`` and ``report.html`` in ``out`` (``None``: nothing written)."""

    def __init__(self, out: Path | None) -> None:
        self.out = out
        self._file: TextIO | None = None
        self._writer: Any = None

    def __enter__(self) -> _Outputs:
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
            self._file = (self.out / "pallets.csv").open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._file)
            self._writer.writerow(PALLET_COLUMNS)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    def take(self, day: Day, runs: Sequence[PolicyRun], found: Mapping[str, Kpis], *, first: bool) -> None:
        if self.out is None:
            return
        for run in runs:
            for rec in run.pallets:
                self._writer.writerow((day.seed, run.policy, *dataclasses.astuple(rec)))
        if first:
            write_report(self.out / "report.html", day, runs, found)


def _run_one(day: Day, name: str, progress: Progress | None) -> PolicyRun:
    began = time.perf_counter()
    if progress is not None:
        progress.start(f"{name} seed {day.seed}", day.horizon_min)
    run = run_day(day, POLICIES[name](), progress=progress.update if progress is not None else None)
    if progress is not None:
        progress.done(time.perf_counter() - began)
    return run

"""``xdock simulate``: a day or a week of a cross-dock in virtual time, under each policy asked for.

    xdock simulate SCENARIO [--policy P ...] [--seed N] [--replications K] [--out DIR] [--hours H]

SCENARIO is a scenario file or the name of a shipped one. Every policy runs on the same Day drawn from
the scenario and the seed (common random numbers); ``--replications K`` runs seeds N to N+K-1 and gives
each KPI's mean and 95 % interval. Progress goes to stderr; the last stdout line is one JSON object
(see :mod:`xdock.simulation.runner`). ``--out DIR`` gets ``kpis.json``, ``pallets.csv`` and ``report.html``.
At the default log level the site core's warnings (one per trailer departing) are left out.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xdock.cli._common import fail
from xdock.simulation.model import Day
from xdock.simulation.runner import POLICIES, Progress, simulate
from xdock.simulation.scenario import load_scenario, shipped_scenarios

__all__ = ["register", "run"]


def register(commands: Any) -> None:
    p: argparse.ArgumentParser = commands.add_parser(
        "simulate", help="run a site day or week in virtual time under each policy; KPIs side by side",
        description="Run a scenario in virtual time through central's decision code, under each policy on the "
                    "same random streams; KPIs as JSON (last stdout line), kpis.json, pallets.csv, report.html.",
    )
    p.add_argument("scenario", metavar="SCENARIO",
                   help=f"a scenario file, or the name of a shipped one: {', '.join(shipped_scenarios())}")
    p.add_argument("--policy", action="append", choices=list(POLICIES), metavar="P",
                   help=f"a policy to run (repeat; default: all of {', '.join(POLICIES)})")
    p.add_argument("--seed", type=int, default=0, help="the seed of the first replication (default: %(default)s)")
    p.add_argument("--replications", type=int, default=1, metavar="K",
                   help="seeds SEED..SEED+K-1; KPIs as mean and 95%% interval (default: %(default)s)")
    p.add_argument("--out", type=Path, metavar="DIR", help="folder for kpis.json, pallets.csv and report.html")
    p.add_argument("--hours", type=float, metavar="H",
                   help="run only the first H hours of the scenario (what lies beyond is left out)")
    p.set_defaults(run=run)


def _named(scenario: str, message: str) -> str:
    """``simulate SCENARIO: message``, once: a scenario file's errors start with its path already."""
    return f"simulate {message}" if message.startswith(f"{scenario}:") else f"simulate {scenario}: {message}"


def scenario_days(name_or_path: str, hours: float | None = None) -> Callable[[int], Day]:
    """The scenario's Day for a seed (:func:`~xdock.simulation.scenario.load_scenario`), over its first
    ``hours`` hours if given (what lies beyond is left out when drawn)."""
    scenario = load_scenario(name_or_path)
    return (scenario if hours is None else scenario.with_horizon(hours)).draw


def run(args: argparse.Namespace, *, days: Callable[[int], Day] | None = None) -> int:
    policies = list(dict.fromkeys(args.policy or POLICIES))
    if getattr(args, "log_level", "WARNING") == "WARNING":
        # The site core warns of each supervisor's command (every trailer departing is one): thousands a day.
        logging.getLogger("xdock.central").setLevel(logging.ERROR)
    try:
        if days is None:
            draw, hours = scenario_days(args.scenario, args.hours), None
        else:
            draw, hours = days, args.hours
        result = simulate(draw, policies, seed=args.seed, replications=args.replications, out=args.out,
                          hours=hours, progress=Progress(sys.stderr))
    except ValueError as exc:  # a scenario or a Day refused, naming the field (and the file)
        return fail(_named(args.scenario, str(exc)))
    except OSError as exc:
        return fail(_named(args.scenario, str(exc)))
    print(json.dumps(result, separators=(",", ":")), flush=True)
    return 0

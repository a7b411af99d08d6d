"""``xdock simulate``: the last stdout line, kpis.json, pallets.csv, report.html and progress on stderr."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.simulation.days import small_day, two_door_day

from xdock.cli import build_parser
from xdock.cli.simulate_cmd import run
from xdock.simulation.kpis import SUMMARY_KEYS
from xdock.simulation.runner import Progress, simulate


def _args(*argv: str) -> object:
    return build_parser("simulate").parse_args(["simulate", *argv])


def test_the_last_stdout_line_is_the_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = run(_args("two-door", "--policy", "fcfs", "--out", str(out)), days=lambda seed: two_door_day())  # type: ignore[arg-type]
    assert code == 0
    captured = capsys.readouterr()
    last = json.loads(captured.out.strip().splitlines()[-1])
    assert list(last) == ["scenario", "seed", "sim_hours", "wall_s", "policies"]
    assert (last["scenario"], last["seed"], last["sim_hours"]) == ("two-door", 0, 4.0)
    fcfs = last["policies"]["fcfs"]
    assert list(fcfs) == list(SUMMARY_KEYS)
    # The hand-checked two-door day (tests/simulation/test_engine.py).
    assert (fcfs["pallets"], fcfs["late_pallets"], fcfs["late_departures"], fcfs["forklift_km"]) == (6, 2, 1, 0.24)
    assert (fcfs["staging_peak"], fcfs["co2e_kg"], fcfs["unaccounted"]) == (2, 20.024, 0)
    assert "fcfs seed 0: 4/4 site h (100%)" in captured.err  # not a terminal: a line per 10 %
    rows = list(csv.DictReader((out / "pallets.csv").open(encoding="utf-8")))
    assert len(rows) == 6
    assert rows[0]["policy"] == "fcfs"
    assert {r["outcome"] for r in rows} == {"loaded", "late", "on_site"}
    full = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert full["runs"][0]["policies"]["fcfs"]["rehandles"] == 1
    assert full["summary"]["fcfs"]["pallets"] == {"mean": 6.0, "lo": 6.0, "hi": 6.0}
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_replications_give_means_and_intervals_over_seeds(tmp_path: Path) -> None:
    result = simulate(lambda seed: small_day(seed, trucks=4), ["fcfs", "xdock"], seed=3, replications=3,
                      hours=5)
    assert result["sim_hours"] == 5.0
    assert result["replications"] == 3
    for name in ("fcfs", "xdock"):
        pallets = result["policies"][name]["pallets"]
        assert pallets == 40.0  # 4 trucks of 10 pallets each seed
        assert result["intervals"][name]["pallets"] == [40.0, 40.0]
        lo, hi = result["intervals"][name]["forklift_km"]
        assert lo <= result["policies"][name]["forklift_km"] <= hi


def test_progress_updates_in_place_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress.start("xdock seed 1", 120.0)
    progress.update(60.0)
    progress.done(0.5)
    assert stream.getvalue() == ("\rxdock seed 1: 0/2 site h (0%)\x1b[K\rxdock seed 1: 1/2 site h (50%)\x1b[K"
                                 "\rxdock seed 1: 2/2 site h (100%)\x1b[K 0.5 s\n")


def test_an_unknown_policy_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^policy: unknown greedy \(policies: fcfs, xdock, xdock\+replan\)"):
        simulate(lambda seed: two_door_day(), ["greedy"])


def test_a_shipped_scenario_runs_from_the_command_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xdock", "simulate", "torbali-ll", "--hours", "3", "--seed", "5", "--policy", "fcfs",
         "--policy", "xdock"], capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert (last["scenario"], last["seed"], last["sim_hours"]) == ("torbali-ll", 5, 3.0)
    assert list(last["policies"]) == ["fcfs", "xdock"]
    for kpis in last["policies"].values():
        assert list(kpis) == list(SUMMARY_KEYS)
        assert kpis["unaccounted"] == 0
        assert kpis["pallets"] > 0
    assert "xdock seed 5: done in" in result.stderr


def test_an_unknown_scenario_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_args("no-such-scenario")) == 2  # type: ignore[arg-type]
    assert "no-such-scenario" in capsys.readouterr().err


def test_a_bad_scenario_file_is_named_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "typo.yaml"
    bad.write_text('name: t\nstart: "2026-01-05 08:00"\nhorizon_hours: 2\nforklifs: {count: 12}\n', encoding="utf-8")
    assert run(_args(str(bad))) == 2  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert err.startswith(f"xdock: error: simulate {bad}: ")
    assert err.count(str(bad)) == 1
    assert "forklifs: Extra inputs are not permitted (got {'count': 12})" in err

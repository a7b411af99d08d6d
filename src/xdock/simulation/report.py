"""The run's report: one self-contained HTML page a site manager reads, with its pictures embedded.

:func:`write_report` takes the :class:`~xdock.simulation.model.Day` that was run, each policy's
:class:`~xdock.simulation.model.PolicyRun` and its KPIs, and writes ``report.html``:

- the KPIs of every policy side by side, the best of each row in bold;
- pallets loaded per hour of site time, one line per policy;
- a door Gantt chart per policy (inbound doors: trucks unloading; outbound doors: trailers loading);
- pallets in staging over time, one line per policy;
- the dock-to-dock minutes of loaded pallets, one histogram per policy.

The plots are PNG images drawn with matplotlib's object API (a :class:`~matplotlib.figure.Figure` per plot,
no pyplot state, no display) and embedded as ``data:`` URIs, so the file can be mailed or archived alone.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from xdock.simulation.model import Day, PolicyRun

__all__ = ["KPI_ROWS", "Kpis", "floor_order", "render_report", "write_report"]

Kpis = Mapping[str, float | int | None]
"""One policy's KPIs by name."""

KPI_ROWS: tuple[tuple[str, str, bool | None], ...] = (
    ("pallets", "pallets handled", None),
    ("late_pallets", "late pallets", False),
    ("late_unavoidable", "… of which no trailer could take in time", None),
    ("late_departures", "trailers departed late", False),
    ("dock_to_dock_p50_min", "dock-to-dock p50 (min)", False),
    ("dock_to_dock_p90_min", "dock-to-dock p90 (min)", False),
    ("dock_to_dock_max_min", "dock-to-dock max (min)", False),
    ("truck_wait_p50_min", "truck wait for a door p50 (min)", False),
    ("truck_wait_p90_min", "truck wait for a door p90 (min)", False),
    ("door_utilisation", "door utilisation", None),
    ("forklift_km", "forklift km", False),
    ("forklift_busy_share", "forklift busy share", None),
    ("rehandles", "re-handles", False),
    ("trailer_fill", "trailer fill at departure", True),
    ("staging_peak", "staging peak (pallets)", False),
    ("cold_chain_min_out", "cold-chain minutes out of range", False),
    ("co2e_kg", "CO2e (kg)", False),
    ("unaccounted", "unaccounted pallets", False),
)
"""(KPI key, row label, whether more is better: ``True``, ``False``, ``None`` for neither)."""

_COLOURS = ("#1f5f9e", "#c8651b", "#2e8540", "#8e44ad", "#b03a2e")


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def floor_order(name: str) -> tuple[str, int, str]:
    """Door names in their floor order: D2 before D10."""
    head = name.rstrip("0123456789")
    digits = name[len(head):]
    return head, int(digits) if digits else -1, name


def _hours(day: Day) -> int:
    return max(1, int(-(-day.horizon_min // 60)))


def throughput_plot(day: Day, runs: Sequence[PolicyRun]) -> str:
    """Pallets loaded per hour of site time, a line per policy."""
    hours = _hours(day)
    fig = Figure(figsize=(9, 3.2))
    ax = fig.subplots()
    for i, run in enumerate(runs):
        per_hour = [0] * hours
        for p in run.pallets:
            if p.loaded_min is not None and p.loaded_min < hours * 60:
                per_hour[int(p.loaded_min // 60)] += 1
        ax.plot(range(hours), per_hour, label=run.policy, color=_COLOURS[i % len(_COLOURS)], linewidth=1.6)
    ax.set_xlabel("hour of the run")
    ax.set_ylabel("pallets loaded")
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def gantt_plot(day: Day, run: PolicyRun, *, max_doors: int = 40) -> str:
    """Which vehicle occupied which door when (the first ``max_doors`` doors used, by name)."""
    doors = sorted({s.door for s in run.door_spans}, key=floor_order)[:max_doors]
    row = {door: i for i, door in enumerate(doors)}
    fig = Figure(figsize=(9, max(2.0, 0.22 * len(doors) + 1.0)))
    ax = fig.subplots()
    for span in run.door_spans:
        if span.door not in row:
            continue
        colour = "#1f5f9e" if span.kind == "inbound" else "#c8651b"
        ax.broken_barh([(span.start_min / 60, max(span.end_min - span.start_min, 0.5) / 60)],
                       (row[span.door] - 0.4, 0.8), facecolors=colour)
    ax.set_yticks(range(len(doors)), doors, fontsize=7)
    ax.set_xlim(0, day.horizon_min / 60)
    ax.set_xlabel("hour of the run (blue: truck unloading, orange: trailer loading)")
    ax.set_title(f"doors — {run.policy}", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def staging_plot(day: Day, runs: Sequence[PolicyRun]) -> str:
    """Pallets in staging over time, a step line per policy."""
    fig = Figure(figsize=(9, 3.2))
    ax = fig.subplots()
    for i, run in enumerate(runs):
        points = [(0.0, 0), *run.staging, (day.horizon_min, run.staging[-1][1] if run.staging else 0)]
        ax.step([t / 60 for t, _ in points], [n for _, n in points], where="post", label=run.policy,
                color=_COLOURS[i % len(_COLOURS)], linewidth=1.4)
    ax.set_xlabel("hour of the run")
    ax.set_ylabel("pallets in staging")
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def dock_to_dock_plot(runs: Sequence[PolicyRun]) -> str:
    """Minutes from a pallet's scan at the inbound door to aboard its trailer (loaded pallets only, as the
    KPI counts them), up to the 99th percentile of all runs; the pallets beyond are said in the title."""
    fig = Figure(figsize=(9, 3.2))
    ax = fig.subplots()
    per_run = [
        [p.loaded_min - p.unloaded_min for p in run.pallets if p.loaded_min is not None and p.unloaded_min is not None]
        for run in runs
    ]
    every = sorted(m for minutes in per_run for m in minutes)
    top = every[min(len(every) - 1, int(0.99 * len(every)))] if every else 1.0
    top = max(top, 1.0)
    beyond = []
    for i, (run, minutes) in enumerate(zip(runs, per_run, strict=True)):
        shown = [m for m in minutes if m <= top]
        beyond.append(f"{run.policy} {len(minutes) - len(shown):,}")
        if shown:
            ax.hist(shown, bins=40, range=(0.0, top), alpha=0.55, label=run.policy, color=_COLOURS[i % len(_COLOURS)])
    ax.set_title(f"beyond {top:.0f} min (not drawn): {', '.join(beyond)}", fontsize=9)
    ax.set_xlabel("dock-to-dock minutes (scanned at the inbound door → aboard)")
    ax.set_ylabel("pallets")
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def _cell(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"


def kpi_table(kpis: Mapping[str, Kpis]) -> str:
    """The KPIs side by side; the best value of a row is bold where more or less is better."""
    names = list(kpis)
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = []
    for key, label, more_is_better in KPI_ROWS:
        values = [kpis[n].get(key) for n in names]
        known = [v for v in values if v is not None]
        best = None
        if more_is_better is not None and len(known) > 1 and len(set(known)) > 1:
            best = max(known) if more_is_better else min(known)
        cells = "".join(
            f"<td><b>{_cell(v)}</b></td>" if v is not None and v == best else f"<td>{_cell(v)}</td>" for v in values
        )
        rows.append(f"<tr><th scope='row'>{html.escape(label)}</th>{cells}</tr>")
    return f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .8rem; text-align: right; }
thead th { border-bottom: 2px solid #888; }
tbody th { text-align: left; font-weight: normal; }
img { max-width: 100%; }
.facts { color: #555; }
"""


def render_report(day: Day, runs: Sequence[PolicyRun], kpis: Mapping[str, Kpis]) -> str:
    """The report's HTML text (see the module docstring)."""
    title = f"xdock simulation — {day.scenario}, seed {day.seed}"
    facts = (
        f"{day.site.site}: {len(day.site.doors)} doors, {day.pallet_count:,} pallets on {len(day.trucks):,} inbound "
        f"trucks, {len(day.trailers):,} outbound trailers, {day.fleet.forklifts} forklifts, "
        f"{day.horizon_min / 60:g} h from {day.start.isoformat(timespec='minutes')}. CO2e factors: "
        f"{day.co2.kg_per_forklift_km:g} kg per forklift km, {day.co2.kg_per_trailer_departure:g} kg per trailer "
        f"departure."
    )
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
        f"<p class='facts'>{html.escape(facts)}</p>",
        "<h2>KPIs</h2>", kpi_table(kpis),
        "<h2>Pallets loaded per hour</h2>", f"<img alt='pallets loaded per hour' src='{throughput_plot(day, runs)}'>",
        "<h2>Staging occupancy</h2>", f"<img alt='pallets in staging over time' src='{staging_plot(day, runs)}'>",
        "<h2>Dock-to-dock time</h2>", f"<img alt='dock-to-dock histogram' src='{dock_to_dock_plot(runs)}'>",
        "<h2>Doors</h2>",
    ]
    parts += [f"<img alt='door Gantt chart, {html.escape(r.policy)}' src='{gantt_plot(day, r)}'>" for r in runs]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(path: Path, day: Day, runs: Sequence[PolicyRun], kpis: Mapping[str, Kpis]) -> Path:
    """Write ``report.html`` at ``path``; returns ``path``."""
    path.write_text(render_report(day, runs, kpis), encoding="utf-8")
    return path

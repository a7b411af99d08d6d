"""The KPIs of one policy's run, computed from its records only (:class:`~xdock.simulation.model.PolicyRun`).

Definitions (times in minutes, distances in km):

- ``pallets``: pallets of the trucks that arrived before the horizon; ``late_pallets``: those ``late``;
  ``on_site``: those still on site and not yet due; ``unaccounted``: those none of loaded, late, on site (0).
- ``late_unavoidable``: pallets due before the horizon for which no trailer of the Day fitting them (their
  destination, a reefer for chilled and frozen, one accepting dangerous goods for those) is scheduled to
  leave between their truck's arrival and their due minute: late whatever the policy (the same for every
  policy of a Day), the floor under ``late_pallets``.
- ``late_departures``: trailers that left after their scheduled minute.
- ``dock_to_dock_*``: from a pallet's unloading (its scan at the inbound door) to its loading aboard a
  trailer, over the pallets loaded (nearest-rank percentiles).
- ``truck_wait_*``: from a truck's arrival in the yard to its inbound door, over the trucks given one.
- ``door_utilisation``: minutes doors were held by a truck or a trailer, over doors × horizon.
- ``forklift_km``: loaded travel; ``forklift_busy_share``: forklift minutes busy over forklifts × horizon.
- ``trailer_fill``: pallets aboard over capacity at departure, averaged over the trailers that left.
- ``staging_peak``: most pallets in staging at once; ``rehandles``: forklift trips beyond one per pallet
  (a trip through staging is one, a pallet carried again after its trailer left another).
- ``cold_chain_min_out``: minutes chilled and frozen pallets spent where their temperature is not kept.
- ``co2e_kg``: ``forklift_km × co2.kg_per_forklift_km + departures × co2.kg_per_trailer_departure``.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Mapping, Sequence

from xdock.simulation.engine import conservation
from xdock.simulation.model import Day, PolicyRun

__all__ = ["SUMMARY_KEYS", "kpis", "late_unavoidable", "summarise"]

SUMMARY_KEYS = (
    "pallets", "late_pallets", "late_departures", "dock_to_dock_p50_min", "dock_to_dock_p90_min",
    "truck_wait_p90_min", "door_utilisation", "forklift_km", "trailer_fill", "staging_peak", "co2e_kg",
    "unaccounted",
)
"""The KPIs of the last stdout line of ``xdock simulate``, per policy."""

_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042)
"""Student's t, two-sided 95 %, for 1 to 30 degrees of freedom (1.96 beyond)."""


def _pct(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank ``q``-th percentile, ``None`` of no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def kpis(day: Day, run: PolicyRun) -> dict[str, float | int | None]:
    """Every KPI of ``run`` (see the module doc); ``None`` where there is nothing to measure."""
    horizon = day.horizon_min
    pallets = run.pallets
    dock = [p.loaded_min - p.unloaded_min for p in pallets if p.loaded_min is not None and p.unloaded_min is not None]
    held = sum(s.end_min - s.start_min for s in run.door_spans)
    km = run.forklift_m / 1000.0
    fills = [d.pallets / d.capacity for d in run.departures]
    return {
        "pallets": len(pallets),
        "loaded": sum(p.outcome == "loaded" for p in pallets),
        "late_pallets": sum(p.outcome == "late" for p in pallets),
        "late_unavoidable": late_unavoidable(day),
        "on_site": sum(p.outcome == "on_site" for p in pallets),
        "departures": len(run.departures),
        "late_departures": sum(d.late for d in run.departures),
        "dock_to_dock_p50_min": _round(_pct(dock, 50)),
        "dock_to_dock_p90_min": _round(_pct(dock, 90)),
        "dock_to_dock_max_min": _round(max(dock, default=None)),
        "truck_wait_p50_min": _round(_pct(run.truck_waits_min, 50)),
        "truck_wait_p90_min": _round(_pct(run.truck_waits_min, 90)),
        "door_utilisation": round(held / (len(day.site.doors) * horizon), 4) if horizon > 0 else None,
        "forklift_km": round(km, 3),
        "forklift_busy_share": round(run.forklift_busy_min / (day.fleet.forklifts * horizon), 4) if horizon else None,
        "trailer_fill": round(statistics.fmean(fills), 4) if fills else None,
        "staging_peak": max((n for _, n in run.staging), default=0),
        "rehandles": sum(max(0, p.handles - 1) for p in pallets),
        "cold_chain_min_out": round(run.cold_chain_min_out, 2),
        "co2e_kg": round(km * day.co2.kg_per_forklift_km + len(run.departures) * day.co2.kg_per_trailer_departure, 3),
        "unaccounted": conservation(day, run),
    }


def late_unavoidable(day: Day) -> int:
    """Pallets no policy can deliver on time (see ``late_unavoidable`` in the module doc)."""
    by_kind: dict[tuple[str, bool, bool], list[float]] = {}
    for t in day.trailers:
        for cold in (False, True):
            for dangerous in (False, True):
                if (t.reefer or not cold) and (t.accepts_hazmat or not dangerous):
                    by_kind.setdefault((t.destination, cold, dangerous), []).append(t.departure_min)
    for departures in by_kind.values():
        departures.sort()
    count = 0
    for truck in day.trucks:
        if truck.arrival_min >= day.horizon_min:
            continue
        for p in truck.pallets:
            if p.due_min >= day.horizon_min:
                continue
            departures = by_kind.get((p.destination, p.temp != "ambient", p.dangerous is not None), [])
            i = bisect.bisect_left(departures, truck.arrival_min)
            if i == len(departures) or departures[i] > p.due_min:
                count += 1
    return count


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarise(runs: Sequence[Mapping[str, float | int | None]]) -> dict[str, dict[str, float | None]]:
    """Per KPI over replications: ``mean`` and the 95 % interval of the mean (Student's t), ``lo``/``hi``
    (equal to the mean for one replication); replications where a KPI is ``None`` are left out of it."""
    out: dict[str, dict[str, float | None]] = {}
    for key in runs[0] if runs else ():
        values = [float(v) for r in runs if (v := r.get(key)) is not None]
        if not values:
            out[key] = {"mean": None, "lo": None, "hi": None}
            continue
        mean = statistics.fmean(values)
        half = 0.0
        if len(values) > 1:
            t = _T95[len(values) - 2] if len(values) - 1 <= len(_T95) else 1.96
            half = t * statistics.stdev(values) / math.sqrt(len(values))
        out[key] = {"mean": round(mean, 4), "lo": round(mean - half, 4), "hi": round(mean + half, 4)}
    return out

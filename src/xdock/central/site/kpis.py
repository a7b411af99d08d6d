"""The supervisor's KPIs, computed from the live state alone (pure: data in, figures out).

What each figure means:

- **pallets/hour**: pallets whose first scan fell in the last hour; the shift series gives the same
  rate per ``bucket_minutes`` bucket from the shift's first scan (or ``now`` when none yet) to now.
- **dock-to-dock p50/p90** (minutes): from a pallet's first scan to its load confirmation at the
  outbound door. While no pallet was confirmed loaded yet, from first scan to its assignment to a
  trailer (``basis`` says which); pallets not yet there do not count.
- **door utilisation**: the share of outbound doors with a trailer being loaded (not departed, at
  least one pallet assigned).
- **travel metres**: rectilinear metres from each routed pallet's inbound door to where it was sent
  (its trailer's door, or its staging/breakdown area), summed.
- **wrong-door scans stopped**: load confirmations a worker scanned at the wrong door, refused (STOP on
  the handheld) before the pallet went on: the mis-loads prevented.
- **mis-loads at portals**: pallets an RFID portal saw going out through a wrong door, once per pallet
  and door (each one a ``misload`` alert): they went out, so they were not prevented.
- **loaded**: pallets confirmed loaded (by handheld scan or RFID portal) whose row is ``loaded`` now.
- **on-time departures**: of the trailers a supervisor marked departed today (the date of ``now``),
  the share whose departure override came at or before the trailer's scheduled departure; the others
  are the **late departures**.
- **late pallets**: pallets that missed their trailer: assigned to a trailer marked departed today and
  not confirmed aboard when it left (each one is sent elsewhere; counted once per departure). Central
  knows no due times, so a pallet that makes a later trailer in time counts too.
- **truck waits** (minutes): an inbound truck waits from its ETA, or its announcement when that came
  later, until it is at a door. ``truck_wait_p90_min``: of the trucks at a door today, nearest rank
  (``None`` while none); ``trucks_waiting``: trucks announced, past that start and at no door yet;
  ``longest_wait_min``: the longest of their waits so far (``None`` while none waits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from xdock.central.optimiser.schema import metres
from xdock.central.site.state import TrailerState
from xdock.central.store.database import InboundTruckRow, PalletRow

__all__ = ["Kpis", "OnTime", "TruckWaits", "compute_kpis", "on_time_departures", "percentile", "truck_waits"]

_MAX_BUCKETS = 48


@dataclass(frozen=True)
class OnTime:
    """Trailers marked departed today, and how many of them left at or before their departure."""

    on_time: int
    departed: int

    @property
    def share(self) -> float | None:
        """0 to 1; ``None`` while no trailer departed today."""
        return self.on_time / self.departed if self.departed else None


@dataclass(frozen=True)
class TruckWaits:
    """Inbound trucks' waits for a door (see the module doc), in minutes."""

    p90_min: float | None
    """Of the trucks at a door today, nearest rank; ``None`` while none."""
    waiting: int
    """Trucks past their ETA (or announcement) and at no door yet."""
    longest_min: float | None
    """The longest wait so far of those waiting; ``None`` while none waits."""


@dataclass(frozen=True)
class Kpis:
    pallets_per_hour: int
    series: tuple[float, ...]
    """Pallets/hour in each bucket of the shift so far, oldest first (the last one is running)."""
    series_start: datetime
    bucket_minutes: int
    dock_to_dock_p50_min: float | None
    dock_to_dock_p90_min: float | None
    dock_to_dock_basis: Literal["loaded", "assigned"] | None
    dock_to_dock_count: int
    door_utilisation: float
    """0 to 1."""
    busy_doors: int
    outbound_doors: int
    travel_m: float
    wrong_door_scans_stopped: int
    """Load confirmations scanned at the wrong door and refused (mis-loads prevented)."""
    portal_misloads: int
    """Pallets an RFID portal saw going out through a wrong door, once per pallet and door."""
    loaded: int
    departed_on_time: int = 0
    """Trailers marked departed today at or before their scheduled departure."""
    departed_today: int = 0
    """Trailers marked departed today."""
    on_time_departures: float | None = None
    """``departed_on_time / departed_today`` (0 to 1), ``None`` while none departed today."""
    late_departures: int = 0
    """Trailers marked departed today after their scheduled departure."""
    late_pallets: int = 0
    """Pallets assigned to a trailer marked departed today and not aboard when it left."""
    truck_wait_p90_min: float | None = None
    """Of the inbound trucks at a door today, the wait for it (nearest-rank p90); ``None`` while none."""
    trucks_waiting: int = 0
    """Inbound trucks past their ETA (or announcement) and at no door yet."""
    longest_wait_min: float | None = None
    """The longest wait so far of the trucks waiting; ``None`` while none waits."""


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of non-empty ``values``, nearest-rank."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def on_time_departures(
    trailers: Iterable[TrailerState], departed_at: Mapping[str, datetime], now: datetime,
) -> OnTime:
    """Of the trailers marked departed on ``now``'s date (``departed_at``: trailer id → when its
    departure override was made), how many left at or before their scheduled departure."""
    today = now.date()
    on_time = departed = 0
    for t in trailers:
        at = departed_at.get(t.plan.id)
        if at is None or at.astimezone(now.tzinfo).date() != today:
            continue
        departed += 1
        if at <= t.departure:
            on_time += 1
    return OnTime(on_time, departed)


def truck_waits(trucks: Iterable[InboundTruckRow], now: datetime) -> TruckWaits:
    """The waits of ``trucks`` at ``now``: a truck waits from its ETA, or its announcement if later, until it is
    at a door (a truck at its door before its ETA waited 0 minutes)."""
    today = now.date()
    done: list[float] = []
    waiting: list[float] = []
    for t in trucks:
        since = max(t.eta, t.announced_at)
        if t.arrived_at is not None:
            if t.arrived_at.astimezone(now.tzinfo).date() == today:
                done.append(max(0.0, (t.arrived_at - since).total_seconds() / 60))
        elif t.state == "waiting" and since <= now:
            waiting.append((now - since).total_seconds() / 60)
    return TruckWaits(
        p90_min=round(percentile(done, 90), 1) if done else None, waiting=len(waiting),
        longest_min=round(max(waiting), 1) if waiting else None,
    )


def compute_kpis(
    pallets: Iterable[PalletRow],
    trailers: Iterable[TrailerState],
    *,
    outbound_doors: Iterable[str],
    positions: Mapping[str, tuple[float, float]],
    loaded: Mapping[str, datetime],
    wrong_door_scans_stopped: int,
    portal_misloads: int,
    now: datetime,
    departed_at: Mapping[str, datetime] | None = None,
    left_behind: Mapping[str, int] | None = None,
    trucks: Iterable[InboundTruckRow] = (),
    bucket_minutes: int = 15,
) -> Kpis:
    """The KPIs of the floor as it is at ``now``.

    ``positions`` maps door and area ids to their floor-plan position; ``loaded`` maps each SSCC
    confirmed loaded to when;
    ``departed_at`` maps each trailer a supervisor marked departed to when, ``left_behind`` to how many
    pallets assigned to it were not aboard then; ``trucks``: the inbound trucks announced.
    """
    rows = list(pallets)
    trailers = list(trailers)
    hour_ago = now - timedelta(hours=1)
    per_hour = sum(1 for r in rows if hour_ago < r.first_seen <= now)

    bucket = timedelta(minutes=bucket_minutes)
    first = min((r.first_seen for r in rows), default=now)
    start = max(first, now - bucket * _MAX_BUCKETS)
    start = start.replace(minute=start.minute - start.minute % bucket_minutes, second=0, microsecond=0)
    buckets = max(1, math.ceil((now - start) / bucket)) if now > start else 1
    counts = [0] * buckets
    for r in rows:
        if start <= r.first_seen <= now:
            counts[min(buckets - 1, int((r.first_seen - start) / bucket))] += 1
    series = tuple(c * 60 / bucket_minutes for c in counts)

    loaded_minutes = [
        (at - r.first_seen).total_seconds() / 60 for r in rows if (at := loaded.get(r.sscc)) is not None
    ]
    basis: Literal["loaded", "assigned"] | None = "loaded" if loaded_minutes else None
    minutes = loaded_minutes
    if not minutes:
        minutes = [(r.updated_at - r.first_seen).total_seconds() / 60 for r in rows if r.state == "assigned"]
        basis = "assigned" if minutes else None

    doors = set(outbound_doors)
    busy = {t.plan.door for t in trailers if not t.departed and t.pallets and t.plan.door in doors}

    travel = 0.0
    for r in rows:
        goal = r.door if r.state in ("assigned", "loaded") else r.target if r.state in ("staged", "breakdown") else None
        a, b = positions.get(r.inbound_door), positions.get(goal) if goal else None
        if a is not None and b is not None:
            travel += metres(a, b)

    departed_at = departed_at or {}
    on_time = on_time_departures(trailers, departed_at, now)
    today = now.date()
    late_pallets = sum(
        n for trailer, n in (left_behind or {}).items()
        if (at := departed_at.get(trailer)) is not None and at.astimezone(now.tzinfo).date() == today
    )
    waits = truck_waits(trucks, now)

    return Kpis(
        pallets_per_hour=per_hour, series=series, series_start=start, bucket_minutes=bucket_minutes,
        dock_to_dock_p50_min=round(percentile(minutes, 50), 1) if minutes else None,
        dock_to_dock_p90_min=round(percentile(minutes, 90), 1) if minutes else None,
        dock_to_dock_basis=basis, dock_to_dock_count=len(minutes),
        door_utilisation=len(busy) / len(doors) if doors else 0.0, busy_doors=len(busy), outbound_doors=len(doors),
        travel_m=round(travel, 1), wrong_door_scans_stopped=wrong_door_scans_stopped,
        portal_misloads=portal_misloads, loaded=len(loaded),
        departed_on_time=on_time.on_time, departed_today=on_time.departed,
        on_time_departures=None if on_time.share is None else round(on_time.share, 3),
        late_departures=on_time.departed - on_time.on_time, late_pallets=late_pallets,
        truck_wait_p90_min=waits.p90_min, trucks_waiting=waits.waiting, longest_wait_min=waits.longest_min,
    )

"""The demo's terminal view: counts, the day's departures and waits, trailer fill, the last warnings and scans.

On a terminal the frame is redrawn in place, with an Events box holding the last few warnings
(mis-loads, sensor alerts, devices offline; their full log goes to a file, see
:mod:`xdock.demo.logs`); otherwise (a log, a pipe) each scan is printed as a line, log lines go
to stderr as they come, and a summary is printed at the end.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Final

from xdock.central.site.kpis import Kpis
from xdock.central.site.state import SiteState
from xdock.demo.logs import DemoEvent
from xdock.simulators.worker import Answer

__all__ = [
    "ALERTS_NAMED", "DEPARTURES_SHOWN", "EVENTS_SHOWN", "DemoLog", "DeviceTally", "ScanRecord", "render_day",
    "render_events", "render_frame", "render_line", "render_summary",
]

EVENTS_SHOWN: Final = 5
"""How many of the last warnings the Events box shows."""
ALERTS_NAMED: Final = 5
"""How many open sensor alerts the summary names (a busy day has hundreds of dwelling pallets)."""
DEPARTURES_SHOWN: Final = 4
"""How many of the latest departures the frame lists."""
EVENTS_WIDTH: Final = 100
"""The Events box's width in columns, borders included."""


@dataclass(frozen=True)
class ScanRecord:
    at: datetime
    door: str
    label_kind: str
    sscc: str | None
    answer: Answer

    @property
    def outcome(self) -> str:
        if not self.answer.answered:
            return "no answer"
        return "assigned" if self.answer.beep == "good" else "refused"


@dataclass(frozen=True)
class DeviceTally:
    """What the RFID portals and the dock sensors did so far (see :func:`xdock.demo.tally.tally`)."""

    rfid_loaded: int
    """Pallets central confirmed loaded from a door passage."""
    misloads: int
    """Door passages central judged a mis-load."""
    stops_shown: int
    """STOPs the portal edges showed on their door displays."""
    sensor_readings: int
    """Sensor readings central applied."""
    sensor_alerts: tuple[str, ...]
    """Open sensor alerts, ``kind subject``."""
    misload_alerts: tuple[str, ...] = ()
    """Open mis-load alerts' subjects, ``sscc@door``."""
    latest: tuple[tuple[str, str], ...] = ()
    """Each sensor's latest value with its unit, by sensor id."""
    loaded_pallets: tuple[str, ...] = ()
    """Pallets central has loaded aboard a trailer at a portal door."""
    carried: tuple[tuple[str, str], ...] = ()
    """``(sscc, door)`` of the pallets the forklifts took through their portal."""
    wrong_door: tuple[tuple[str, str], ...] = ()
    """``(sscc, door)`` of the pallets taken through a neighbouring portal first."""
    stop_texts: tuple[str, ...] = ()
    """``door: text`` of each STOP a door display showed."""


@dataclass
class DemoLog:
    recent: deque[ScanRecord] = field(default_factory=lambda: deque(maxlen=10))
    counts: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    scans: int = 0
    devices: DeviceTally | None = None
    """The devices' counts, when the demo runs RFID portals and sensors."""
    events: deque[DemoEvent] = field(default_factory=lambda: deque(maxlen=EVENTS_SHOWN))
    """The last warnings and errors logged (live screen only), oldest first."""
    day: list[str] = field(default_factory=list)
    """The day's lines (:func:`render_day`) as last read from central."""

    def add(self, record: ScanRecord) -> None:
        self.scans += 1
        self.recent.append(record)
        self.counts[record.outcome] += 1
        if record.answer.answered:
            self.latencies_ms.append(record.answer.ms)


def _bar(loaded: int, capacity: int, width: int = 20) -> str:
    filled = round(width * loaded / capacity) if capacity else 0
    return "█" * filled + "·" * (width - filled)


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def render_line(record: ScanRecord, tz_now: datetime) -> str:
    answer = record.answer
    text = answer.text if answer.text is not None else "(no answer)"
    mark = {"good": "✓", "error": "✗"}.get(answer.beep or "", "…")
    sscc = record.sscc or "-" * 18
    return f"{tz_now:%H:%M}  {record.door:<4} {sscc}  {mark} {text:<36} {answer.ms:6.1f} ms"


def render_summary(log: DemoLog) -> str:
    c = log.counts
    scans = (
        f"scans {log.scans}  assigned {c['assigned']}  refused {c['refused']}  no answer {c['no answer']}  "
        f"answer p50 {_p(log.latencies_ms, 0.5):.1f} ms  p99 {_p(log.latencies_ms, 0.99):.1f} ms"
    )
    d = log.devices
    if d is None:
        return scans
    named = list(d.sensor_alerts[:ALERTS_NAMED])
    if len(d.sensor_alerts) > ALERTS_NAMED:
        named.append(f"and {len(d.sensor_alerts) - ALERTS_NAMED} more")
    alerts = f": {', '.join(named)}" if named else ""
    return (
        f"{scans}\nRFID loads {d.rfid_loaded}  misloads {d.misloads}  STOP shown {d.stops_shown}  "
        f"sensor readings {d.sensor_readings}  sensor alerts {len(d.sensor_alerts)}{alerts}"
    )


def _sensor_lines(devices: DeviceTally, width: int = 110) -> list[str]:
    lines, line = [], ""
    for sensor, value in devices.latest:
        item = f"{sensor} {value}"
        if line and len(line) + len(item) + 3 > width:
            lines.append(line)
            line = ""
        line = f"{line} · {item}" if line else item
    return [*lines, line] if line else lines


def render_events(events: Iterable[DemoEvent], zone: tzinfo, width: int = EVENTS_WIDTH) -> list[str]:
    """The Events box: a line per event (site time, text cut to fit with ``…``), oldest first."""
    inner = width - 4
    rows = [f"{e.at.astimezone(zone):%H:%M:%S}  {e.text}" for e in events] or ["no warnings so far"]
    rows = [row if len(row) <= inner else row[: inner - 1] + "…" for row in rows]
    title = "─ Events "
    return [
        "┌" + title + "─" * (width - 2 - len(title)) + "┐",
        *(f"│ {row:<{inner}} │" for row in rows),
        "└" + "─" * (width - 2) + "┘",
    ]


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:g} min"


def render_day(
    kpis: Kpis, state: SiteState, departed_at: Mapping[str, datetime], zone: tzinfo,
    shown: int = DEPARTURES_SHOWN,
) -> list[str]:
    """The day so far, as central's KPIs say it: departures on time and late, pallets that missed their trailer,
    trucks' waits; then the latest departures (site time, on time or how late), newest first."""
    waiting = f" (longest {_minutes(kpis.longest_wait_min)})" if kpis.trucks_waiting else ""
    lines = [
        f"departures {kpis.departed_today}  on time {kpis.departed_on_time}  late {kpis.late_departures}  "
        f"late pallets {kpis.late_pallets}  truck wait p90 {_minutes(kpis.truck_wait_p90_min)}  "
        f"trucks waiting {kpis.trucks_waiting}{waiting}",
    ]
    latest = sorted(((at, tid) for tid, at in departed_at.items() if tid in state.trailers), reverse=True)[:shown]
    items = []
    for at, tid in latest:
        late = (at - state.trailers[tid].departure).total_seconds() / 60
        items.append(f"{tid} {at.astimezone(zone):%H:%M} " + (f"late {late:.0f} min" if late > 0 else "on time"))
    if items:
        lines.append("left: " + " · ".join(items))
    return lines


def render_frame(
    log: DemoLog, state: SiteState, now: datetime, api: str | None, log_file: Path | None = None,
    kpis: Kpis | None = None, departed_at: Mapping[str, datetime] | None = None,
) -> str:
    """The live screen: counts, the day (``kpis`` and ``departed_at``, when given), the trailers at their doors,
    sensors, the Events box (and where the full log is), the last scans."""
    lines = [
        f"xdock demo — site {state.config.site} — {now:%a %d %b %H:%M} site time"
        + (f" — API {api}" if api else ""),
        "",
        render_summary(log),
    ]
    if kpis is not None:
        lines += ["", *render_day(kpis, state, departed_at or {}, state.config.zone)]
    lines += ["", "trailer        door  destination   fill                   departs"]
    for t in sorted((t for t in state.trailers.values() if not t.departed), key=lambda t: t.departure):
        dest = state.destinations[t.plan.destination].name
        dep = t.departure.astimezone(state.config.zone)
        due = " (due)" if dep < now else ""
        lines.append(
            f"{t.plan.id:<14} {t.plan.door:<5} {dest:<13} {_bar(t.assigned, t.plan.capacity_pallets)} "
            f"{t.assigned:>2}/{t.plan.capacity_pallets:<2} {dep:%H:%M}{due}"
        )
    if log.devices is not None:
        lines += ["", "sensors", *_sensor_lines(log.devices)]
    lines += ["", *render_events(log.events, state.config.zone)]
    if log_file is not None:
        lines.append(f"full log: {log_file}")
    lines += ["", "last scans"]
    lines += [render_line(r, r.at.astimezone(state.config.zone)) for r in log.recent]
    lines += ["", "Ctrl-C to stop"]
    return "\n".join(lines)

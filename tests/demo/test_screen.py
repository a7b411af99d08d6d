"""The demo's summary and frame with the devices' counts and the Events box."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from support.sites import inbound, outbound, site_config, trailer
from xdock.central.site.kpis import Kpis
from xdock.central.site.state import SiteState
from xdock.demo.logs import DemoEvent
from xdock.demo.screen import DemoLog, DeviceTally, render_day, render_events, render_frame, render_summary

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
SITE = site_config(id="mini", doors=[inbound(), outbound(x=6, y=40)], trailers=[trailer(departure="09:30")])


def _tally(alerts: tuple[str, ...] = ()) -> DeviceTally:
    return DeviceTally(
        rfid_loaded=12, misloads=2, stops_shown=1, sensor_readings=40, sensor_alerts=alerts,
        latest=(("D12-DOOR", "1 open"), ("S2-TEMP", "4.1 C")), stop_texts=("D13: STOP D13 -> D12",),
    )


def test_the_summary_has_a_devices_line_when_devices_run() -> None:
    log = DemoLog()
    assert render_summary(log) == "scans 0  assigned 0  refused 0  no answer 0  answer p50 0.0 ms  p99 0.0 ms"
    log.devices = _tally()
    assert render_summary(log).splitlines()[1] == (
        "RFID loads 12  misloads 2  STOP shown 1  sensor readings 40  sensor alerts 0"
    )
    log.devices = _tally(("cold_chain_breach T-PARIS-2-TEMP", "door_open_no_trailer D13"))
    assert render_summary(log).splitlines()[1] == (
        "RFID loads 12  misloads 2  STOP shown 1  sensor readings 40  "
        "sensor alerts 2: cold_chain_breach T-PARIS-2-TEMP, door_open_no_trailer D13"
    )
    log.devices = _tally(tuple(f"pallet_dwell {n}" for n in range(1, 8)))
    assert render_summary(log).splitlines()[1] == (
        "RFID loads 12  misloads 2  STOP shown 1  sensor readings 40  sensor alerts 7: pallet_dwell 1, "
        "pallet_dwell 2, pallet_dwell 3, pallet_dwell 4, pallet_dwell 5, and 2 more"
    )


def test_the_frame_shows_the_last_five_events_in_a_box_and_where_the_full_log_is() -> None:
    log = DemoLog()
    for i in range(7):
        log.events.append(DemoEvent(T0.replace(second=i), f"event {i}"))
    log.events.append(DemoEvent(T0.replace(minute=5), "alert 3 raised: " + "x" * 120))
    frame = render_frame(log, SiteState(SITE, T0.date()), T0.astimezone(PARIS), None, Path("/w/demo.log"))
    rule = "─" * 98
    assert frame.splitlines() == [
        "xdock demo — site mini — Mon 23 Nov 08:00 site time",
        "",
        "scans 0  assigned 0  refused 0  no answer 0  answer p50 0.0 ms  p99 0.0 ms",
        "",
        "trailer        door  destination   fill                   departs",
        "T-LYON-1       D12   Lyon          ····················  0/33 09:30",
        "",
        "┌─ Events " + "─" * 89 + "┐",
        "│ 08:00:03  event 3" + " " * 80 + "│",
        "│ 08:00:04  event 4" + " " * 80 + "│",
        "│ 08:00:05  event 5" + " " * 80 + "│",
        "│ 08:00:06  event 6" + " " * 80 + "│",
        "│ 08:05:00  alert 3 raised: " + "x" * 69 + "… │",
        "└" + rule + "┘",
        "full log: /w/demo.log",
        "",
        "last scans",
        "",
        "Ctrl-C to stop",
    ]
    assert {len(line) for line in frame.splitlines()[7:14]} == {100}


def test_an_empty_events_box_says_so() -> None:
    assert render_events([], PARIS, width=30) == [
        "┌─ Events ───────────────────┐",
        "│ no warnings so far         │",
        "└────────────────────────────┘",
    ]


def _day_state() -> SiteState:
    site = site_config(id="mini", doors=[inbound(), outbound(x=6, y=40), outbound("D13", x=12, y=40)],
                       trailers=[trailer(departure="09:30"), trailer("T-LYON-0", door="D13", departure="07:40")])
    state = SiteState(site, T0.date())
    state.trailers["T-LYON-0"].departed = True
    return state


def _kpis(**figures: Any) -> Kpis:
    base: dict[str, Any] = {
        "pallets_per_hour": 0, "series": (0.0,), "series_start": T0, "bucket_minutes": 15, "dock_to_dock_p50_min": None,
        "dock_to_dock_p90_min": None, "dock_to_dock_basis": None, "dock_to_dock_count": 0, "door_utilisation": 0.0,
        "busy_doors": 0, "outbound_doors": 2, "travel_m": 0.0, "wrong_door_scans_stopped": 0, "portal_misloads": 0,
        "loaded": 0,
    }
    return Kpis(**(base | figures))


def test_the_day_lines_say_departures_late_pallets_truck_waits_and_the_latest_departures() -> None:
    state = _day_state()
    kpis = _kpis(departed_today=2, departed_on_time=1, late_departures=1, late_pallets=3, truck_wait_p90_min=6.5,
                 trucks_waiting=2, longest_wait_min=11.0)
    departed_at = {"T-LYON-0": T0 - timedelta(minutes=12), "T-LYON-1": T0 + timedelta(hours=1, minutes=37)}
    assert render_day(kpis, state, departed_at, PARIS) == [
        "departures 2  on time 1  late 1  late pallets 3  truck wait p90 6.5 min  trucks waiting 2 (longest 11 min)",
        "left: T-LYON-1 09:37 late 7 min · T-LYON-0 07:48 late 8 min",
    ]
    quiet = render_day(_kpis(), state, {}, PARIS)
    assert quiet == ["departures 0  on time 0  late 0  late pallets 0  truck wait p90 –  trucks waiting 0"]


def test_the_frame_shows_the_day_and_only_the_trailers_still_at_their_doors() -> None:
    state = _day_state()
    kpis = _kpis(departed_today=1, departed_on_time=1, truck_wait_p90_min=0.0)
    frame = render_frame(DemoLog(), state, T0.astimezone(PARIS), None, None, kpis,
                         {"T-LYON-0": T0 - timedelta(minutes=25)})
    assert frame.splitlines()[:9] == [
        "xdock demo — site mini — Mon 23 Nov 08:00 site time",
        "",
        "scans 0  assigned 0  refused 0  no answer 0  answer p50 0.0 ms  p99 0.0 ms",
        "",
        "departures 1  on time 1  late 0  late pallets 0  truck wait p90 0 min  trucks waiting 0",
        "left: T-LYON-0 07:35 on time",
        "",
        "trailer        door  destination   fill                   departs",
        "T-LYON-1       D12   Lyon          ····················  0/33 09:30",
    ]

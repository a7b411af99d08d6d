"""The demo plays its scenario's day through the running central: trucks announced, pallets scanned and answered
through the edges, trailers departed at their time and the next ones docked after them."""

from __future__ import annotations

import asyncio
import io
import re
import threading
from importlib import resources
from pathlib import Path

import pytest

from xdock.central.site.departures import DEPARTED_EVENT
from xdock.central.site.outbound import ANNOUNCED_EVENT
from xdock.central.store.database import EventRow, Store
from xdock.cli import main
from xdock.demo.day import demo_scenarios, load_demo_scenario
from xdock.demo.runner import DemoOptions, run_demo

DEMO = Path(str(resources.files("xdock.demo") / "scenarios" / "demo.yaml"))


def _events(db: Path) -> list[EventRow]:
    store = Store(db)
    try:
        events: list[EventRow] = []
        while batch := store.events(after=events[-1].id if events else 0, limit=1000):
            events += batch
        return events
    finally:
        store.close()


def test_a_short_fast_day_departs_trailers_and_docks_the_next_ones(tmp_path: Path) -> None:
    """The demo's first 75 minutes (its day, cut short: the demo ends with it) at 600x."""
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {DEMO}\nname: demo-75-min\nhorizon_hours: 1.25\n", encoding="utf-8")
    work = tmp_path / "work"
    out = io.StringIO()
    log = asyncio.run(run_demo(DemoOptions(scenario=str(short), speed=600.0, api_port=None, workdir=work,
                                           live=False, devices=False), out))
    text = out.getvalue()
    assert text.startswith("xdock demo: scenario demo-75-min (seed 7), broker mqtt://127.0.0.1:")
    events = _events(work / "central.db")
    kinds = [e.kind for e in events]
    day = load_demo_scenario(str(short)).draw(7)
    trucks = {t.id for t in day.trucks}
    announced = [e.body["truck"] for e in events if e.kind == "inbound_truck_announced"]
    assert set(announced) == {t.id for t in day.trucks if t.arrival_min < day.horizon_min}
    assert set(announced) <= trucks
    # Trucks unload only at the scanner doors; the other inbound doors are closed in central for the day.
    assert {e.body["door"] for e in events if e.kind == "inbound_truck_arrived"} == {"D1", "D2"}
    assert [e.body["door"] for e in events if e.kind == "override_door_closed"] == ["D3", "D4"]
    # Every scan was answered through an edge (no timeout), and every answered pallet is one of the day's.
    assert log.scans > 0
    assert log.counts["no answer"] == 0
    pallets = {p.sscc for t in day.trucks for p in t.pallets}
    assert {r.sscc for r in log.recent if r.outcome == "assigned"} <= pallets
    # A trailer departed, and the next one for its destination docked (announced to central) after it.
    destination = {t.id: t.destination for t in day.trailers}
    departed = [e.body["trailer"] for e in events if e.kind == DEPARTED_EVENT]
    docked = [e.body["trailer"] for e in events if e.kind == ANNOUNCED_EVENT]
    assert departed, kinds
    assert any(
        destination[later] == destination[gone] and docked.index(later) > docked.index(gone)
        for gone in departed if gone in docked for later in docked
    ), (departed, docked)
    # The summary ends with the day as central's KPIs tell it.
    summary = text.rstrip("\n").splitlines()
    day_line = next(line for line in summary if line.startswith("departures "))
    assert day_line.startswith(f"departures {len(departed)}  on time ")


def test_the_demo_scenarios_are_on_the_demo_site() -> None:
    assert demo_scenarios() == ["black-friday", "demo"]
    demo, peak = load_demo_scenario("demo").draw(7), load_demo_scenario("black-friday").draw(7)
    assert demo.site == peak.site
    assert demo.site.site == "demo"
    per_hour = [sum(len(t.pallets) for t in d.trucks) / (d.horizon_min / 60) for d in (demo, peak)]
    assert 2.5 < per_hour[1] / per_hour[0] < 3.5  # three times the volume over the day


def test_an_unknown_scenario_is_refused_naming_the_demos(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scenario", "normal-week"]) == 2
    assert capsys.readouterr().err == (
        "xdock: error: --scenario: unknown demo scenario 'normal-week': no such file, and not one of the demo's "
        "(black-friday, demo)\n"
    )


ONE_DOOR = """
name: one-door
start: "2026-11-23 06:00"
horizon_hours: 2
generated_site:
  inbound_doors: 1
  outbound_doors: 2
  destinations: [{id: LYON, name: Lyon, postal_codes: ["69*"]}]
inbound: {generate: {interarrival_min: 10, pallets_per_truck: 5, due_min: 120}}
outbound: {generate: {dwell_min: 30, interarrival_min: 30}}
"""


def test_a_scenario_without_the_scanner_doors_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = tmp_path / "one-door.yaml"
    scenario.write_text(ONE_DOOR, encoding="utf-8")
    assert main(["demo", "--scenario", str(scenario)]) == 2
    assert capsys.readouterr().err == (
        "xdock: error: --scenario: scenario one-door: site.doors: the demo scans at D1, D2, and D2 is not an "
        "inbound door of site hub\n"
    )


def test_black_friday_plays_on_the_demo_floor(tmp_path: Path) -> None:
    out = io.StringIO()
    log = asyncio.run(run_demo(DemoOptions(scenario="black-friday", duration=3.0, speed=600.0, api_port=None,
                                           workdir=tmp_path, live=False, devices=False), out))
    text = out.getvalue()
    assert text.startswith("xdock demo: scenario black-friday (seed 7), broker mqtt://127.0.0.1:")
    assert log.scans > 0
    assert log.counts["no answer"] == 0
    assert re.search(r"^departures \d+  on time \d+  late \d+  late pallets \d+  truck wait p90 ", text, re.M), text


def test_cancelling_the_demo_stops_its_day_thread(tmp_path: Path) -> None:
    async def main() -> None:
        out = io.StringIO()
        demo = asyncio.create_task(run_demo(DemoOptions(speed=60.0, api_port=None, workdir=tmp_path, live=False,
                                                        devices=False), out))
        async with asyncio.timeout(30):  # a guard against a hung demo, not a timing assert
            # the day's thread and the first answer have no event to wait on: look every 50 ms
            while not any(t.name == "demo-day" for t in threading.enumerate()) or "✓" not in out.getvalue():  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        demo.cancel()  # as Ctrl-C does
        with pytest.raises(asyncio.CancelledError):
            await demo

    asyncio.run(main())
    assert [t.name for t in threading.enumerate() if t.name == "demo-day"] == []

"""The report: every picture embedded as a PNG, the KPIs side by side with the best of each row in bold."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

from support.sites import site_config
from xdock.simulation.model import (
    Co2Factors,
    Day,
    DepartureRecord,
    DoorSpan,
    Fleet,
    InboundTruck,
    OutboundTrailer,
    PalletPlan,
    PalletRecord,
    PolicyRun,
)
from xdock.simulation.report import floor_order, kpi_table, write_report

START = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def _day() -> Day:
    pallets = (PalletPlan("376130321109103420", "LYON", "69001", due_min=180.0),)
    return Day(
        scenario="two-doors", seed=3, start=START, horizon_min=240.0, site=site_config(),
        fleet=Fleet(forklifts=1, speed_m_per_s=2.0, handle_s=20.0),
        co2=Co2Factors(kg_per_forklift_km=0.05, kg_per_trailer_departure=12.0),
        trucks=(InboundTruck("TRUCK-1", 10.0, pallets),),
        trailers=(OutboundTrailer("T-LYON-1", "LYON", 0.0, 200.0, 33),),
    )


def _run(policy: str, loaded_min: float) -> PolicyRun:
    pallet = PalletRecord("376130321109103420", "TRUCK-1", "LYON", 180.0, arrived_min=10.0, inbound_door="D1",
                          unloaded_min=15.0, decision="T-LYON-1", trailer="T-LYON-1", loaded_min=loaded_min,
                          departed_min=200.0, outcome="loaded", handles=1, travel_m=40.0)
    return PolicyRun(
        policy=policy, pallets=[pallet],
        departures=[DepartureRecord("T-LYON-1", "LYON", "D12", 200.0, 200.0, 1, 33)],
        door_spans=[DoorSpan("D1", "inbound", "TRUCK-1", 10.0, 16.0),
                    DoorSpan("D12", "outbound", "T-LYON-1", 0.0, 200.0)],
        truck_waits_min=[0.0], staging=[(15.0, 1), (loaded_min, 0)], forklift_busy_min=2.0, forklift_m=40.0,
    )


def test_the_report_embeds_its_pictures_and_names_the_run(tmp_path: Path) -> None:
    runs = [_run("fcfs", 60.0), _run("xdock", 20.0)]
    kpis = {"fcfs": {"pallets": 1, "forklift_km": 0.5}, "xdock": {"pallets": 1, "forklift_km": 0.04}}
    text = write_report(tmp_path / "report.html", _day(), runs, kpis).read_text(encoding="utf-8")
    assert "<title>xdock simulation — two-doors, seed 3</title>" in text
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(images) == 3 + len(runs)  # throughput, staging, dock-to-dock, a Gantt chart per policy
    assert all(base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n") for image in images)
    facts = ("t: 2 doors, 1 pallets on 1 inbound trucks, 1 outbound trailers, 1 forklifts, 4 h from "
             "2026-11-23T05:00+00:00. CO2e factors: 0.05 kg per forklift km, 12 kg per trailer departure.")
    assert f"<p class='facts'>{facts}</p>" in text


def test_the_best_value_of_a_row_is_bold_only_where_better_means_something() -> None:
    table = kpi_table({"fcfs": {"pallets": 100, "forklift_km": 12.5, "trailer_fill": 0.7},
                       "xdock": {"pallets": 100, "forklift_km": 9.25, "trailer_fill": 0.8}})
    assert "<tr><th scope='row'>forklift km</th><td>12.5</td><td><b>9.25</b></td></tr>" in table
    assert "<tr><th scope='row'>trailer fill at departure</th><td>0.70</td><td><b>0.80</b></td></tr>" in table
    assert "<tr><th scope='row'>pallets handled</th><td>100</td><td>100</td></tr>" in table
    assert "<tr><th scope='row'>late pallets</th><td>–</td><td>–</td></tr>" in table


def test_doors_are_drawn_in_their_floor_order() -> None:
    assert sorted(["D10", "D2", "S1", "D1", "D41", "D5"], key=floor_order) == ["D1", "D2", "D5", "D10", "D41", "S1"]

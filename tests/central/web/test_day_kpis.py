"""The dashboard's snapshot carries the day's departures (on time, late), the pallets a departing trailer left
behind, and the inbound trucks' waits, for a real site (not only the demo).

Site of ``web_rig``: T-LYON-1 loads at D12 and leaves at 16:40 (Paris time; START is 08:00 there); D13 ships too;
D1 receives.
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from support.scans import scan
from support.web_rig import START
from xdock.central.api.auth import UserAdmin
from xdock.central.app import Central
from xdock.central.site.live_site import LiveSite
from xdock.central.web import LiveHub
from xdock.protocol.clock import ManualClock
from xdock.protocol.gs1 import sscc_with_check_digit


def test_the_snapshot_kpis_count_late_departures_late_pallets_and_truck_waits(site: LiveSite, hub: LiveHub) -> None:
    clock = site.clock
    assert isinstance(clock, ManualClock)
    lyon = [sscc_with_check_digit(f"37613032{n:09d}") for n in (1, 2, 3)]
    for seq, sscc in enumerate(lyon, start=1):
        site.apply_scan(scan(seq, sscc=sscc, at=START))
    assert site.confirm_load(lyon[0], "D12", device="hh1").ok
    site.announce_truck("IN-1", eta=START, pallets=10, by="yard")
    site.announce_truck("IN-2", eta=START + timedelta(minutes=5), pallets=10, by="yard")
    site.announce_truck("IN-3", eta=START + timedelta(hours=2), pallets=10, by="yard")  # not due yet
    clock.advance(12 * 60)
    site.truck_arrived("IN-1", "D1", by="yard")  # waited 12 min
    clock.advance(8 * 60)
    site.depart_trailer("T-LYON-1", by="sue")  # before 16:40: on time, two of its three pallets not aboard
    site.announce_trailer("T-NICE-1", destination="NICE", door="D13", departure=START + timedelta(minutes=30),
                          capacity_pallets=33, by="yard")
    clock.advance(25 * 60)  # 45 min after START: T-NICE-1 leaves 15 min late
    site.depart_trailer("T-NICE-1", by="sue")

    kpis = json.loads(hub.snapshot_text())["kpis"]
    assert {k: kpis[k] for k in (
        "departed_today", "departed_on_time", "late_departures", "on_time_departures", "late_pallets",
        "truck_wait_p90_min", "trucks_waiting", "longest_wait_min",
    )} == {
        "departed_today": 2, "departed_on_time": 1, "late_departures": 1, "on_time_departures": 0.5,
        "late_pallets": 2, "truck_wait_p90_min": 12.0, "trucks_waiting": 1, "longest_wait_min": 40.0,
    }


async def test_the_kpis_are_served_to_a_script_as_the_dashboard_shows_them(
    site: LiveSite, hub: LiveHub, http: httpx.AsyncClient, central: Central,
) -> None:
    clock = site.clock
    assert isinstance(clock, ManualClock)
    site.announce_truck("IN-1", eta=START, pallets=10, by="yard")
    clock.advance(12 * 60)
    site.truck_arrived("IN-1", "D1", by="yard")
    clock.advance(8 * 60)
    site.depart_trailer("T-LYON-1", by="sue")

    served = await http.get("/api/v1/kpis")
    assert served.status_code == 200
    assert served.json() == json.loads(hub.snapshot_text())["kpis"]
    assert {k: served.json()[k] for k in ("departed_today", "departed_on_time", "late_departures",
                                          "truck_wait_p90_min")} == {
        "departed_today": 1, "departed_on_time": 1, "late_departures": 0, "truck_wait_p90_min": 12.0}
    users = UserAdmin(central.store)
    users.add("wanda", "worker", START, by="test")
    token = users.issue("wanda", START, by="test")
    assert (await http.get("/api/v1/kpis")).status_code == 401  # access control on: a token is needed
    assert (await http.get("/api/v1/kpis", headers={"Authorization": f"Bearer {token}"})).status_code == 200

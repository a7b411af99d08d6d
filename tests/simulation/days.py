"""Days for the simulator's tests, written by hand or drawn small from a seed.

:func:`two_door_day` is the day whose ``fcfs`` run ``test_engine`` checks by hand: one inbound door D1 at
(0, 0), one outbound door D2 at (30, 0), staging S1 at (0, 30), LYON (``69*``) and PARIS (``75*``), one
forklift at 1 m/s handling a pallet in 30 s (a 30 m trip takes 0.5 + 0.5 + 0.5 = 1.5 min), site in UTC
from 2026-11-23 06:00, horizon 240 min.

:func:`small_day` is a seeded day on a six-door site whose trailers are all in its site file and at
their doors from minute 0 (the ``xdock`` policy needs them there), with chilled, frozen and dangerous
pallets among ambient ones.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from support.sites import PARIS, destination, door, inbound, outbound, site_config, staging, trailer
from xdock.protocol.gs1 import sscc_with_check_digit
from xdock.simulation.model import Co2Factors, Day, Fleet, InboundTruck, OutboundTrailer, PalletPlan, Temp

__all__ = ["START", "pallet", "slow_forklift_day", "small_day", "sscc", "two_door_day"]

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
CO2 = Co2Factors(kg_per_forklift_km=0.1, kg_per_trailer_departure=10.0)
POSTAL = {"LYON": "69001", "PARIS": "75002", "NICE": "06000"}


def sscc(n: int) -> str:
    return sscc_with_check_digit(f"0376130321{n:07d}")


def pallet(n: int, destination: str, due: float, temp: Temp = "ambient", dangerous: str | None = None) -> PalletPlan:
    return PalletPlan(sscc(n), destination, POSTAL[destination], due, temp, dangerous)


def two_door_day(*, horizon: float = 240.0) -> Day:
    site = site_config(
        timezone="UTC", doors=[inbound("D1", 0, 0), outbound("D2", 30, 0)], areas=[staging("S1", 0, 30)],
        more_destinations=[PARIS], trailers=[],
    )
    trucks = (
        InboundTruck("TR1", 0.0, (pallet(1, "LYON", 60), pallet(2, "LYON", 60), pallet(3, "LYON", 200))),
        InboundTruck("TR2", 118.0, (pallet(4, "LYON", 119), pallet(5, "PARIS", 300))),
        InboundTruck("TR3", 118.5, (pallet(6, "PARIS", 150),)),
    )
    trailers = (
        OutboundTrailer("T1", "LYON", 0.0, 60.0, 2),
        OutboundTrailer("T2", "LYON", 90.0, 119.0, 2),
    )
    return Day("two-door", 0, START, horizon, site, Fleet(1, 1.0, 30.0), CO2, trucks, trailers)


def slow_forklift_day() -> Day:
    """D1 inbound at (0, 0), D2 outbound at (30, 0), staging S1 at (0, 30); T-LYON-1 in the site file at D2,
    leaving 06:20 (minute 20); one truck at minute 0 with three LYON pallets due at minute 600; one forklift
    so slow (0.01 m/s) that a 30 m trip takes 0.5 + 50 + 0.5 = 51 minutes."""
    site = site_config(
        timezone="UTC", doors=[inbound("D1", 0, 0), outbound("D2", 30, 0)], areas=[staging("S1", 0, 30)],
        trailers=[trailer("T-LYON-1", "D2", "LYON", 10, "06:20")],
    )
    trucks = (InboundTruck("TR1", 0.0, tuple(pallet(n, "LYON", 600) for n in (1, 2, 3))),)
    trailers = (OutboundTrailer("T-LYON-1", "LYON", 0.0, 20.0, 10),)
    return Day("slow", 0, START, 240.0, site, Fleet(1, 0.01, 30.0), CO2, trucks, trailers)


def small_day(seed: int, *, trucks: int = 12, per_truck: int = 10, horizon: float = 600.0,
              forklifts: int = 3, capacities: tuple[int, int] = (8, 30)) -> Day:
    """A seeded day: trucks every ~20 min, pallets to LYON, PARIS and NICE due 1 to 7 h after their truck, two
    trailers a destination (the first leaving at minute 180 with ``capacities[0]`` positions, the second at
    minute 480 with ``capacities[1]``), a reefer among them."""
    rng = random.Random(seed)
    dests = ("LYON", "PARIS", "NICE")
    plans: list[tuple[str, str, int, float, bool]] = []
    for i, dest in enumerate(dests):
        plans.append((f"T-{dest}-1", f"O{2 * i + 1}", capacities[0], 180.0, i == 0))
        plans.append((f"T-{dest}-2", f"O{2 * i + 2}", capacities[1], 480.0, True))
    site = site_config(
        timezone="UTC",
        doors=[inbound("I1", 0, 0), inbound("I2", 20, 0), door("B1", 40, 0),
               *(outbound(f"O{k}", 10 * k, 50) for k in range(1, 7))],
        areas=[staging("S1", 5, 25), staging("S2", 45, 25, temp="frozen")],
        destinations=[destination("LYON", ["69*"]), PARIS, destination("NICE", ["06*"])],
        trailers=[trailer(tid, od, tid.split("-")[1], cap, _hhmm(START, dep), reefer=reefer)
                  for tid, od, cap, dep, reefer in plans],
    )
    day_trucks: list[InboundTruck] = []
    n = 0
    at = 0.0
    for t in range(trucks):
        at += rng.uniform(5, 35)
        pallets = []
        for _ in range(per_truck):
            n += 1
            temp: Temp = rng.choice(("ambient",) * 6 + ("chilled", "frozen"))
            dangerous = "3" if rng.random() < 0.05 else None
            pallets.append(pallet(n, rng.choice(dests), round(at + rng.uniform(60, 420), 1), temp, dangerous))
        day_trucks.append(InboundTruck(f"TR{t + 1}", round(at, 1), tuple(pallets)))
    day_trailers = tuple(OutboundTrailer(tid, tid.split("-")[1], 0.0, dep, cap, reefer=reefer)
                         for tid, _, cap, dep, reefer in plans)
    return Day("small", seed, START, horizon, site, Fleet(forklifts, 1.5, 20.0), CO2, tuple(day_trucks),
               day_trailers)


def _hhmm(start: datetime, minutes: float) -> str:
    at: time = (start + timedelta(minutes=minutes)).time()
    return f"{at.hour:02d}:{at.minute:02d}"

"""A synthetic cross-dock site for benchmarks: doors on two long walls, trailers, areas, and a floor full of pallets.

Seeded and deterministic. The mix follows a general-merchandise cross-dock: about 40 % of doors inbound,
one trailer at each outbound door for some 30 destinations, 10 % cold pallets, 3 % dangerous goods,
5 % mixed, 5 % urgent. Pallets already loaded are plain (ambient, no dangerous goods) and fit their trailer,
so the floor itself breaks no rule; the others wait at inbound doors or in staging areas.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from xdock.central.optimiser.schema import Area, Door, Floor, Pallet, PalletState, Rules, TempClass, Trailer
from xdock.protocol.gs1 import sscc_with_check_digit

__all__ = ["DESTINATIONS", "RULES", "synthetic_floor", "synthetic_pallets"]

DESTINATIONS = (
    "LYON", "PARIS", "LILLE", "NICE", "NANTES", "RENNES", "BREST", "DIJON", "METZ", "NANCY",
    "REIMS", "ROUEN", "CAEN", "TOURS", "ORLEANS", "LIMOGES", "POITIERS", "BORDEAUX", "TOULOUSE", "PAU",
    "NIMES", "MONTPELLIER", "MARSEILLE", "TOULON", "GRENOBLE", "ANNECY", "BESANCON", "MULHOUSE", "STRASBOURG", "AMIENS",
)
RULES = Rules(segregate=frozenset({frozenset({"3", "5.1"}), frozenset({"3", "8"})}))
"""Site rules of the synthetic site: flammable liquids apart from oxidisers and corrosives."""

_DOOR_PITCH_M = 4.5
_HALL_DEPTH_M = 90.0
_HAZMAT = ("3", "5.1", "8", "9")


def synthetic_floor(doors: int, pallets: int, seed: int, now: datetime) -> Floor:
    """A site of ``doors`` doors with ``pallets`` pallets in the building at ``now`` (site-local, aware)."""
    rng = random.Random(seed)
    door_map = _doors(rng, doors)
    areas = _areas(doors)
    trailers = _trailers(rng, door_map, now)
    floor = Floor(door_map, areas, trailers, {}, rules=RULES)
    by_dest: dict[str, list[Trailer]] = {}
    for t in trailers.values():
        by_dest.setdefault(t.destination, []).append(t)
    aboard: dict[str, tuple[int, float]] = {}
    placed: dict[str, Pallet] = {}
    for scanned in synthetic_pallets(floor, pallets, seed + 1, now, prefix="1"):
        p, roll = scanned, rng.random()
        plain = not p.mixed and p.temp == "ambient" and p.hazmat is None and p.destinations
        if plain and roll < 0.3:
            p = _load(rng, p, by_dest.get(p.destinations[0], []), aboard)
        elif roll < 0.5:
            kept = [a.id for a in areas.values() if a.kind == "staging" and _keeps(a.temp, p.temp)]
            p = replace(p, state="staged", location=rng.choice(kept))
        placed[p.sscc] = p
    return Floor(door_map, areas, trailers, placed, rules=RULES)


def synthetic_pallets(floor: Floor, count: int, seed: int, now: datetime, prefix: str = "2") -> list[Pallet]:
    """``count`` newly scanned pallets at the floor's inbound doors, for the trailers' destinations.

    ``prefix`` is one digit telling batches apart; every SSCC carries its check digit, as a real label's.
    """
    if len(prefix) != 1 or not prefix.isdigit():
        raise ValueError(f"Invalid prefix {prefix!r}: expected one digit")
    rng = random.Random(seed)
    inbound = sorted(d.id for d in floor.doors.values() if d.inbound) or sorted(floor.doors)
    served = sorted({t.destination for t in floor.trailers.values()}) or list(DESTINATIONS[:1])
    weights = [_lane_weight(DESTINATIONS.index(d)) if d in DESTINATIONS else 1.0 for d in served]
    out = []
    for i in range(count):
        dests = tuple(rng.choices(served, weights))
        roll = rng.random()
        if roll < 0.05 and len(served) > 1:
            dests = tuple(rng.sample(served, rng.choice((2, 3)) if len(served) > 2 else 2))
        elif roll < 0.06:
            dests = ()
        cold = rng.random()
        temp: TempClass = "frozen" if cold < 0.03 else "chilled" if cold < 0.10 else "ambient"
        urgent = rng.random() < 0.05
        out.append(Pallet(
            sscc=sscc_with_check_digit(f"3{prefix}{seed % 1000:03d}{i:012d}"),
            destinations=dests,
            location=rng.choice(inbound),
            weight_kg=round(rng.uniform(80.0, 900.0), 1),
            temp=temp,
            hazmat=rng.choice(_HAZMAT) if rng.random() < 0.03 else None,
            expiry=(now + timedelta(days=rng.randint(0, 2) if urgent else rng.randint(5, 60))).date(),
            priority=1 if urgent and rng.random() < 0.5 else 0,
        ))
    return out


def _lane_weight(rank: int) -> float:
    """Share of traffic of the ``rank``-th destination: a few busy lanes, many quiet ones."""
    return 1.0 / (1 + rank % 7)


def _doors(rng: random.Random, count: int) -> dict[str, Door]:
    out = {}
    for i in range(count):
        inbound = rng.random() < 0.4
        out[f"D{i + 1:03d}"] = Door(
            f"D{i + 1:03d}", (i // 2) * _DOOR_PITCH_M, 0.0 if i % 2 == 0 else _HALL_DEPTH_M,
            inbound=inbound, outbound=not inbound, open=inbound or rng.random() > 0.03,
        )
    return out


def _areas(doors: int) -> dict[str, Area]:
    length = max(1, doors // 2) * _DOOR_PITCH_M
    temps: tuple[TempClass, ...] = ("ambient", "chilled", "ambient", "frozen", "ambient")
    n_staging = max(4, doors // 25)
    out = {}
    for k in range(n_staging):
        aid = f"S{k + 1}"
        out[aid] = Area(aid, "staging", length * (k + 0.5) / n_staging, _HALL_DEPTH_M / 2, temps[k % len(temps)])
    n_breakdown = max(1, doors // 100)
    for k in range(n_breakdown):
        aid = f"B{k + 1}"
        out[aid] = Area(aid, "breakdown", length * (k + 0.5) / n_breakdown, _HALL_DEPTH_M / 3, "chilled")
    return out


def _trailers(rng: random.Random, doors: dict[str, Door], now: datetime) -> dict[str, Trailer]:
    outbound = [d for d in doors.values() if d.outbound and d.open]
    n_dest = min(len(DESTINATIONS), max(1, len(outbound) // 2))
    # one trailer per destination, the other doors shared in proportion to each lane's traffic
    lanes = list(DESTINATIONS[:n_dest])
    lanes += rng.choices(lanes, [_lane_weight(k) for k in range(n_dest)], k=len(outbound) - n_dest)
    rng.shuffle(lanes)
    out: dict[str, Trailer] = {}
    counts: dict[str, int] = {}
    for door, dest in zip(outbound, lanes, strict=True):
        departure = now + timedelta(minutes=rng.randrange(60, 360, 5))
        first = _trailer(rng, dest, counts, door.id, departure, None)
        out[first.id] = first
        if rng.random() < 0.5:  # the next trailer of the day backs onto the same door once the first leaves
            start = departure + timedelta(minutes=10)
            leaves = start + timedelta(minutes=rng.randrange(90, 300, 5))
            nxt = _trailer(rng, rng.choice(lanes), counts, door.id, leaves, start)
            out[nxt.id] = nxt
    return out


def _trailer(
    rng: random.Random, dest: str, counts: dict[str, int], door: str, departure: datetime, loading_from: datetime | None
) -> Trailer:
    counts[dest] = counts.get(dest, 0) + 1
    return Trailer(
        f"T-{dest}-{counts[dest]}", dest, door, capacity_pallets=rng.choices((33, 52, 26), (0.6, 0.25, 0.15))[0],
        capacity_kg=24000.0, departure=departure, reefer=rng.random() < 0.2, accepts_hazmat=rng.random() < 0.7,
        loading_from=loading_from, docked=loading_from is None,
    )


def _load(rng: random.Random, p: Pallet, trailers: list[Trailer], aboard: dict[str, tuple[int, float]]) -> Pallet:
    """``p`` loaded on one of ``trailers`` with room, or left waiting where it is."""
    fits = [t for t in trailers if _room(t, aboard, p)]
    if not fits:
        return p
    t = rng.choice(fits)
    n, kg = aboard.get(t.id, (0, 0.0))
    aboard[t.id] = (n + 1, kg + p.weight_kg)
    state: PalletState = "loaded" if rng.random() < 0.85 else "moving"
    return replace(p, state=state, trailer=t.id, location=t.door or p.location, instructed=True)


def _room(t: Trailer, aboard: dict[str, tuple[int, float]], p: Pallet) -> bool:
    n, kg = aboard.get(t.id, (0, 0.0))
    return n < t.capacity_pallets * 0.7 and kg + p.weight_kg <= t.capacity_kg


def _keeps(area: TempClass, pallet: TempClass) -> bool:
    order = ("ambient", "chilled", "frozen")
    return order.index(area) >= order.index(pallet)

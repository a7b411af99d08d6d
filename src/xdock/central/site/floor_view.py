"""Central's live state as the optimiser sees it: a :class:`~xdock.central.optimiser.schema.Floor`.

The optimiser is pure and knows nothing of the site file or the store; this module translates
both ways: site state and stored pallets into planning values, scans into planning pallets, announced
inbound trucks into planning trucks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from xdock.central.optimiser.schema import (
    Area,
    Door,
    Floor,
    InboundTruck,
    Pallet,
    PalletState,
    Rules,
    TempClass,
    Trailer,
)
from xdock.central.site.state import SiteState, TrailerState
from xdock.central.site_file.config import SiteConfig
from xdock.central.store.database import InboundTruckRow, PalletRow
from xdock.protocol.messages import ScanEvent

__all__ = [
    "DANGEROUS_GOODS", "UNLOAD_PER_PALLET", "UNLOAD_SETUP", "floor_from", "pallet_from_row", "pallet_from_scan",
    "received_from", "rules_from", "trailer_from", "truck_from_row", "trucks_from",
]

DANGEROUS_GOODS = "DG"
"""Class given to a pallet whose label flags dangerous goods (AI 4321) when no advance shipping notice
names its class."""


UNLOAD_SETUP = timedelta(minutes=10)
"""Time a truck holds its inbound door besides its pallets: docking, opening, leaving."""
UNLOAD_PER_PALLET = timedelta(minutes=1)
"""Time to take one pallet off a truck."""


def rules_from(config: SiteConfig) -> Rules:
    r = config.rules
    return Rules(
        handling=timedelta(minutes=config.handling_minutes),
        change_penalty_m=r.change_penalty_m,
        unplaced_penalty_m=r.unplaced_penalty_m,
        urgent_days=r.urgent_days,
        balance_weight_m=r.balance_weight_m,
        departure_weight_m=r.departure_weight_m,
        segregate=frozenset(frozenset(pair) for pair in r.segregate),
    )


_STATES: dict[str, PalletState] = {"staged": "staged", "loaded": "loaded"}
"""Stored pallet states the optimiser tells apart; every other one is ``waiting``."""


def pallet_from_row(row: PalletRow) -> Pallet:
    """A stored pallet, as planned so far: at its inbound door, in the area it was sent to, or aboard
    its trailer (``loaded``: frozen, at the trailer's door)."""
    in_area = row.state in ("staged", "breakdown") and row.target is not None
    location = row.target if in_area and row.target else row.inbound_door
    if row.state == "loaded":
        location = row.door or row.inbound_door
    return Pallet(
        sscc=row.sscc,
        destinations=row.destinations or ((row.destination,) if row.destination else ()),
        location=location,
        state=_STATES.get(row.state, "waiting"),
        weight_kg=row.weight_kg or 0.0,
        temp=row.temp,
        hazmat=row.hazmat or (DANGEROUS_GOODS if row.dangerous else None),
        expiry=row.expiry,
        trailer=row.trailer,
        instructed=row.trailer is not None,
    )


def pallet_from_scan(
    event: ScanEvent, previous: PalletRow | None, *, destinations: tuple[str, ...], temp: TempClass,
    hazmat: str | None, expiry: date | None, weight_kg: float | None,
) -> Pallet:
    """The pallet a scan shows (with the facts it is routed with: its label's, completed by its advance
    shipping notice, see :mod:`xdock.central.site.announced`), keeping what the plan already told the
    worker about it; a pallet confirmed loaded stays loaded (frozen) aboard its trailer, whoever scans
    it again."""
    aboard = previous is not None and previous.state == "loaded" and previous.trailer is not None
    return Pallet(
        sscc=event.sscc,
        destinations=destinations,
        location=(previous.door or event.door) if aboard and previous is not None else event.door,
        state="loaded" if aboard else "waiting",
        weight_kg=weight_kg or 0.0,
        temp=temp,
        hazmat=hazmat,
        expiry=expiry,
        trailer=previous.trailer if previous is not None else None,
        instructed=previous is not None and previous.trailer is not None,
    )


def truck_from_row(
    row: InboundTruckRow, now: datetime | None = None, received: Mapping[str, int] | None = None
) -> InboundTruck | None:
    """An announced truck as the plan sees it, ``None`` once unloaded.

    A waiting truck is expected at its ETA at the door the yard gave, if any, which the plan may
    change; an arrived one is docked at its door from its arrival. Either holds its door
    :data:`UNLOAD_SETUP` plus :data:`UNLOAD_PER_PALLET` per pallet. Given ``now``, a late truck is
    expected now and an arrived one not reported unloaded holds its door until ``UNLOAD_SETUP`` past
    now at least. Its pallets by destination are its advance shipping notice (none sent: no flow known),
    less the pallets already ``received`` from it by destination (those are on the floor and planned
    as pallets; counting them in the truck's flows too would plan them twice).
    """
    unload = UNLOAD_SETUP + UNLOAD_PER_PALLET * row.pallets
    taken = received or {}
    pallets = {dest: max(0, n - taken.get(dest, 0)) for dest, n in (row.destinations or {}).items()}
    if row.state == "waiting":
        arrival = row.eta if now is None else max(row.eta, now)
        return InboundTruck(row.id, arrival, unload, pallets, door=row.door)
    if row.state == "arrived" and row.arrived_at is not None:
        if now is not None:
            unload = max(unload, now + UNLOAD_SETUP - row.arrived_at)
        return InboundTruck(row.id, row.arrived_at, unload, pallets, door=row.door, docked=True)
    return None


def trucks_from(
    rows: Iterable[InboundTruckRow], now: datetime | None = None, pallets: Iterable[PalletRow] = ()
) -> dict[str, InboundTruck]:
    """The trucks waiting or at a door among ``rows``, by id (see :func:`truck_from_row`), less what
    each arrived truck already delivered among ``pallets`` (see :func:`received_from`)."""
    rows = list(rows)
    received = received_from(rows, pallets)
    planned = {row.id: truck_from_row(row, now, received.get(row.id)) for row in rows}
    return {k: truck for k, truck in planned.items() if truck is not None}


def received_from(trucks: Iterable[InboundTruckRow], pallets: Iterable[PalletRow]) -> dict[str, Counter[str]]:
    """Pallets by destination each arrived truck has delivered: first scanned at its door since it arrived.

    Scans carry no truck id, so a pallet is the truck's when it was first seen at the truck's door
    after the truck arrived there (one truck per door at a time)."""
    at_door = {
        row.door: row for row in trucks
        if row.state == "arrived" and row.door is not None and row.arrived_at is not None
    }
    received: dict[str, Counter[str]] = {}
    for pallet in pallets:
        truck = at_door.get(pallet.inbound_door)
        if truck is None or truck.arrived_at is None or pallet.first_seen < truck.arrived_at:
            continue
        received.setdefault(truck.id, Counter())[pallet.destination or ""] += 1
    return received


def trailer_from(trailer: TrailerState) -> Trailer:
    """A live trailer as the plan sees it: docked at its door, which no plan may change."""
    plan = trailer.plan
    return Trailer(
        id=plan.id, destination=plan.destination, door=plan.door, capacity_pallets=plan.capacity_pallets,
        capacity_kg=plan.capacity_kg, departure=trailer.departure, reefer=plan.reefer,
        accepts_hazmat=plan.accepts_hazmat, departed=trailer.departed, docked=True,
    )


def floor_from(state: SiteState, trucks: Iterable[InboundTruckRow] = (), *, now: datetime | None = None) -> Floor:
    """The whole floor: doors, areas, the trailers at their doors, every pallet in the store, and
    the inbound ``trucks`` waiting or at a door (see :func:`truck_from_row` for ``now``)."""
    config = state.config
    return Floor(
        doors={
            d.id: Door(d.id, d.x, d.y, inbound=d.receives, outbound=d.ships) for d in config.doors
        },
        areas={a.id: Area(a.id, a.kind, a.x, a.y, a.temp) for a in config.areas},
        trailers={t.plan.id: trailer_from(t) for t in state.trailers.values()},
        pallets={sscc: pallet_from_row(row) for sscc, row in state.pallets.items()
                 if row.state not in ("unrouted", "split")},
        trucks=trucks_from(trucks, now, state.pallets.values()),
        rules=rules_from(config),
    )

"""Central's live state as the optimiser sees it: a :class:`~xdock.central.optimiser.schema.Floor`.

The optimiser is pure and knows nothing of the site file or the store; this module translates
both ways: site state and stored pallets into planning values, scans into planning pallets.
"""

from __future__ import annotations

from datetime import timedelta

from xdock.central.optimiser.schema import Area, Door, Floor, Pallet, PalletState, Rules, Trailer, temp_class
from xdock.central.site_config import SiteConfig
from xdock.central.site_state import SiteState
from xdock.central.store import PalletRow
from xdock.protocol.messages import ScanEvent

__all__ = ["DANGEROUS_GOODS", "floor_from", "pallet_from_row", "pallet_from_scan", "rules_from"]

DANGEROUS_GOODS = "DG"
"""Class given to a pallet whose label flags dangerous goods (AI 4321) without naming the class."""


def rules_from(config: SiteConfig) -> Rules:
    r = config.rules
    return Rules(
        handling=timedelta(minutes=config.handling_minutes),
        change_penalty_m=r.change_penalty_m,
        unplaced_penalty_m=r.unplaced_penalty_m,
        urgent_days=r.urgent_days,
        balance_weight_m=r.balance_weight_m,
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
        destinations=(row.destination,) if row.destination else (),
        location=location,
        state=_STATES.get(row.state, "waiting"),
        weight_kg=row.weight_kg or 0.0,
        temp=row.temp,
        hazmat=DANGEROUS_GOODS if row.dangerous else None,
        expiry=row.expiry,
        trailer=row.trailer,
        instructed=row.trailer is not None,
    )


def pallet_from_scan(
    event: ScanEvent, destination: str | None, previous: PalletRow | None, config: SiteConfig
) -> Pallet:
    """The pallet a scan shows, keeping what the plan already told the worker about it; a pallet
    confirmed loaded stays loaded (frozen) aboard its trailer, whoever scans it again."""
    rules = config.rules
    temp = temp_class(event.max_temp_c, chilled_max=rules.chilled_max_c, frozen_max=rules.frozen_max_c)
    aboard = previous is not None and previous.state == "loaded" and previous.trailer is not None
    return Pallet(
        sscc=event.sscc,
        destinations=(destination,) if destination else (),
        location=(previous.door or event.door) if aboard and previous is not None else event.door,
        state="loaded" if aboard else "waiting",
        weight_kg=event.weight_kg or 0.0,
        temp=temp,
        hazmat=DANGEROUS_GOODS if event.dangerous_goods else None,
        expiry=event.expiry,
        trailer=previous.trailer if previous is not None else None,
        instructed=previous is not None and previous.trailer is not None,
    )


def floor_from(state: SiteState) -> Floor:
    """The whole floor: doors, areas, today's trailers at their doors, every pallet in the store."""
    config = state.config
    return Floor(
        doors={
            d.id: Door(d.id, d.x, d.y, inbound=d.receives, outbound=d.ships) for d in config.doors
        },
        areas={a.id: Area(a.id, a.kind, a.x, a.y, a.temp) for a in config.areas},
        trailers={
            t.plan.id: Trailer(
                id=t.plan.id, destination=t.plan.destination, door=t.plan.door,
                capacity_pallets=t.plan.capacity_pallets, capacity_kg=t.plan.capacity_kg,
                departure=t.departure, reefer=t.plan.reefer, accepts_hazmat=t.plan.accepts_hazmat,
                departed=t.departed, docked=True,
            )
            for t in state.trailers.values()
        },
        pallets={sscc: pallet_from_row(row) for sscc, row in state.pallets.items() if row.state != "unrouted"},
        rules=rules_from(config),
    )

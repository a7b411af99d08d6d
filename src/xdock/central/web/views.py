"""What the screens are sent: plain JSON-ready dicts built from the live state.

The dashboard gets one *snapshot* on connect (:func:`snapshot`), then small messages:
``pallet`` (a pallet changed, with the trailers whose fill changed; an ``assigned`` pallet not yet
``loaded`` is *in transit* from its inbound door to its trailer's door; a ``loaded`` one joins the
latest loads, which the snapshot's ``recent_loads`` lists), ``tick`` (site time, and the
KPIs and alerts when they changed), ``receiving`` (one truck's receiving against its advance shipping
notices changed: :func:`receiving_view`) and ``resync`` (the plan, or an inbound truck, changed: a new
snapshot follows).

Receiving: each truck an advance shipping notice announced carries its ``receiving`` (counts of pallets
announced, received, pending, short, over and mismatched; the SSCCs of the discrepancies only when it has
any, the first :data:`RECEIVING_LISTED` of each kind). The snapshot's ``trucks`` are those waiting or at a
door; ``unloaded_trucks`` the latest ones unloaded with a notice (:func:`recently_unloaded`), so the
supervisor still sees what a truck was short of once it has left.

Loads are whatever the pallet rows and the event log say (:class:`~xdock.central.site.loading.LoadBook`),
confirmed by a handheld scan or an RFID door passage: a pallet's ``confirmed_by`` and a trailer's
``loaded_by`` tell which (``scan`` / ``rfid``), and ``confirmations`` (in the snapshot, and in a tick
with KPIs) counts the loads each way. The KPIs count the wrong-door scans a handheld stopped apart from
the mis-loads the RFID portals saw go out (one per ``misload`` alert).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from xdock.central.site.asns import Receiving
from xdock.central.site.kpis import Kpis, compute_kpis
from xdock.central.site.loading import LoadBook
from xdock.central.site.state import SiteState, TrailerState
from xdock.central.store.database import AlertRow, InboundTruckRow, PalletRow

__all__ = [
    "FLOW_STATES", "RECEIVING_LISTED", "RECENT_LOADS", "UNLOADED_SHOWN", "UNLOADED_SHOWN_FOR", "alert_view",
    "confirmations_view", "in_transit", "kpis_now", "kpis_view", "pallet_view", "receiving_view",
    "recent_loads_view", "recently_unloaded", "snapshot", "trailer_view", "truck_view",
]

FLOW_STATES = frozenset({"staged", "breakdown", "unrouted"})
"""Pallets shown in the flow panel (assigned pallets show in their trailer's fill)."""

RECENT_LOADS = 12
"""Loaded pallets the snapshot lists (``recent_loads``, newest first) for the flow panel's latest loads."""

RECEIVING_LISTED: Final = 8
"""SSCCs a truck's ``receiving`` lists of each kind of discrepancy (short, over, mismatched); its counts tell
how many more there are."""

UNLOADED_SHOWN: Final = 5
"""Unloaded trucks (with an advance shipping notice) the queue keeps showing, the latest first..."""
UNLOADED_SHOWN_FOR: Final = timedelta(hours=8)
"""... for this long after they were unloaded (a shift)."""


def trailer_view(state: SiteState, trailer: TrailerState, loads: LoadBook) -> dict[str, Any]:
    """A trailer's tile: ``pallets`` assigned to it (its meter), ``loaded`` of them confirmed loaded and how
    (``loaded_by``), from :meth:`LoadBook.fill` as ``GET /api/v1/trailers`` shows them."""
    plan = trailer.plan
    fill = loads.fill(plan.id)
    return {
        "id": plan.id, "door": plan.door, "destination": plan.destination,
        "destination_name": state.destinations[plan.destination].name,
        "capacity_pallets": plan.capacity_pallets, "capacity_kg": plan.capacity_kg,
        "pallets": fill.assigned, "kg": fill.kg, "loaded": fill.loaded, "loaded_by": fill.loaded_by,
        "departure": trailer.departure.isoformat(), "departed": trailer.departed, "reefer": plan.reefer,
    }


def pallet_view(row: PalletRow, loads: LoadBook) -> dict[str, Any]:
    """A pallet; a loaded one tells when (``loaded_at``) and how (``confirmed_by``) it was first confirmed."""
    load = loads.confirmation(row.sscc)
    return {
        "sscc": row.sscc, "state": row.state, "destination": row.destination, "trailer": row.trailer,
        "door": row.door, "target": row.target, "inbound_door": row.inbound_door,
        "first_seen": row.first_seen.isoformat(), "updated_at": row.updated_at.isoformat(),
        "temp": row.temp, "loaded": row.state == "loaded",
        "loaded_at": None if load is None else load.at.isoformat(), "confirmed_by": None if load is None else load.via,
    }


def recent_loads_view(state: SiteState, loads: LoadBook, limit: int = RECENT_LOADS) -> list[dict[str, Any]]:
    """The ``limit`` latest loads of pallets loaded now, newest first, as :func:`pallet_view` shows them."""
    return [pallet_view(state.pallets[load.sscc], loads) for load in loads.latest(limit)]


def in_transit(row: PalletRow) -> bool:
    """Assigned to a trailer, not yet confirmed aboard: on its way from the inbound door to the trailer."""
    return row.state == "assigned"


def confirmations_view(loads: LoadBook) -> dict[str, Any]:
    """Loads confirmed by handheld ``scan`` and by ``rfid`` door passage."""
    return {"loaded": loads.loaded_by()}


def truck_view(row: InboundTruckRow, receiving: Receiving | None = None) -> dict[str, Any]:
    """An inbound truck as the flow panel's queue shows it: its stored row, so with its advance shipping
    notice (``destinations``) and, while it waits, the latest plan's ``suggested_door``; ``receiving``
    (:func:`receiving_view`) when advance shipping notices announced its pallets, else ``None``."""
    out = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in dataclasses.asdict(row).items()}
    out["receiving"] = None if receiving is None else receiving_view(receiving)
    return out


def receiving_view(receiving: Receiving, listed: int = RECEIVING_LISTED) -> dict[str, Any]:
    """A truck's receiving, small: the counts always; ``listed`` (the first ``listed`` SSCCs short and over,
    and mismatched with their fields, ``field → [label, advice]``) only when it has a discrepancy."""
    out: dict[str, Any] = {
        "announced": receiving.announced, "received": len(receiving.received), "pending": len(receiving.pending),
        "short": len(receiving.short), "over": len(receiving.over), "mismatched": len(receiving.mismatched),
    }
    if receiving.short or receiving.over or receiving.mismatched:
        out["listed"] = {
            "short": list(receiving.short[:listed]), "over": list(receiving.over[:listed]),
            "mismatched": [{"sscc": m.sscc, "fields": m.fields} for m in receiving.mismatched[:listed]],
        }
    return out


def recently_unloaded(trucks: Sequence[InboundTruckRow], now: datetime) -> list[InboundTruckRow]:
    """The trucks unloaded within :data:`UNLOADED_SHOWN_FOR` of ``now``, the latest first, at most
    :data:`UNLOADED_SHOWN`."""
    since = now - UNLOADED_SHOWN_FOR
    done = [t for t in trucks if t.state == "unloaded" and t.unloaded_at is not None and t.unloaded_at >= since]
    return sorted(done, key=lambda t: (t.unloaded_at or now, t.id), reverse=True)[:UNLOADED_SHOWN]


def alert_view(row: AlertRow) -> dict[str, Any]:
    """Every field the store keeps for an alert (lifecycle fields included when the store has them)."""
    return {
        k: v.isoformat() if isinstance(v, datetime) else v for k, v in dataclasses.asdict(row).items()
    }


def kpis_now(
    state: SiteState, loads: LoadBook, now: datetime, departed_at: Mapping[str, datetime] | None = None, *,
    left_behind: Mapping[str, int] | None = None, trucks: Sequence[InboundTruckRow] = (),
) -> Kpis:
    """The KPIs at ``now``; ``departed_at``: when a supervisor marked each departed trailer departed,
    ``left_behind``: how many of its pallets it left without; ``trucks``: the inbound trucks."""
    config = state.config
    positions = {d.id: (d.x, d.y) for d in config.doors} | {a.id: (a.x, a.y) for a in config.areas}
    return compute_kpis(
        state.pallets.values(), state.trailers.values(), outbound_doors=[d.id for d in config.doors if d.ships],
        positions=positions, loaded=loads.loaded, wrong_door_scans_stopped=loads.wrong_door_scans_stopped,
        portal_misloads=loads.portal_misloads, now=now,
        departed_at=departed_at, left_behind=left_behind, trucks=trucks,
    )


def kpis_view(kpis: Kpis) -> dict[str, Any]:
    out = dataclasses.asdict(kpis)
    out["series"] = list(kpis.series)
    out["series_start"] = kpis.series_start.isoformat()
    out["door_utilisation"] = round(kpis.door_utilisation, 3)
    return out


def snapshot(
    state: SiteState, loads: LoadBook, alerts: list[AlertRow], now: datetime, *, dwell_red_s: float,
    departed_at: Mapping[str, datetime] | None = None, trucks: Sequence[InboundTruckRow] = (),
    left_behind: Mapping[str, int] | None = None, receiving: Mapping[str, Receiving] | None = None,
) -> dict[str, Any]:
    """Everything the dashboard shows, at ``now``; ``trucks``: the inbound trucks (unloaded ones are left out
    of the queue, not of the KPIs' truck waits; the latest unloaded ones with a notice are ``unloaded_trucks``);
    ``receiving``: the receiving of the trucks advance shipping notices announced, by truck."""
    receiving = receiving or {}
    loads.refresh()
    inbound: dict[str, int] = {}
    for row in state.pallets.values():
        inbound[row.inbound_door] = inbound.get(row.inbound_door, 0) + 1
    return {
        "type": "snapshot", "now": now.isoformat(), "site": state.config.site, "timezone": state.config.timezone,
        "dwell_red_s": dwell_red_s,
        "doors": [{"id": d.id, "role": d.role, "x": d.x, "y": d.y} for d in state.config.doors],
        "trailers": [trailer_view(state, t, loads) for t in state.trailers.values()],
        "flow": [pallet_view(r, loads) for r in state.pallets.values() if r.state in FLOW_STATES],
        "inbound": inbound,
        "transit": [pallet_view(r, loads) for r in state.pallets.values() if in_transit(r)],
        "recent_loads": recent_loads_view(state, loads),
        "trucks": [truck_view(t, receiving.get(t.id)) for t in trucks if t.state != "unloaded"],
        "unloaded_trucks": [
            truck_view(t, receiving[t.id]) for t in recently_unloaded(trucks, now) if t.id in receiving],
        "unloaded_shown_s": UNLOADED_SHOWN_FOR.total_seconds(),
        "alerts": [alert_view(a) for a in alerts],
        "kpis": kpis_view(kpis_now(state, loads, now, departed_at, left_behind=left_behind, trucks=trucks)),
        "confirmations": confirmations_view(loads),
    }

"""What a simulated run is made of, and what it yields: the contract between scenarios, engine and report.

A scenario file (:mod:`xdock.simulation.scenario`) and a seed give one :class:`Day`: the site, the
horizon, the forklift fleet, every inbound truck with its pallets, every outbound trailer, the scripted
disturbances and the CO2e factors, all drawn once so that every policy runs on the same random streams
(common random numbers). The engine (:mod:`xdock.simulation.engine`) runs one :class:`Day` under a
policy and returns a :class:`PolicyRun`: one :class:`PalletRecord` per pallet, the trailers' departures,
the doors' occupancy, staging occupancy over time and the forklifts' work. KPIs and the report are
computed from those records only.

Times are minutes from the start of the run (``start``, an aware datetime); distances are metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from xdock.central.site_file.config import SiteConfig

__all__ = [
    "Co2Factors",
    "Day",
    "DepartureRecord",
    "Disturbance",
    "DisturbanceKind",
    "DoorSpan",
    "Fleet",
    "InboundTruck",
    "OutboundTrailer",
    "Outcome",
    "PalletPlan",
    "PalletRecord",
    "PolicyRun",
    "Temp",
]

Temp = Literal["ambient", "chilled", "frozen"]
Outcome = Literal["loaded", "late", "on_site"]
"""A pallet at the end of a run: aboard a trailer that left in time for it, aboard one that left after its
due time or on no trailer past its due time (``late``), or still on site and not yet due (``on_site``)."""
DisturbanceKind = Literal["door_closed", "central_unreachable", "reefer_failure", "volume_peak"]


@dataclass(frozen=True)
class PalletPlan:
    """One pallet on an inbound truck, as its label and the supplier's notice say."""

    sscc: str
    destination: str
    """The site's destination id (its trailers go there)."""
    postal_code: str
    """The ship-to postal code printed on the label (one of the destination's)."""
    due_min: float
    """When the pallet must have left on a trailer to its destination."""
    temp: Temp = "ambient"
    dangerous: str | None = None
    """Dangerous-goods class, ``None`` for none."""


@dataclass(frozen=True)
class InboundTruck:
    id: str
    arrival_min: float
    """When it reaches the yard and asks for an inbound door."""
    pallets: tuple[PalletPlan, ...]
    supplier: str = ""


@dataclass(frozen=True)
class OutboundTrailer:
    id: str
    destination: str
    arrival_min: float
    """When it reaches the yard and asks for an outbound door."""
    departure_min: float
    """Its scheduled departure; it leaves then, or later if a pallet due on it is not aboard."""
    capacity: int
    reefer: bool = False
    accepts_hazmat: bool = True


@dataclass(frozen=True)
class Disturbance:
    """Something a scenario scripts: ``target`` is a door (door_closed), a trailer (reefer_failure) or
    empty (central_unreachable, volume_peak).

    A ``volume_peak`` (trucks come ``factor`` times as often) and a supplier's early or late trucks are
    already in the Day's trucks when it is drawn; the peak is listed here for the report only, and an
    engine must not apply it again."""

    kind: DisturbanceKind
    start_min: float
    end_min: float
    target: str = ""
    factor: float = 1.0


@dataclass(frozen=True)
class Fleet:
    forklifts: int
    speed_m_per_s: float
    handle_s: float
    """Seconds to pick up and to put down one pallet (each)."""
    unload_s: float | None = None
    """Seconds to take one pallet off a truck onto the dock (``None``: ``handle_s``)."""
    dock_apron: int | None = None
    """Pallets the dock at an inbound door holds waiting for a forklift; unloading pauses while it is
    full (``None``: no limit)."""


@dataclass(frozen=True)
class Co2Factors:
    """CO2e factors of a run, set in the scenario and printed in the report."""

    kg_per_forklift_km: float
    """Electric forklift: its energy per km times the grid's carbon intensity."""
    kg_per_trailer_departure: float
    """A trailer leaving (its share of the trip attributed to the site's handling)."""


@dataclass(frozen=True)
class Day:
    """Everything that happens in one run, drawn from a scenario and a seed."""

    scenario: str
    seed: int
    start: datetime
    horizon_min: float
    site: SiteConfig
    fleet: Fleet
    co2: Co2Factors
    trucks: tuple[InboundTruck, ...]
    trailers: tuple[OutboundTrailer, ...]
    disturbances: tuple[Disturbance, ...] = ()

    @property
    def pallet_count(self) -> int:
        return sum(len(t.pallets) for t in self.trucks)


@dataclass
class PalletRecord:
    """What happened to one pallet in one run (a row of ``pallets.csv``)."""

    sscc: str
    truck: str
    destination: str
    due_min: float
    arrived_min: float
    """Its truck reached the yard."""
    inbound_door: str | None = None
    unloaded_min: float | None = None
    """Scanned at the inbound door (the decision is taken then)."""
    decision: str | None = None
    """Where it was sent first: a trailer id, or a staging area id."""
    staged_min: float | None = None
    trailer: str | None = None
    """The trailer it was loaded on."""
    loaded_min: float | None = None
    departed_min: float | None = None
    outcome: Outcome = "on_site"
    handles: int = 0
    """Times a forklift carried it (1 straight to its trailer, 2 through staging, more when re-handled)."""
    travel_m: float = 0.0


@dataclass(frozen=True)
class DepartureRecord:
    trailer: str
    destination: str
    door: str
    scheduled_min: float
    departed_min: float
    pallets: int
    capacity: int

    @property
    def late(self) -> bool:
        return self.departed_min > self.scheduled_min


@dataclass(frozen=True)
class DoorSpan:
    """A door occupied by a truck (unloading) or a trailer (loading), for the door Gantt chart."""

    door: str
    kind: Literal["inbound", "outbound"]
    vehicle: str
    start_min: float
    end_min: float


@dataclass
class PolicyRun:
    """One policy's run of one :class:`Day`."""

    policy: str
    pallets: list[PalletRecord] = field(default_factory=list)
    departures: list[DepartureRecord] = field(default_factory=list)
    door_spans: list[DoorSpan] = field(default_factory=list)
    truck_waits_min: list[float] = field(default_factory=list)
    """Per inbound truck, minutes from arrival to an inbound door."""
    staging: list[tuple[float, int]] = field(default_factory=list)
    """Pallets in staging after each change: (minute, count)."""
    forklift_busy_min: float = 0.0
    forklift_m: float = 0.0
    cold_chain_min_out: float = 0.0
    """Minutes chilled or frozen pallets spent where their temperature is not kept."""

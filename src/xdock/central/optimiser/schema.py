"""What the optimiser knows of the floor: the planning schema, shared by the instant decision and the re-plan.

Pure values, no I/O and no clock: the caller passes ``now``. Central builds a :class:`Floor`
from its live state; the optimiser returns decisions and plans over it.

Vocabulary
    *direct*         a pallet for one destination goes straight to a trailer for it;
    *indirect*       a mixed pallet (several destinations) goes to a breakdown area first, its parts
                     are then scanned again as their own pallets;
    *staging*        a pallet with no suitable trailer yet waits in a staging area and is matched
                     again whenever the plan changes (a trailer appears, one frees room);
    *frozen*         a pallet already moving or loaded: no plan may change its trailer;
    *instructed*     the worker was already told where the pallet goes: changing it costs
                     :attr:`Rules.change_penalty_m` metres-equivalent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

__all__ = [
    "Area",
    "Door",
    "Floor",
    "InboundTruck",
    "Pallet",
    "PalletState",
    "Rules",
    "TempClass",
    "Trailer",
    "metres",
    "place_xy",
    "temp_class",
]

TempClass = Literal["ambient", "chilled", "frozen"]
PalletState = Literal["waiting", "staged", "moving", "loaded"]
"""``waiting`` at its inbound door or a breakdown area, ``staged`` in a staging area, ``moving`` on a
forklift towards its trailer, ``loaded`` in the trailer. Moving and loaded pallets are frozen."""


@dataclass(frozen=True)
class Door:
    """A dock door on the floor plan (metres)."""

    id: str
    x: float
    y: float
    inbound: bool
    outbound: bool
    open: bool = True


@dataclass(frozen=True)
class Area:
    """A floor area pallets can be sent to instead of a trailer."""

    id: str
    kind: Literal["staging", "breakdown"]
    x: float
    y: float
    temp: TempClass = "ambient"
    """Coldest class the area keeps: a chilled pallet may only stage in a chilled or frozen area."""


@dataclass(frozen=True)
class Trailer:
    """An outbound trailer of the day."""

    id: str
    destination: str
    door: str | None
    """Door it loads at; ``None`` while it is not placed at a door."""
    capacity_pallets: int
    capacity_kg: float
    departure: datetime
    reefer: bool = False
    """Refrigerated: may carry chilled and frozen pallets."""
    accepts_hazmat: bool = True
    """May carry dangerous goods at all (placarded, driver with ADR training)."""
    departed: bool = False
    loading_from: datetime | None = None
    """Earliest time it can be at a door (``None``: already on site)."""
    docked: bool = False
    """Physically at ``door``: its door can no longer change."""


@dataclass(frozen=True)
class InboundTruck:
    """A truck bringing pallets, expected or at a door."""

    id: str
    arrival: datetime
    unload: timedelta
    pallets: Mapping[str, int]
    """Pallets aboard by destination (from its advance shipping notice)."""
    door: str | None = None
    docked: bool = False
    """At ``door`` and unloading: its door can no longer change."""


@dataclass(frozen=True)
class Pallet:
    """A pallet in the building and what the plan must respect for it."""

    sscc: str
    destinations: tuple[str, ...]
    """One destination for a direct pallet; several for a mixed pallet; none if not yet known."""
    location: str
    """Door or area id where it stands now (for ``moving``/``loaded``: its trailer's door)."""
    state: PalletState = "waiting"
    weight_kg: float = 0.0
    temp: TempClass = "ambient"
    hazmat: str | None = None
    """Dangerous goods class (ADR/UN class such as ``"3"``), ``None`` for none."""
    expiry: date | None = None
    priority: int = 0
    """Higher goes first when room is short; expiry closer than :attr:`Rules.urgent_days` adds to it."""
    trailer: str | None = None
    """The trailer the current plan sends it to, if any."""
    instructed: bool = False
    """The worker was told ``trailer``; changing it costs :attr:`Rules.change_penalty_m`."""

    @property
    def frozen(self) -> bool:
        return self.state in ("moving", "loaded")

    @property
    def mixed(self) -> bool:
        return len(self.destinations) > 1


@dataclass(frozen=True)
class Rules:
    """Site rules the optimiser applies; defaults suit a general-merchandise cross-dock."""

    handling: timedelta = timedelta(minutes=15)
    """A trailer leaving sooner than this after now is not offered to a pallet on the floor."""
    change_penalty_m: float = 200.0
    """Cost, in metres of travel, of changing an instruction a worker already received."""
    unplaced_penalty_m: float = 10_000.0
    """Cost, in metres, of a pallet the re-plan leaves without a trailer that exists for it."""
    urgent_days: int = 2
    """A pallet expiring within this many days is urgent: it outranks normal pallets for room."""
    balance_weight_m: float = 5.0
    """Metres-equivalent per fill fraction: among near-equal trailers, prefer the emptier one."""
    departure_weight_m: float = 0.0
    """Metres-equivalent per minute a trailer leaves after now. Above 0 the trailer leaving first fills first
    (first out, first filled) unless a later one is nearer by more than this many metres a minute; at 0
    the nearest trailer wins and departure only breaks ties."""
    segregate: frozenset[frozenset[str]] = field(default_factory=frozenset)
    """Pairs of dangerous-goods classes that must not share a trailer (e.g. ``{"3", "5.1"}``)."""

    def departure_m(self, departure: datetime, now: datetime) -> float:
        """Metres-equivalent of sending a pallet to a trailer leaving at ``departure``, seen at ``now``."""
        if not self.departure_weight_m:
            return 0.0  # the default: departure only breaks ties
        return self.departure_weight_m * max(0.0, (departure - now).total_seconds() / 60.0)

    def incompatible(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.segregate


@dataclass(frozen=True)
class Floor:
    """The whole picture the optimiser plans over."""

    doors: Mapping[str, Door]
    areas: Mapping[str, Area]
    trailers: Mapping[str, Trailer]
    pallets: Mapping[str, Pallet]
    trucks: Mapping[str, InboundTruck] = field(default_factory=dict)
    rules: Rules = field(default_factory=Rules)

    def where(self, place: str) -> tuple[float, float]:
        """Coordinates of a door or an area."""
        return place_xy(self.doors, self.areas, place)


def place_xy(doors: Mapping[str, Door], areas: Mapping[str, Area], place: str) -> tuple[float, float]:
    """Coordinates of the door or area named ``place``."""
    door = doors.get(place)
    if door is not None:
        return door.x, door.y
    area = areas.get(place)
    if area is not None:
        return area.x, area.y
    raise KeyError(f"Unknown place {place!r}: neither a door nor an area")


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rectilinear travel across the floor between two points."""
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def temp_class(max_temp_c: float | None, *, chilled_max: float, frozen_max: float) -> TempClass:
    """The temperature class of a pallet whose label says it must stay at or below ``max_temp_c``, by the
    site's limits (``rules.chilled_max_c`` and ``rules.frozen_max_c`` of its site file)."""
    if max_temp_c is None:
        return "ambient"
    if max_temp_c <= frozen_max:
        return "frozen"
    if max_temp_c <= chilled_max:
        return "chilled"
    return "ambient"

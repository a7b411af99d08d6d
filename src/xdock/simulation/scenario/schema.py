"""The parts of a scenario file: fleet, CO2 factors, inbound trucks, outbound trailers, disturbances."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import time
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from xdock.protocol.identifiers import Id, PostalCode, Sscc
from xdock.simulation.model import Temp
from xdock.simulation.scenario.distributions import Distribution, NonNegative, Share, _Strict

DEFAULT_KG_CO2E_PER_FORKLIFT_KM = 0.062
"""An electric counterbalance forklift (2.5 t class), per km driven: about 1.2 kWh per km (our estimate: such
trucks draw some 4-5 kWh per hour of the VDI 2198 test cycle, which drives about 4 km an hour with its lifts)
times about 0.052 kg CO2e per kWh (the average French grid mix, ADEME Base Empreinte order of magnitude).
An estimate to replace with the site's own meter and grid factor (``co2.kg_per_forklift_km``)."""
DEFAULT_KG_CO2E_PER_TRAILER_DEPARTURE = 3.1
"""What a trailer's call at the site burns there: about 1 litre of diesel (15-20 minutes of manoeuvring and
idling at 2.5-3 L/h) times 3.1 kg CO2e per litre (UK DESNZ/DEFRA 2023 conversion factors, diesel with its
average biofuel blend: 2.51 kg tank-to-wheel plus about 0.6 kg well-to-tank). The trip itself is the
carrier's and not counted (``co2.kg_per_trailer_departure``)."""


class Forklifts(_Strict):
    count: Annotated[int, Field(ge=1, le=2000)] = 15
    speed_m_per_s: Annotated[float, Field(gt=0, le=10)] = 2.0
    """Average travel speed, loaded and empty (about 7 km/h: a counterbalance truck inside a building)."""
    handle_s: Annotated[float, Field(ge=0, le=600)] = 15.0
    """Seconds to pick up, and again to put down, one pallet."""
    unload_s: Annotated[float, Field(ge=0, le=3600)] | None = None
    """Seconds to take one pallet off a truck onto the dock (default: ``handle_s``)."""
    dock_apron: Annotated[int, Field(ge=1, le=1000)] | None = None
    """Pallets the dock at an inbound door holds waiting for a forklift; unloading pauses while it is full
    (default: no limit)."""


class Co2(_Strict):
    kg_per_forklift_km: Annotated[float, Field(ge=0, le=100)] = DEFAULT_KG_CO2E_PER_FORKLIFT_KM
    kg_per_trailer_departure: Annotated[float, Field(ge=0, le=10_000)] = DEFAULT_KG_CO2E_PER_TRAILER_DEPARTURE


class PalletItem(_Strict):
    """A listed pallet. Without ``sscc`` one is made; without ``postal_code`` one of its destination's is drawn."""

    destination: Id
    due_min: NonNegative
    """When it must have left on a trailer, minutes from the start."""
    sscc: Sscc | None = None
    postal_code: PostalCode | None = None
    temp: Temp = "ambient"
    dangerous: Annotated[str, StringConstraints(min_length=1, max_length=8)] | None = None


class TruckItem(_Strict):
    id: Id
    arrival_min: NonNegative
    supplier: Annotated[str, StringConstraints(max_length=64)] = ""
    pallets: Annotated[list[PalletItem], Field(min_length=1)]


def _all_ambient() -> dict[Temp, float]:
    return {"ambient": 1.0}


class InboundGenerate(_Strict):
    """Trucks arriving by a renewal process: ``interarrival_min`` apart, at a rate scaled by the local hour
    (``rate_by_hour``, 24 factors; a factor 2 makes trucks come twice as often) and by volume peaks."""

    interarrival_min: Distribution
    rate_by_hour: Annotated[list[NonNegative], Field(min_length=24, max_length=24)] | None = None
    first_arrival_min: NonNegative = 0.0
    pallets_per_truck: Distribution
    """Rounded to a whole number, at least 1."""
    destinations: dict[str, NonNegative] | None = None
    """Destination id → weight of a pallet going there; every destination of the site alike when absent."""
    due_min: Distribution
    """A pallet's due time, minutes after its truck's (scheduled) arrival."""
    temperature: dict[Temp, NonNegative] = Field(default_factory=_all_ambient)
    """Temperature class → weight."""
    dangerous_share: Share = 0.0
    dangerous_classes: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=8)]],
                                 Field(min_length=1)] = Field(default_factory=lambda: ["3"])
    suppliers: Annotated[list[Id], Field(min_length=1)] = Field(default_factory=lambda: ["SUPPLIER"])
    """Each truck's supplier is drawn from these, alike."""
    truck_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")] = "IN"

    @field_validator("rate_by_hour")
    @classmethod
    def _some_rate(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and not any(value):
            raise ValueError("every hour's factor is 0: no truck would ever come")
        return value

    @field_validator("destinations", "temperature")
    @classmethod
    def _some_weight(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None and not any(value.values()):
            raise ValueError(f"the weights {value!r} add up to 0")
        return value


class InboundSpec(_Strict):
    generate: InboundGenerate | None = None
    trucks: list[TruckItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> InboundSpec:
        if self.generate is None and not self.trucks:
            raise ValueError("give generate, trucks or both")
        return self


class Rolling(_Strict):
    """A rolling schedule per destination, sized from the inbound volume: the next trailer leaves when the
    pallets expected for that destination since the last one fill ``1 / cover`` of a trailer, at most
    ``max_headway_min`` later; the first leaves at a random phase after ``first_departure_min``."""

    cover: Annotated[float, Field(ge=0.1, le=10)] = 1.25
    max_headway_min: Annotated[float, Field(gt=0, le=10_080)] = 240.0
    first_departure_min: NonNegative = 60.0
    reefers: Literal["share", "cold_volume"] = "share"
    """``share``: each trailer is a reefer with ``reefer_share``; ``cold_volume``: each destination runs two
    schedules, dry trailers sized from its ambient volume and reefers sized from its chilled and frozen
    volume (``reefer_share`` must then be 0)."""


class OutboundGenerate(_Strict):
    """Trailers: by one arrival process (``interarrival_min``, each one's destination drawn by weight), by a
    ``rolling`` schedule per destination, or by a daily ``timetable`` of local departure times per destination."""

    capacity: Distribution = Field(default_factory=lambda: Distribution.model_validate(33))
    """Pallets a trailer takes, rounded, at least 1."""
    dwell_min: Distribution
    """Minutes from a trailer's arrival to its scheduled departure."""
    reefer_share: Share = 0.0
    hazmat_share: Share = 1.0
    """The share of trailers that may carry dangerous goods."""
    destinations: dict[str, NonNegative] | None = None
    """Destination id → weight (interarrival) or the destinations served (rolling); all when absent."""
    interarrival_min: Distribution | None = None
    rolling: Rolling | None = None
    timetable: dict[str, list[time]] | None = None

    @field_validator("timetable", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        if not isinstance(value, Mapping):
            return value
        out: dict[object, object] = {}
        for dest, times in value.items():
            if not isinstance(times, list):
                raise ValueError(  # noqa: TRY004  (pydantic reports ValueError with the field's path)
                    f"{dest}: expected a list of departure times HH:MM, got {times!r}")
            out[dest] = [_time_of_day(t, f"{dest}") for t in times]
        return out

    @model_validator(mode="after")
    def _one_process(self) -> OutboundGenerate:
        given = [k for k in ("interarrival_min", "rolling", "timetable") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of interarrival_min, rolling, timetable (got {given or 'none'})")
        if self.rolling is not None and self.rolling.reefers == "cold_volume" and self.reefer_share != 0:
            raise ValueError(f"reefer_share: must be 0 with rolling.reefers: cold_volume (the reefers are sized "
                             f"from the cold volume), got {self.reefer_share}")
        return self


class TrailerItem(_Strict):
    id: Id
    destination: Id
    arrival_min: NonNegative
    departure_min: NonNegative
    capacity: Annotated[int, Field(ge=1, le=100)]
    reefer: bool = False
    accepts_hazmat: bool = True


class OutboundSpec(_Strict):
    generate: OutboundGenerate | None = None
    trailers: list[TrailerItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> OutboundSpec:
        if self.generate is None and not self.trailers:
            raise ValueError("give generate, trailers or both")
        return self


class _Window(_Strict):
    start_min: NonNegative
    end_min: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> _Window:
        if self.end_min <= self.start_min:
            raise ValueError(f"end_min {self.end_min:g} is not after start_min {self.start_min:g}")
        return self


class DoorClosed(_Window):
    kind: Literal["door_closed"]
    door: Id


class CentralUnreachable(_Window):
    kind: Literal["central_unreachable"]


class ReeferFailure(_Window):
    """A reefer stops cooling: a listed ``trailer``, or the reefer trailer to ``destination`` at the door at
    ``start_min`` (else the next one to arrive)."""

    kind: Literal["reefer_failure"]
    trailer: Id | None = None
    destination: Id | None = None

    @model_validator(mode="after")
    def _which(self) -> ReeferFailure:
        if (self.trailer is None) == (self.destination is None):
            raise ValueError("give trailer or destination (one of them)")
        return self


class VolumePeak(_Window):
    """Generated trucks come ``factor`` times as often between ``start_min`` and ``end_min``."""

    kind: Literal["volume_peak"]
    factor: Annotated[float, Field(gt=0, le=100)]


class SupplierShift(_Strict):
    """Trucks arriving early or late by ``shift_min``: those of ``supplier``, or a ``share`` of all, among the
    trucks scheduled between ``start_min`` and ``end_min``. Their pallets keep their due times."""

    kind: Literal["supplier_early", "supplier_late"]
    supplier: Id | None = None
    share: Share | None = None
    shift_min: Distribution
    start_min: NonNegative = 0.0
    end_min: Annotated[float, Field(ge=0)] = math.inf

    @model_validator(mode="after")
    def _which(self) -> SupplierShift:
        if (self.supplier is None) == (self.share is None):
            raise ValueError("give supplier or share (one of them)")
        return self


DisturbanceSpec = Annotated[
    DoorClosed | CentralUnreachable | ReeferFailure | VolumePeak | SupplierShift, Field(discriminator="kind")
]


def _time_of_day(value: object, where: str) -> time:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)  # YAML 1.1 reads an unquoted 16:40 as 1000
    if isinstance(value, str) and re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        return time(int(value[:2]), int(value[3:]))
    raise ValueError(f"{where}: expected a time of day HH:MM, got {value!r}")

"""What a policy decides in a simulated run, and the one interface every policy implements.

The engine (:mod:`xdock.simulation.engine`) moves trucks, trailers, pallets and forklifts; a
:class:`Policy` decides: the inbound door of a truck, the outbound door of a trailer, and where each
pallet goes (a :class:`Target`: a trailer, or a staging area). Every event a policy hears answers the
pallets whose target it changed (:data:`Changes`): the pallet just scanned, staged pallets given a
trailer that docked, pallets of a trailer that left without them, pallets central answered once the
edges reached it again after an outage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from xdock.simulation.model import Day, InboundTruck, OutboundTrailer, PalletPlan

__all__ = ["Changes", "Policy", "Target"]


@dataclass(frozen=True)
class Target:
    """Where a pallet is sent: ``trailer`` (``place`` is its id) or ``staging`` (``place`` is an area id)."""

    kind: Literal["trailer", "staging"]
    place: str


Changes = Mapping[str, Target | None]
"""SSCC → its new target (``None``: it stays where it stands, no place for it)."""


class Policy(Protocol):
    """Decisions of one run; times are minutes from ``Day.start``."""

    name: str
    tick_every_min: float | None
    """Minutes of site time between two :meth:`tick` calls (``None``: never)."""

    def begin(self, day: Day) -> None:
        """The run starts (before any other call)."""

    def inbound_door(self, truck: InboundTruck, free: Sequence[str], now: float) -> str | None:
        """The door among ``free`` (inbound doors, in the site file's order) ``truck`` unloads at; ``None``: wait."""

    def outbound_door(self, trailer: OutboundTrailer, free: Sequence[str], now: float) -> str | None:
        """The door among ``free`` (outbound doors) ``trailer`` loads at; ``None``: wait."""

    def truck_docked(self, truck: InboundTruck, door: str, now: float) -> None:
        """``truck`` is at ``door`` and starts unloading."""

    def truck_unloaded(self, truck: InboundTruck, now: float) -> Changes:
        """``truck`` is empty and leaves its door."""

    def scanned(self, pallet: PalletPlan, door: str, now: float) -> Changes:
        """``pallet`` was unloaded and scanned at inbound ``door``; the answer holds its target."""

    def trailer_docked(self, trailer: OutboundTrailer, door: str, now: float) -> Changes:
        """``trailer`` is at ``door`` and takes pallets from now on."""

    def loaded(self, sscc: str, trailer: str, now: float) -> Changes:
        """``sscc`` was put aboard ``trailer``."""

    def trailer_departed(self, trailer: OutboundTrailer, now: float) -> Changes:
        """``trailer`` left; its pallets not aboard need another target."""

    def door_closed(self, door: str, now: float) -> Changes:
        """``door`` closed (a disturbance): it takes no vehicle, and its trailer no more pallets, until opened."""

    def door_opened(self, door: str, now: float) -> Changes:
        """``door`` opened again."""

    def tick(self, now: float) -> Changes:
        """Site time passed (every :attr:`tick_every_min`, from minute 0)."""

    def central_lost(self, now: float) -> None:
        """The edges cannot reach central from now on (a ``central_unreachable`` disturbance starts); a
        policy with no central does nothing."""

    def central_back(self, now: float) -> Changes:
        """The edges reach central again; the pallets whose target that changes."""

    def end(self, now: float) -> None:
        """The run is over: release what the policy holds."""

"""Scripted tag populations for the LLRP reader mock: which tag each antenna sees, when, how loud.

A :class:`TagPass` is one tag in one antenna's field for a while: a pallet carried through a
portal passes antenna 1 then antenna 2; a tag parked near the neighbouring door sits in an
antenna's field for minutes at a weak RSSI. Times are seconds from the script's start.

A real reader reads whatever crossed its field during an inventory round. The mock reads at the
instant of each round; when a round comes late (a busy host), :meth:`TagPopulation.between` still
reports a pass that began and ended since the round before, once, at the middle of the pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["TagPass", "TagPopulation", "TagSighting"]


@dataclass(frozen=True)
class TagPass:
    """A tag in one antenna's field from ``start_s`` to ``end_s`` (seconds from the script's start)."""

    epc: bytes
    antenna_id: int
    start_s: float
    end_s: float
    peak_rssi: int = -50
    """dBm at the middle of the pass."""
    falloff_db_per_s: float = 0.0
    """How fast RSSI drops either side of the middle (0: constant)."""

    def __post_init__(self) -> None:
        if not self.epc:
            raise ValueError("TagPass epc: expected at least one byte")
        if not 1 <= self.antenna_id <= 0xFFFF:
            raise ValueError(f"TagPass antenna_id {self.antenna_id}: expected 1 to 65535")
        if self.end_s < self.start_s:
            raise ValueError(f"TagPass end_s {self.end_s}: expected at least start_s {self.start_s}")

    def rssi_at(self, t: float) -> int:
        """The RSSI at ``t`` seconds, clamped to -128 dBm."""
        middle = (self.start_s + self.end_s) / 2
        return max(-128, round(self.peak_rssi - self.falloff_db_per_s * abs(t - middle)))


@dataclass(frozen=True)
class TagSighting:
    """One tag read at one instant."""

    epc: bytes
    antenna_id: int
    rssi: int
    at_s: float | None = None
    """Script time of the read when it is not the round's own instant (a pass caught up by a late round)."""


class TagPopulation:
    """The tags a reader's antennas will see, as a list of passes."""

    def __init__(self, passes: Iterable[TagPass] = ()) -> None:
        self._passes: list[TagPass] = list(passes)

    def add(self, *passes: TagPass) -> None:
        """Script more passes."""
        self._passes.extend(passes)

    def visible(self, t: float, antennas: frozenset[int] | None = None) -> list[TagSighting]:
        """Tags in the field at ``t`` on ``antennas`` (None: all), in script order."""
        return [
            TagSighting(p.epc, p.antenna_id, p.rssi_at(t))
            for p in self._passes
            if p.start_s <= t <= p.end_s and (antennas is None or p.antenna_id in antennas)
        ]

    def between(self, after: float, t: float, antennas: frozenset[int] | None = None) -> list[TagSighting]:
        """Passes wholly inside ``(after, t)``, missed by the rounds at both ends: one sighting each, at the middle."""
        return [
            TagSighting(p.epc, p.antenna_id, p.peak_rssi, at_s=(p.start_s + p.end_s) / 2)
            for p in self._passes
            if after < p.start_s and p.end_s < t and (antennas is None or p.antenna_id in antennas)
        ]

    def pending_after(self, t: float) -> bool:
        """Whether any pass is still in the field at or after ``t``."""
        return any(p.end_s >= t for p in self._passes)

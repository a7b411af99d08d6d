"""The thresholds of one RFID door portal, validated once (see :mod:`xdock.edge.portal`).

A portal has antennas on both sides of its door: ``outside_antennas`` face the dock apron (the
trailer side), ``inside_antennas`` face the building. Antennas listed in ``neighbour_antennas``
(or any antenna not listed at all) look towards a neighbouring door; a tag seen only there is a
cross-read. Every refusal is a :class:`PortalConfigError` naming the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["PortalConfig", "PortalConfigError"]


class PortalConfigError(ValueError):
    """A portal threshold is out of range; the message names the field."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"PortalConfig.{field}: {detail}")
        self.field = field


@dataclass(frozen=True)
class PortalConfig:
    """Where a portal's antennas look and when a tag's reads make a door passage."""

    door: str
    """The door this portal watches, e.g. ``"D12"``."""
    outside_antennas: frozenset[int]
    """Antenna ids on the apron side of the door (a pallet coming in passes these first)."""
    inside_antennas: frozenset[int]
    """Antenna ids on the building side of the door (a pallet going out passes these first)."""
    neighbour_antennas: frozenset[int] = frozenset()
    """Antenna ids that also see the neighbouring door; their reads never count towards a passage."""
    min_rssi_dbm: int = -65
    """A read weaker than this (dBm) is a cross-read candidate and never counts towards a passage."""
    min_dwell_s: float = 0.1
    """A passage needs strong reads spanning at least this long (first to last), in seconds."""
    track_gap_s: float = 1.0
    """A tag not read for this long has left the portal: its reads are judged (passage or cross-read)."""
    dedup_window_s: float = 5.0
    """After a passage, further reads of the same EPC for this long are duplicates and ignored."""

    def __post_init__(self) -> None:
        if not self.door.strip():
            raise PortalConfigError("door", "expected a door name, got an empty string")
        for name in ("outside_antennas", "inside_antennas", "neighbour_antennas"):
            ids: frozenset[int] = getattr(self, name)
            bad = sorted(i for i in ids if not 1 <= i <= 0xFFFF)
            if bad:
                raise PortalConfigError(name, f"antenna ids {bad} are outside 1 to 65535")
        if not self.outside_antennas:
            raise PortalConfigError("outside_antennas", "expected at least one antenna")
        if not self.inside_antennas:
            raise PortalConfigError("inside_antennas", "expected at least one antenna")
        both = self.outside_antennas & self.inside_antennas
        if both:
            raise PortalConfigError("inside_antennas", f"antennas {sorted(both)} are also outside antennas")
        shared = (self.outside_antennas | self.inside_antennas) & self.neighbour_antennas
        if shared:
            raise PortalConfigError("neighbour_antennas", f"antennas {sorted(shared)} are also door antennas")
        if not -128 <= self.min_rssi_dbm <= 127:
            raise PortalConfigError("min_rssi_dbm", f"expected -128 to 127 dBm, got {self.min_rssi_dbm}")
        for name in ("min_dwell_s", "track_gap_s", "dedup_window_s"):
            value: float = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise PortalConfigError(name, f"expected a finite number of seconds >= 0, got {value}")
        if self.track_gap_s <= 0:
            raise PortalConfigError("track_gap_s", f"expected more than 0 s, got {self.track_gap_s}")

"""What kind of reader the LLRP reader mock plays (:mod:`.llrp_reader`), in a module of its own.

The reader, its configuration answers (:mod:`.llrp_config`) and its capabilities (:mod:`.llrp_capabilities`)
all read it, so it depends on none of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ReaderConfig"]


@dataclass(frozen=True)
class ReaderConfig:
    """What kind of reader the mock plays."""

    antennas: int = 4
    """Antenna ports, numbered from 1."""
    report_interval_s: float = 0.1
    """Clock seconds between inventory rounds (one RO_ACCESS_REPORT per round with tags in view)."""
    keepalive_s: float | None = None
    """Seconds (event-loop time) between KEEPALIVE messages until a client sets a KeepaliveSpec; None
    sends none (a real reader's default)."""
    manufacturer: int = 0
    """IANA private enterprise number reported in GeneralDeviceCapabilities."""
    model: int = 1
    firmware_version: str = "xdock-llrp-mock 1.0"

    def __post_init__(self) -> None:
        keepalive = self.keepalive_s
        if keepalive is not None and not (math.isfinite(keepalive) and keepalive > 0):
            raise ValueError(f"ReaderConfig.keepalive_s: expected a finite number of seconds > 0, got {keepalive}")

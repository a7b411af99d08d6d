"""The script of a site hour: what each door scans and carries through its portal, and when the faults strike.

Two inbound doors, ``D1`` and ``D2``, each with its edge (``edge-d1``), mock scanner, LLRP portal and
sensor node (``node-d1``, temperature and humidity). Door ``i``'s pallets are SSCCs of company prefix
``37613032{i}``, serials 1, 2, ...: the scanner reads ``scans_per_door`` labels at a steady pace over
the hour, the portal sees the first ``passages_per_door`` of those pallets come in through the door,
evenly over the hour, and the node samples its sensors every ``sample_s`` seconds of site time.
Central ``central-a`` is SIGKILLed at ``kill_at`` of the hour (``central-b`` stands by to take over);
the broker is stopped at ``broker_restart_at`` and started again ``broker_down_s`` wall seconds later.

Site time runs ``speed`` times faster than the wall clock (``--sim-speed`` of central, edges and nodes;
the LLRP mock's pallets run on the wall clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.testing.stream_site import DESTINATIONS, postal

__all__ = ["DOORS", "SIM_START", "WARM_UP_SERIAL", "Door", "HourPlan"]

SIM_START = datetime.fromisoformat("2026-11-23T06:00:00+01:00")
WARM_UP_SERIAL = 9_000_000
"""Serial of each door's warm-up pallet (scanned until the edge answers, before the hour starts)."""


@dataclass(frozen=True)
class Door:
    """One inbound door and what watches it."""

    id: str
    edge_id: str
    node_id: str
    company_prefix: str

    def sscc(self, serial: int) -> str:
        """Pallet ``serial``'s SSCC, numbered as ``xdock mock llrp-reader --pallets`` numbers its pallets:
        extension digit 0, the company prefix, the serial, the check digit."""
        return sscc_with_check_digit("0" + self.company_prefix + str(serial).zfill(16 - len(self.company_prefix)))

    def label(self, serial: int) -> tuple[str, str, str]:
        """``(sscc, label text, destination)`` of pallet ``serial``: consecutive serials cycle through the
        destinations."""
        sscc = self.sscc(serial)
        dest = serial % len(DESTINATIONS)
        return sscc, build_label(sscc, ship_to_postal=postal(dest)), DESTINATIONS[dest]


DOORS = (
    Door("D1", "edge-d1", "node-d1", "376130321"),
    Door("D2", "edge-d2", "node-d2", "376130322"),
)


@dataclass(frozen=True)
class HourPlan:
    site_minutes: float = 60.0
    """Length of the hour in site minutes (a shorter one for a test)."""
    speed: float = 30.0
    """Site seconds per wall second."""
    scans_per_door: int = 600
    passages_per_door: int = 120
    sample_s: float = 10.0
    """Site seconds between two samples of a sensor node."""
    kill_at: float = 1 / 3
    """Fraction of the hour at which the leading central is SIGKILLed."""
    broker_restart_at: float = 2 / 3
    """Fraction of the hour at which the broker is stopped."""
    broker_down_s: float = 3.0
    """Wall seconds the broker stays down."""
    first_pallet_s: float = 3.0
    """Wall seconds from an edge's first connection to its portal reader until the first pallet comes in."""
    scrape_interval_s: float = 1.0
    """Wall seconds between two scrapes of every ``/metrics`` by VictoriaMetrics."""
    start_timeout_s: float = 60.0
    """Wall seconds for everything to start and every scanner to be answered once."""
    drain_timeout_s: float = 60.0
    """Wall seconds after the hour for the store to hold everything sent."""

    def __post_init__(self) -> None:
        if self.site_minutes <= 0 or self.speed <= 0 or self.sample_s <= 0 or self.broker_down_s < 0:
            raise ValueError(f"Invalid hour plan: times and speed must be positive, got {self}")
        if not 0 <= self.first_pallet_s < self.wall_s:
            raise ValueError(f"Invalid hour plan: first_pallet_s must be within the hour's {self.wall_s} wall seconds, "
                             f"got {self.first_pallet_s}")
        if not 1 <= self.passages_per_door <= self.scans_per_door < WARM_UP_SERIAL:
            raise ValueError(
                f"Invalid hour plan: need 1 <= passages_per_door <= scans_per_door < {WARM_UP_SERIAL}, got "
                f"{self.passages_per_door} and {self.scans_per_door}"
            )
        if not 0 < self.kill_at < self.broker_restart_at < 1:
            raise ValueError(
                f"Invalid hour plan: need 0 < kill_at < broker_restart_at < 1, got {self.kill_at} and "
                f"{self.broker_restart_at}"
            )

    @property
    def wall_s(self) -> float:
        """The hour's length in wall seconds."""
        return self.site_minutes * 60 / self.speed

    @property
    def scan_interval_s(self) -> float:
        """Wall seconds between two scans of one scanner."""
        return self.wall_s / self.scans_per_door

    @property
    def passage_every_s(self) -> float:
        """Wall seconds between two pallets through one portal: the last one passes within the hour (its reader's
        script starts when the edge connects, before the hour)."""
        return (self.wall_s - self.first_pallet_s) / self.passages_per_door

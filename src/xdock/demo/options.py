"""What ``xdock demo`` runs with: :class:`DemoOptions`, the one place of its defaults.

A module of its own, light to import: the ``xdock demo`` parser reads its defaults from it without
loading the demo's composition root (:mod:`xdock.demo.runner`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xdock.protocol.broker_url import BrokerUrl

__all__ = ["DemoOptions"]


@dataclass(frozen=True)
class DemoOptions:
    duration: float | None = None
    """Stop after this many seconds (``None``: at the end of the day, or Ctrl-C)."""
    broker: BrokerUrl | None = None
    """External broker; ``None`` starts one in-process."""
    speed: float = 30.0
    """Site time runs this many times faster than the wall clock."""
    scenario: str = "demo"
    """The day to run: a demo scenario's name (:func:`xdock.demo.day.demo_scenarios`) or a scenario file."""
    seed: int = 7
    """Seed of the day (its trucks, pallets and trailers) and of the workers' slips."""
    api_port: int | None = 0
    """Central's REST API port (``0``: any free port; ``None``: no API)."""
    workdir: Path | None = None
    """Where the store and edge state go (default: a temporary folder, removed at the end)."""
    doors: tuple[str, ...] = ("D1", "D2")
    """Inbound doors that get an edge agent and a scanner: the only ones the day's trucks unload at."""
    live: bool = True
    """Redraw a full frame in place (a terminal) instead of printing a line per scan."""
    devices: bool = True
    """Also run the RFID portals (readers, their edges, forklifts) and the dock sensors."""
    misload_chance: float = 0.15
    """Chance that a forklift takes a pallet through the neighbouring portal first (seeded per pallet)."""

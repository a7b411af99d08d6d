"""The demo's RFID portals: an LLRP reader mock at each portal door, its edge agent, and forklifts through them.

Each portal door (D12 and D13 in the demo site: the trailers to Lyon and Paris, side by side) gets
an :class:`~xdock.firmware_mocks.llrp_reader.LlrpReaderMock` on a free loopback port and an edge
agent configured as ``xdock edge --door D12 --reader rfid-D12=127.0.0.1:PORT@D12`` with a mock
scanner as the door's display (where central's STOP shows). Antenna 1 faces the apron, antenna 2
the building; antenna 3 looks towards the neighbouring door, so a pallet going through one portal
is also a weak cross-read at the other.

When a forklift brings a pallet to the trailer at a portal door (the demo's day, :mod:`xdock.demo.live_policy`),
:meth:`Portals.load` takes it through the door's antennas (building side first: ``out``) and central
confirms it loaded. A pallet chosen by :func:`wrong_door_first` goes through the neighbouring portal
first — central raises a ``misload`` alert and the display there shows ``STOP D13 -> D12`` — and then,
after turning round, through the right one.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from pathlib import Path

from xdock.demo.broker import DEMO_LINK
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.edge.portals import PortalReader
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock, ReaderConfig
from xdock.firmware_mocks.llrp_tags import TagPass
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.protocol.epc import Sscc96

__all__ = ["PORTAL_DOORS", "PortalStats", "Portals", "open_portals", "wrong_door_first"]

PORTAL_DOORS = ("D12", "D13")
OUTSIDE, INSIDE, NEIGHBOUR = 1, 2, 3
_REPORT_INTERVAL_S = 0.25
"""Site-time seconds between inventory rounds; well under the portal's 1 s track gap at any speed."""
_TURN_S = 90.0
"""Site-time seconds from a STOP at the wrong door to the right door."""


def wrong_door_first(seed: int, sscc: str, chance: float) -> bool:
    """Whether the forklift takes pallet ``sscc`` through the neighbouring door first (seeded per pallet)."""
    return random.Random(f"{seed}/{sscc}").random() < chance


@dataclass
class PortalStats:
    carried: list[tuple[str, str]] = field(default_factory=list)
    """``(sscc, door)`` of each pallet driven through its door's portal, in order."""
    wrong_door: list[tuple[str, str]] = field(default_factory=list)
    """``(sscc, door)`` of each pallet driven through a neighbouring portal first."""
    passes: int = 0
    """Passes scripted through a portal (the wrong door's and the right one's): central's passages to come."""


@dataclass
class Portals:
    """The running portal doors: readers, door displays and the edge configs that read them."""

    readers: dict[str, LlrpReaderMock]
    displays: dict[str, MockScanner]
    edges: list[EdgeConfig]
    clock: Clock
    seed: int
    misload_chance: float
    stats: PortalStats
    prefix_digits: int = 9
    """Digits of the labels' GS1 company prefix (the SSCC-96 partition of their tags)."""

    def __post_init__(self) -> None:
        self._orders: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._ordered: set[str] = set()

    def load(self, sscc: str, door: str) -> None:
        """A forklift is at portal ``door`` with pallet ``sscc``: take it through (once per pallet)."""
        if door not in self.readers:
            raise ValueError(f"door: {door} has no RFID portal (portals: {', '.join(self.readers)})")
        if sscc not in self._ordered:
            self._ordered.add(sscc)
            self._orders.put_nowait((sscc, door))

    def neighbour(self, door: str) -> str:
        doors = list(self.readers)
        return doors[(doors.index(door) + 1) % len(doors)]

    async def run(self) -> None:
        """Take orders and drive each pallet (concurrently, as several forklifts do) until cancelled."""
        async with asyncio.TaskGroup() as forklifts:
            while True:
                sscc, door = await self._orders.get()
                forklifts.create_task(self._carry(sscc, door))

    async def _carry(self, sscc: str, door: str) -> None:
        if len(self.readers) > 1 and wrong_door_first(self.seed, sscc, self.misload_chance):
            wrong = self.neighbour(door)
            self.stats.wrong_door.append((sscc, wrong))
            self.pass_through(sscc, wrong)
            await self.clock.sleep(_TURN_S)
        self.pass_through(sscc, door)
        self.stats.carried.append((sscc, door))

    def pass_through(self, sscc: str, door: str) -> None:
        """Script the pallet's tag through ``door``'s portal now: building side, then apron side (out)."""
        epc = Sscc96.from_sscc(sscc, company_prefix_length=self.prefix_digits).encode()
        self.stats.passes += 1
        reader = self.readers[door]
        t = reader.script_time() + 0.5
        reader.tags.add(TagPass(epc, INSIDE, t, t + 2.0, -48), TagPass(epc, OUTSIDE, t + 1.0, t + 3.0, -50))
        reader.wake()
        for other, seen_from in self.readers.items():
            if other != door:
                u = seen_from.script_time() + 0.5
                seen_from.tags.add(TagPass(epc, NEIGHBOUR, u, u + 3.0, -74))
                seen_from.wake()


async def open_portals(
    stack: contextlib.AsyncExitStack, *, site: str, broker: BrokerUrl, work: Path, clock: Clock, heartbeat_s: float,
    seed: int, prefix_digits: int, misload_chance: float, doors: tuple[str, ...] = PORTAL_DOORS,
    track_gap_s: float = 1.0,
) -> Portals:
    """Start a reader and a door display per portal door (closed with ``stack``); the edges to run for them."""
    readers: dict[str, LlrpReaderMock] = {}
    displays: dict[str, MockScanner] = {}
    edges = []
    for door in doors:
        reader = await stack.enter_async_context(
            LlrpReaderMock(clock=clock, config=ReaderConfig(antennas=4, report_interval_s=_REPORT_INTERVAL_S))
        )
        display = await stack.enter_async_context(MockScanner(link=work / f"display-{door}", name=f"display-{door}"))
        readers[door], displays[door] = reader, display
        edges.append(EdgeConfig(
            site=site, edge_id=f"edge-{door}", door=door, broker=broker, broker_link=DEMO_LINK,
            scanners=(ScannerPort("display", str(display.link)),), state_dir=work / f"edge-{door}",
            heartbeat_s=heartbeat_s, readers=(PortalReader(f"rfid-{door}", "127.0.0.1", reader.port, door),),
            portal_outside=frozenset({OUTSIDE}), portal_inside=frozenset({INSIDE}), portal_track_gap_s=track_gap_s,
        ))
    return Portals(readers, displays, edges, clock, seed, misload_chance, PortalStats(), prefix_digits)

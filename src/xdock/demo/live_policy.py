"""The demo's policy: the scenario engine's decisions taken by the running central, through its real devices.

The engine (:func:`xdock.simulation.engine.run_day`) runs in a worker thread in scaled wall time; every
call it makes to :class:`LivePolicy` hops to the event loop (where central, the edges and the mock devices
live) and waits there for its answer, in the order the engine makes them:

- A truck is announced to central an hour before it reaches the yard (``announce_truck``: its pallets by
  destination, its ETA its arrival), so central's planning loop can suggest it a door; it unloads at that
  suggested door when it is a free scanner door, else at the first free scanner door (only the doors with
  an edge and a scanner, ``D1`` and ``D2`` in the demo, take trucks: the others are closed in central when
  the day starts, the supervisor's ``set_door``, so its plans do not send trucks there); at its door it is
  ``truck_arrived``, empty ``truck_unloaded``.
- Each pallet unloaded is scanned: its own GS1-128 label (SSCC, postal code, temperature limit by the
  site's rules, dangerous-goods flag; now and then a slip first, :mod:`xdock.simulators.pallet_labels`)
  typed into the mock scanner of its door, answered by central through the edge and MQTT. Its target is
  read from central's pallet row: assigned to a trailer, or staged in an area.
- A trailer of the site file loads at its own door; any other docks at the free outbound door nearest the
  scanner doors and is announced then (``announce_trailer``), unless its departure has passed while it
  waited for a door (central refuses that: it leaves unannounced, empty). At its time it is departed
  (``depart_trailer``).
- A pallet the engine's forklift puts aboard a trailer at an RFID portal door goes through the portal
  (:meth:`~xdock.demo.rfid.Portals.load`: central confirms it loaded from the door passage, or raises a
  mis-load when it goes through the neighbouring portal first); at any other door the forklift
  confirms the load (``confirm_load``). A trailer leaving while a portal's report of one of its pallets
  is still on its way has that pallet confirmed by the forklift first (the portal's late report is then
  only recorded), so central never counts a pallet aboard as left behind.
- After a command that may move other pallets (a trailer docked or gone, a door closed or opened), and every
  site minute (central's planning loop re-plans on its own), the pallets not aboard whose row changed are
  the re-matches the engine's forklifts carry out. A pallet central sent elsewhere while a forklift had it
  on the way, and that the forklift put aboard all the same, is assigned back to that trailer (the
  supervisor's ``assign_pallet``) before its load is confirmed, so the trailer's count in central is the
  engine's.

Stopping: once ``stopping`` is set, a call waiting for the loop gives up and raises :class:`DemoStopped`,
which ends the engine's run.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from xdock.demo.live_floor import LiveFloor
from xdock.simulation.layout import Layout
from xdock.simulation.model import Day, InboundTruck, OutboundTrailer, PalletPlan
from xdock.simulation.policy import Changes

__all__ = ["ANNOUNCE_AHEAD_MIN", "DemoStopped", "LivePolicy", "LivePolicyError"]

ANNOUNCE_AHEAD_MIN = 60.0
"""Site minutes before its arrival a truck is announced to central."""
_WAKE_S = 0.2
"""Wall seconds a call waiting for the loop looks again whether the demo is stopping."""

T = TypeVar("T")

log = logging.getLogger(__name__)


class DemoStopped(Exception):  # noqa: N818  (an ending, not an error)
    """The demo is stopping: the engine's run ends here."""


class LivePolicyError(RuntimeError):
    """A command central refused, or a read that failed, on the loop: the engine's run ends with it (SimPy
    raises a process's exception again by its type and ``args``, which central's errors do not fit)."""


class LivePolicy:
    """The engine's :class:`~xdock.simulation.policy.Policy`, deciding through ``floor`` on ``loop``."""

    name = "live"
    tick_every_min: float | None = 1.0

    def __init__(self, floor: LiveFloor, loop: asyncio.AbstractEventLoop, stopping: threading.Event) -> None:
        self.floor = floor
        self.loop = loop
        self.stopping = stopping
        self._day: Day | None = None
        self._layout: Layout | None = None
        self._trucks: set[str] = set()
        """Trucks announced to central."""
        self._ahead: list[InboundTruck] = []
        """The day's trucks not announced yet, by arrival."""

    @property
    def day(self) -> Day:
        assert self._day is not None, "begin() first"
        return self._day

    def _wait(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run ``make()`` on the loop and wait for it (giving up with :class:`DemoStopped` once stopping)."""
        if self.stopping.is_set():
            raise DemoStopped

        async def run() -> T:
            try:
                return await make()
            except Exception as exc:
                raise LivePolicyError(f"{type(exc).__name__}: {exc}") from exc

        future = asyncio.run_coroutine_threadsafe(run(), self.loop)
        while True:
            try:
                return future.result(timeout=_WAKE_S)
            except TimeoutError:
                if self.stopping.is_set():
                    future.cancel()
                    raise DemoStopped from None

    def _call(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` (a command of central's core, or a read of it) on the loop."""

        async def call() -> T:
            return fn()

        return self._wait(call)

    def begin(self, day: Day) -> None:
        listed = {t.id for t in day.trailers}
        unlisted = sorted(t.id for t in day.site.trailers if t.id not in listed)
        if unlisted:
            raise ValueError(f"outbound.trailers: the site file's trailers {', '.join(unlisted)} are not in "
                             f"scenario {day.scenario} (list them at their door and departure)")
        self._day = day
        self._layout = Layout(day.site)
        idle = [d.id for d in day.site.doors if d.receives and not d.ships and d.id not in self.floor.scanners]
        self._call(lambda: self.floor.close(idle))
        self._ahead = sorted((t for t in day.trucks if t.arrival_min < day.horizon_min),
                             key=lambda t: (t.arrival_min, t.id))

    def end(self, now: float) -> None:
        """Central and the devices belong to the demo's runner: nothing to release."""

    def _announce(self, trucks: list[InboundTruck]) -> None:
        fresh = [t for t in trucks if t.id not in self._trucks]
        if fresh:
            self._trucks.update(t.id for t in fresh)
            self._call(lambda: self.floor.announce(self.day, fresh))

    def inbound_door(self, truck: InboundTruck, free: Sequence[str], now: float) -> str | None:
        self._announce([truck])
        doors = [d for d in free if d in self.floor.scanners]
        if not doors:  # only the scanner doors take trucks: no need to ask the loop
            return None
        return self._call(lambda: self.floor.truck_door(truck, doors))

    def outbound_door(self, trailer: OutboundTrailer, free: Sequence[str], now: float) -> str | None:
        assert self._layout is not None
        layout = self._layout
        return self._call(lambda: self.floor.trailer_door(trailer, free, layout))

    def truck_docked(self, truck: InboundTruck, door: str, now: float) -> None:
        self._call(lambda: self.floor.arrived(truck, door))

    def truck_unloaded(self, truck: InboundTruck, now: float) -> Changes:
        self._call(lambda: self.floor.unloaded(truck))
        return {}

    def scanned(self, pallet: PalletPlan, door: str, now: float) -> Changes:
        target = self._wait(lambda: self.floor.scan(self.day, pallet, door))
        return {pallet.sscc: target}

    def trailer_docked(self, trailer: OutboundTrailer, door: str, now: float) -> Changes:
        return self._call(lambda: self.floor.dock(self.day, trailer, door))

    def loaded(self, sscc: str, trailer: str, now: float) -> Changes:
        self._call(lambda: self.floor.load(sscc, trailer))
        return {}

    def trailer_departed(self, trailer: OutboundTrailer, now: float) -> Changes:
        return self._call(lambda: self.floor.depart(self.day, trailer))

    def door_closed(self, door: str, now: float) -> Changes:
        return self._call(lambda: self.floor.set_door(self.day, door, open_=False))

    def door_opened(self, door: str, now: float) -> Changes:
        return self._call(lambda: self.floor.set_door(self.day, door, open_=True))

    def tick(self, now: float) -> Changes:
        """Announce the trucks due within the hour; take central's re-matches (its planning loop's too)."""
        due = 0
        while due < len(self._ahead) and self._ahead[due].arrival_min <= now + ANNOUNCE_AHEAD_MIN:
            due += 1
        self._announce(self._ahead[:due])
        del self._ahead[:due]
        return self._call(lambda: self.floor.changed(self.day))

    def central_lost(self, now: float) -> None:
        """Not played: the demo's edges keep their link to central (a ``central_unreachable`` disturbance is the
        simulator's; to see the edges answer alone, stop the broker or central)."""
        log.warning("central_unreachable at minute %.0f is not played by the demo: central stays reachable", now)

    def central_back(self, now: float) -> Changes:
        return self._call(lambda: self.floor.changed(self.day))

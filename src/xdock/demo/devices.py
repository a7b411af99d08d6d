"""The demo's devices beyond the inbound scanners: RFID portals (:mod:`.rfid`) and dock sensors (:mod:`.sensors`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xdock.central.app import Central
from xdock.central.site_file.config import SiteConfig
from xdock.demo.rfid import Portals, open_portals
from xdock.demo.screen import DeviceTally
from xdock.demo.sensors import DockSensors, open_sensors
from xdock.demo.tally import tally
from xdock.edge.agent import EdgeAgent
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock

__all__ = ["Devices", "open_devices"]


@dataclass
class Devices:
    """The portals and sensors of one demo run, and what they did."""

    central: Central
    portals: Portals
    sensors: DockSensors
    _agents: Sequence[EdgeAgent] = field(default=(), init=False)

    def describe(self) -> str:
        return (f"RFID portals at {', '.join(self.portals.readers)}, {len(self.sensors.nodes)} MQTT sensor nodes, "
                f"Modbus probe {self.sensors.probe_spec.probe_id}")

    def start(self, tasks: asyncio.TaskGroup, agents: Sequence[EdgeAgent]) -> None:
        """Start the forklifts and the sensor nodes' sampling in ``tasks`` (central and the edges are up);
        they stop with ``tasks``."""
        self._agents = agents
        tasks.create_task(self.portals.run(), name="forklifts")
        for node in self.sensors.nodes:
            tasks.create_task(node.run(), name=f"node-{node.node_id}")

    async def settle(self, timeout: float) -> None:
        """Once the forklifts stopped: wait (at most ``timeout`` wall seconds) until central applied every pass
        already scripted and every mis-load's STOP reached its door, so the tally has nothing in flight."""

        def settled() -> bool:
            passages = self.central.site.passage_stats
            stops = sum(agent.stats.stops for agent in self._agents)
            return passages.applied >= self.portals.stats.passes and stops >= passages.misloads

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                # central's counters have no event to wait on: look every 50 ms
                while not settled():  # noqa: ASYNC110
                    await asyncio.sleep(0.05)

    def tally(self) -> DeviceTally:
        return tally(self.central, self._agents, self.portals)


async def open_devices(
    stack: contextlib.AsyncExitStack, *, central: Central, site: SiteConfig, broker: BrokerUrl, work: Path,
    clock: Clock, heartbeat_s: float, seed: int, prefix_digits: int, misload_chance: float, horizon_s: float,
    speed: float = 1.0,
) -> Devices:
    """Open the readers, door displays, sensor nodes and probe (closed with ``stack``).

    ``speed`` is how much faster than the wall clock site time runs: a portal's track gap is then at least a
    tenth of a wall second, so an inventory round a little late on a busy machine does not split a pass.
    """
    portals = await open_portals(stack, site=site.site, broker=broker, work=work, clock=clock, heartbeat_s=heartbeat_s,
                                 seed=seed, prefix_digits=prefix_digits, misload_chance=misload_chance,
                                 track_gap_s=max(1.0, 0.1 * speed))
    sensors = await open_sensors(stack, site=site, broker=broker, work=work, clock=clock, horizon_s=horizon_s,
                                 seed=seed)
    return Devices(central, portals, sensors)

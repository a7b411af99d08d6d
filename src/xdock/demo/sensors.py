"""The demo's dock sensors: MQTT sensor nodes and a Modbus RTU probe, matching ``sensors:`` in demo.yaml.

* Temperature/humidity loggers in the reefer trailers T-LYON-2 and T-PARIS-2 and in the chilled
  staging area S2 (MQTT nodes ``logger-*``). T-PARIS-2's compressor fails a few minutes into the
  day: its temperature climbs a degree a minute past the 8 °C limit, so central raises a
  ``cold_chain_breach`` once the sensor's grace has passed.
* Door contact and trailer presence at the portal doors D12 and D13 (nodes ``door-*``), on a script
  of their own (not the day's trailers): a trailer is there until 3 h 30 (D12) and 5 h (D13) into the
  day; the door is open while it is, and at D13 left open for ten minutes after it leaves, so a
  ``door_open_no_trailer`` alert comes and goes later in the day.
* A Modbus RTU probe ``B1P`` in the breakdown area B1, on a pty the D1 edge polls (``--modbus``).

Values come from :mod:`xdock.simulators.sensor_profiles` seeded with the demo's seed; times are
site-time seconds from the start of the demo day.

Each node samples every :data:`SAMPLE_S` and reports on change and at least every
``max_interval_s`` (5 min for every sensor here), so a value that does not move is reported every
:func:`report_period` seconds: the ``report_s`` of its sensor in demo.yaml, or central would call
a quiet door contact stale after two minutes (its kind's default period is 60 s).
"""

from __future__ import annotations

import contextlib
import math
import random
from dataclasses import dataclass
from pathlib import Path

from xdock.central.site_file.config import SiteConfig
from xdock.demo.broker import DEMO_LINK
from xdock.edge.sensor_probes import ModbusProbe
from xdock.firmware_mocks.modbus_sensor import MockModbusSensor
from xdock.firmware_mocks.mqtt_sensor_node import NodeSensor, SensorNode, reefer_logger
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import Clock
from xdock.protocol.modbus_probe import ProbeSample
from xdock.simulators.sensor_profiles import Profile, measured, switching

__all__ = ["SAMPLE_S", "DockSensors", "node_plans", "open_sensors", "report_period"]

SAMPLE_S = 60.0
"""Site-time seconds between two samples of a node."""
_FAILING_REEFER = "T-PARIS-2"
_FAILS_AFTER_S = 180.0
_DOOR_SCRIPT_S = {"D12": (12_600.0, -60.0), "D13": (18_000.0, 600.0)}
"""Door → (seconds into the day its scripted trailer leaves, seconds after that the door closes (negative:
before))."""


@dataclass
class DockSensors:
    """The demo's running sensor nodes and Modbus probe."""

    nodes: list[SensorNode]
    probe: MockModbusSensor
    probe_spec: ModbusProbe
    """The probe as the D1 edge is configured with it (``--modbus B1P=PATH``)."""


def _loggers(rng: random.Random, horizon_s: float) -> dict[str, list[NodeSensor]]:
    def temp(base: float, drift: float = 0.0) -> Profile:
        # A failed reefer warms towards the dock's air, 14 °C, and stays there.
        return Profile(base, noise=0.3, drift_per_min=drift, drift_after_s=_FAILS_AFTER_S, high=14.0)

    plans = {"T-LYON-2": (temp(3.0), 78.0), _FAILING_REEFER: (temp(3.5, drift=1.0), 80.0), "S2": (temp(4.0), 65.0)}
    return {
        f"logger-{target}": reefer_logger(
            target,
            measured(temperature, rng, sample_s=SAMPLE_S, horizon_s=horizon_s),
            measured(Profile(humidity, noise=2.0, low=0.0), rng, sample_s=SAMPLE_S, horizon_s=horizon_s),
        )
        for target, (temperature, humidity) in plans.items()
    }


def _doors() -> dict[str, list[NodeSensor]]:
    nodes = {}
    for door, (leaves_s, left_open_s) in _DOOR_SCRIPT_S.items():
        nodes[f"door-{door}"] = [
            NodeSensor(f"{door}-DOOR", "door_contact", switching(True, [max(0.0, leaves_s + left_open_s)])),
            NodeSensor(f"{door}-PRESENCE", "trailer_presence", switching(True, [leaves_s])),
        ]
    return nodes


def node_plans(*, horizon_s: float, seed: int) -> dict[str, list[NodeSensor]]:
    """The sensors of each MQTT node by node id, for a demo day of ``horizon_s`` site seconds."""
    return _loggers(random.Random(seed), horizon_s) | _doors()


def report_period(sensor: NodeSensor, sample_s: float = SAMPLE_S) -> float:
    """How often a node sampling every ``sample_s`` reports ``sensor``'s unchanged value: at its first sample
    once ``max_interval_s`` has passed."""
    return math.ceil(sensor.max_interval_s / sample_s) * sample_s


async def open_sensors(
    stack: contextlib.AsyncExitStack, *, site: SiteConfig, broker: BrokerUrl, work: Path, clock: Clock,
    horizon_s: float, seed: int,
) -> DockSensors:
    """Connect the sensor nodes and power the probe (all closed with ``stack``); run each node's ``run()``."""
    plans = node_plans(horizon_s=horizon_s, seed=seed)
    nodes = []
    for node_id, sensors in plans.items():
        node = SensorNode(site.site, node_id, sensors, clock, work / f"{node_id}.seq", host=broker.host,
                          port=broker.port, sample_s=SAMPLE_S, link=DEMO_LINK)
        nodes.append(await stack.enter_async_context(node))
    probe = await stack.enter_async_context(
        MockModbusSensor(link=work / "probe-B1", sample=ProbeSample(14.5, 55.0), name="B1P")
    )
    return DockSensors(nodes, probe, ModbusProbe("B1P", str(work / "probe-B1")))

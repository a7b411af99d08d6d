"""What the demo's devices did, read from central, the edges and the portals (for the screen and tests)."""

from __future__ import annotations

from collections.abc import Sequence

from xdock.central.app import Central
from xdock.demo.rfid import Portals
from xdock.demo.screen import DeviceTally
from xdock.edge.agent import EdgeAgent
from xdock.protocol.scanner_wire import Display

__all__ = ["SENSOR_ALERTS", "tally"]

SENSOR_ALERTS = ("cold_chain_breach", "door_open_no_trailer", "pallet_dwell")


def tally(central: Central, agents: Sequence[EdgeAgent], portals: Portals) -> DeviceTally:
    """The devices' counts now; reads memory only, so it also works once central's store is closed."""
    passages = central.site.passage_stats
    alerts = central.site.alerts.open_alerts()
    latest = central.site.latest_readings()
    stops = tuple(
        f"{door}: {command.text}"
        for door, display in portals.displays.items()
        for command in display.commands
        if isinstance(command, Display) and command.text.startswith("STOP")
    )
    return DeviceTally(
        rfid_loaded=passages.loaded,
        misloads=passages.misloads,
        stops_shown=sum(agent.stats.stops for agent in agents),
        sensor_readings=central.site.sensor_stats.applied,
        sensor_alerts=tuple(f"{a.kind} {a.subject}" for a in alerts if a.kind in SENSOR_ALERTS),
        misload_alerts=tuple(a.subject for a in alerts if a.kind == "misload"),
        latest=tuple((sensor, f"{r.value:g} {r.unit}") for sensor, r in sorted(latest.items())),
        loaded_pallets=tuple(sorted(
            s for s, row in central.site.state.pallets.items() if row.state == "loaded" and row.door in portals.readers
        )),
        carried=tuple(portals.stats.carried),
        wrong_door=tuple(portals.stats.wrong_door),
        stop_texts=stops,
    )

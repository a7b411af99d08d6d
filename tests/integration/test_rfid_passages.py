"""RFID door passages through real parts: LLRP reader emulators on TCP sockets → edge agent (portal logic,
outbox) → Mosquitto → central (a real process) → a mis-load alert on the API and a STOP on the edge's
command topic; through the right door, the pallet is loaded.

Pallet P (Paris) is assigned to T-PARIS-1 at D14. One edge watches D12 (reader r12) and D14 (reader r14).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest

from support.scans import scan as scan_event
from support.sites import PARIS, inbound, outbound, site_yaml, trailer
from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.edge.portals import PortalReader
from xdock.firmware_mocks.llrp_reader import LlrpReaderMock
from xdock.firmware_mocks.llrp_tags import TagPass
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import ScaledClock
from xdock.protocol.epc import Sscc96
from xdock.protocol.messages import Feedback, decode_downlink, encode
from xdock.protocol.topics import cmd_topic, scan_topic
from xdock.testing import CentralProcess, Mosquitto
from xdock.transport.connection_end import heard_end

SITE = site_yaml(
    id="it",
    timezone="UTC",
    doors=[inbound(), outbound(x=20), outbound("D14", 60, 30)],
    more_destinations=[PARIS],
    more_trailers=[trailer("T-PARIS-1", "D14", "PARIS", departure="17:00")],
)
PALLET = "376130321109103420"
EPC = Sscc96.from_sscc(PALLET, company_prefix_length=7).encode()


@dataclass
class Dock:
    central: CentralProcess
    agent: EdgeAgent
    broker: Mosquitto
    readers: dict[str, LlrpReaderMock]
    commands: aiomqtt.Client
    scanner: MockScanner
    """The scanner at D12: its display is the door's."""

    def go_out(self, reader: str) -> None:
        """Script the pallet through the reader's door from the building side (inside antenna 2 first)."""
        mock = self.readers[reader]
        t = mock.script_time() + 0.1
        mock.tags.add(
            TagPass(EPC, antenna_id=2, start_s=t, end_s=t + 0.25, peak_rssi=-50, falloff_db_per_s=40),
            TagPass(EPC, antenna_id=1, start_s=t + 0.2, end_s=t + 0.45, peak_rssi=-50, falloff_db_per_s=40),
        )
        mock.wake()


@pytest.fixture
async def dock(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Dock]:
    site_file = tmp_path / "site.yaml"
    site_file.write_text(SITE)
    central = CentralProcess(site_file, mosquitto.url, tmp_path / "central.db", sim_start="2026-11-23T08:00:00+00:00")
    await asyncio.to_thread(central.start)
    clock = ScaledClock(datetime.now(UTC))
    readers = {name: LlrpReaderMock(clock=clock) for name in ("r12", "r14")}
    scanner = MockScanner(link=tmp_path / "scanner-d12", name="d12")
    scanner.open()
    task: asyncio.Task[None] | None = None
    try:
        for mock in readers.values():
            await mock.start()
        config = EdgeConfig(
            site="it", edge_id="edge-out", door="D12", broker=mosquitto.url,
            scanners=(ScannerPort("s12", str(tmp_path / "scanner-d12")),),
            readers=(PortalReader("r12", "127.0.0.1", readers["r12"].port),
                     PortalReader("r14", "127.0.0.1", readers["r14"].port, "D14")),
            state_dir=tmp_path / "edge",
        )
        agent = EdgeAgent(config, clock)
        task = asyncio.create_task(agent.run())
        # The watcher's link drops with the broker in one test: its end is heard, not left to asyncio.
        async with heard_end(aiomqtt.Client("127.0.0.1", mosquitto.port, identifier="watcher")) as commands:
            await commands.subscribe(cmd_topic("it", "edge-out"), qos=1)
            # Pallet P is scanned at the inbound door by another edge: central assigns it to T-PARIS-1 at D14.
            scan = scan_event(edge="edge-in", at=clock.now(), sscc=PALLET, postal="75011")
            await commands.publish(scan_topic("it", "edge-in"), encode(scan), qos=1)
            await eventually(lambda: _pallet(central).get("state") == "assigned", 10, "pallet assigned")
            async with asyncio.timeout(10):
                await agent.uplink.connected.wait()
            await eventually(lambda: all(r.rospecs.active() for r in readers.values()), 10, "readers inventorying")
            await eventually(lambda: agent.drivers["s12"].online, 10, "scanner online")
            yield Dock(central, agent, mosquitto, readers, commands, scanner)
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for mock in readers.values():
            await mock.close()
        scanner.close()
        await asyncio.to_thread(central.stop)


def _pallet(central: CentralProcess) -> dict[str, object]:
    pallets: list[dict[str, object]] = central.get("/api/v1/pallets")
    return next((p for p in pallets if p["sscc"] == PALLET), {})


async def test_wrong_door_stops_the_pallet_and_the_right_door_loads_it(dock: Dock) -> None:
    assert (_pallet(dock.central)["trailer"], _pallet(dock.central)["door"]) == ("T-PARIS-1", "D14")
    dock.go_out("r12")
    async with asyncio.timeout(10):
        message = await anext(dock.commands.messages)
    assert isinstance(message.payload, bytes)
    assert decode_downlink(message.payload) == Feedback(device_id="r12", beep="error", text="STOP D12 -> D14")
    [alert] = dock.central.get("/api/v1/alerts")
    assert (alert["kind"], alert["subject"], alert["message"]) == (
        "misload", f"{PALLET}@D12",
        f"Mis-load: pallet {PALLET} went out through D12 (T-LYON-1); its trailer T-PARIS-1 loads at D14",
    )
    assert await dock.scanner.wait_for_display("STOP D12 -> D14", timeout=10) == "STOP D12 -> D14"
    assert (dock.scanner.beeps, dock.agent.stats.stops) == (["error"], 1)
    assert _pallet(dock.central)["state"] == "assigned"

    dock.go_out("r14")
    await eventually(lambda: _pallet(dock.central).get("state") == "loaded", 10, "pallet loaded")
    assert dock.agent.stats.passages == 2
    kinds = [e["kind"] for e in dock.central.get("/api/v1/events")]
    assert (kinds.count("misload"), kinds.count("loaded")) == (1, 1)


async def test_a_passage_while_the_broker_is_down_reaches_central_after(dock: Dock) -> None:
    await asyncio.to_thread(dock.broker.stop)
    await eventually(lambda: not dock.agent.uplink.connected.is_set(), 10, "edge sees the broker gone")
    dock.go_out("r14")
    await eventually(lambda: dock.agent.stats.passages == 1, 10, "passage recorded in the outbox")
    assert dock.agent.uplink.backlog == 1
    await asyncio.to_thread(dock.broker.start)
    await eventually(lambda: _pallet(dock.central).get("state") == "loaded", 20, "pallet loaded")
    await eventually(lambda: dock.agent.uplink.backlog == 0, 10, "outbox drained")

"""The whole scan path through real parts: mock scanner on a pty → edge agent (pyserial) → Mosquitto →
central (a real process) → Mosquitto → edge → the scanner's display."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiomqtt
import pytest

from support.scans import sscc
from support.sites import NICE, PARIS, inbound, outbound, site_yaml, trailer
from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import ScaledClock
from xdock.protocol.gs1 import build_label
from xdock.protocol.scanner_wire import Beep
from xdock.protocol.topics import scan_topic
from xdock.testing import CentralProcess, Mosquitto

SITE = site_yaml(
    id="it",
    handling_minutes=10,
    doors=[inbound(), outbound(x=20), outbound("D13", 60, 30)],
    more_destinations=[PARIS, NICE],
    more_trailers=[trailer("T-PARIS-1", "D13", "PARIS", departure="11:00")],
)
SIM_START = "2026-11-23T08:00:00+01:00"


@dataclass
class Dock:
    broker: Mosquitto
    central: CentralProcess
    agent: EdgeAgent
    scanner: MockScanner

    def pallets(self) -> list[dict[str, object]]:
        result: list[dict[str, object]] = self.central.get("/api/v1/pallets")
        return result


@pytest.fixture
async def dock(mosquitto: Mosquitto, tmp_path: Path) -> AsyncIterator[Dock]:
    site_file = tmp_path / "site.yaml"
    site_file.write_text(SITE)
    central = CentralProcess(site_file, mosquitto.url, tmp_path / "central.db", sim_start=SIM_START)
    await asyncio.to_thread(central.start)
    scanner = MockScanner(link=tmp_path / "scanner-d1", name="d1")
    scanner.open()
    config = EdgeConfig(
        site="it", edge_id="edge-d1", door="D1", broker=mosquitto.url,
        scanners=(ScannerPort("s1", str(tmp_path / "scanner-d1")),), state_dir=tmp_path / "edge",
    )
    # The edge keeps central's site time: its offline answers judge departures by it.
    agent = EdgeAgent(config, ScaledClock(datetime.fromisoformat(SIM_START)))
    task = asyncio.create_task(agent.run())
    try:
        async with asyncio.timeout(10):
            await agent.uplink.connected.wait()
        await eventually(lambda: agent.drivers["s1"].online, 10, "scanner online")
        yield Dock(mosquitto, central, agent, scanner)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        scanner.close()
        await asyncio.to_thread(central.stop)


async def test_valid_label_shows_the_outbound_door(dock: Dock) -> None:
    dock.scanner.scan(build_label(sscc(1), ship_to_postal="69003"))
    text = await dock.scanner.wait_for_display(lambda t: t.startswith("→"))
    assert text == "→ D12  LYON  dep 16:40"
    assert dock.scanner.beeps == ["good"]
    [pallet] = dock.pallets()
    assert pallet["sscc"] == sscc(1)
    assert pallet["door"] == "D12"
    assert pallet["trailer"] == "T-LYON-1"
    assert pallet["state"] == "assigned"


async def test_no_trailer_today_is_an_error_beep_with_the_reason(dock: Dock) -> None:
    dock.scanner.scan(build_label(sscc(2), ship_to_postal="06000"))
    text = await dock.scanner.wait_for_display(lambda t: t != "")
    assert text == "no trailer for NICE yet"
    assert dock.scanner.beeps == ["error"]


async def test_bad_label_gets_error_beep_and_is_never_published(dock: Dock) -> None:
    good = sscc(3)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    async with aiomqtt.Client("127.0.0.1", dock.broker.port, identifier="spy") as spy:
        await spy.subscribe(scan_topic("it", "edge-d1"), qos=1)
        dock.scanner.scan(build_label(bad, ship_to_postal="69001"))
        assert await dock.scanner.wait_for_display("bad check digit") == "bad check digit"
        assert dock.scanner.beeps == ["error"]
        dock.scanner.scan("HELLO WORLD")
        assert await dock.scanner.wait_for_display("not an SSCC") == "not an SSCC"
        # A valid scan afterwards is the first (and only) message the spy sees.
        dock.scanner.scan(build_label(good, ship_to_postal="69001"))
        async with asyncio.timeout(5):
            message = await anext(aiter(spy.messages))
        assert good.encode() in message.payload  # type: ignore[operator]
        assert dock.agent.stats.rejected_labels == 2
        assert dock.agent.stats.published == 1
    await dock.scanner.wait_for_display("→ D12  LYON  dep 16:40")
    assert [p["sscc"] for p in dock.pallets()] == [good]


async def test_central_killed_and_restarted_loses_nothing_and_applies_nothing_twice(dock: Dock) -> None:
    dock.scanner.scan(build_label(sscc(10), ship_to_postal="69001"))
    await dock.scanner.wait_for_display("→ D12  LYON  dep 16:40")
    await eventually(lambda: dock.agent.router.snapshot is not None, 10, "routing snapshot at the edge")
    await asyncio.to_thread(dock.central.kill)
    # Central's Last Will tells the edge at once: it answers from its routing snapshot, and the scan
    # is queued by the broker for central's persistent session.
    await eventually(lambda: not dock.agent.central_reachable, 10, "central offline at the edge")
    dock.scanner.scan(build_label(sscc(11), ship_to_postal="75011"))
    assert await dock.scanner.wait_for_display("D13 T-PARIS-1 (offline)", timeout=6)
    await asyncio.to_thread(dock.central.start)
    # Central keeps the worker's instruction: nothing new on the display, the edge counts a confirmation.
    await eventually(lambda: dock.agent.stats.confirmed_offline == 1, 10, "central's answer to the offline scan")
    # The first pallet scanned again is the same pallet, not a second one.
    dock.scanner.scan(build_label(sscc(10), ship_to_postal="69001"))
    await dock.scanner.wait_for_display("→ D12  LYON  dep 16:40")
    pallets = {p["sscc"]: p for p in dock.pallets()}
    assert sorted(pallets) == [sscc(10), sscc(11)]
    assert pallets[sscc(10)]["scans"] == 2
    trailers = {t["id"]: t["assigned_pallets"] for t in dock.central.get("/api/v1/trailers")}
    assert trailers == {"T-LYON-1": 1, "T-PARIS-1": 1}
    scans = [e for e in dock.central.get("/api/v1/events") if e["kind"] == "scan"]
    assert [(e["edge_id"], e["seq"]) for e in scans] == [("edge-d1", 1), ("edge-d1", 2), ("edge-d1", 3)]


async def test_scanner_unplugged_and_back_the_agent_resumes(dock: Dock) -> None:
    dock.scanner.close()
    await eventually(lambda: not dock.agent.drivers["s1"].online, 5, "scanner offline")
    dock.scanner.open()
    await eventually(lambda: dock.agent.drivers["s1"].online, 10, "scanner back online")
    dock.scanner.scan(build_label(sscc(20), ship_to_postal="69001"))
    assert await dock.scanner.wait_for_display("→ D12  LYON  dep 16:40") == "→ D12  LYON  dep 16:40"
    assert dock.scanner.beeps[-1] == "good"
    assert isinstance(dock.scanner.commands[-2], Beep)

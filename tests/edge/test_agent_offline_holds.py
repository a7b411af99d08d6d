"""The edge agent deciding alone keeps its decisions across a restart and a newer snapshot, with no broker at all.

The broker is unreachable throughout, so every scan is answered offline and stays in the outbox; the
test hands the agent central's snapshots as the uplink would.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.edge.offline_router import HeldDecision
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.broker_url import BrokerUrl
from xdock.protocol.clock import SystemClock
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import DestinationMatch, Route, RouteSnapshot
from xdock.testing import free_port

SITE, EDGE = "it", "edge-d1"
NOW = datetime.now(UTC)
LEAVES = NOW + timedelta(hours=6)
TRAILER_TEXT = "D12 T-LYON-1 (offline)"
STAGING_TEXT = "S1 STAGING (offline)"


def snapshot(share: int, *, minutes: int, applied: list[int]) -> RouteSnapshot:
    return RouteSnapshot(
        edge_id=EDGE, plan_version=3 + minutes, made_at=NOW + timedelta(minutes=minutes), chilled_max_c=8.0,
        destinations=[DestinationMatch(id="LYON", postal_codes=["69*"])],
        routes=[Route(destination="LYON", trailer="T-LYON-1", door="D12", free_positions=share, departure=LEAVES)],
        staging="S1", applied_offline=applied,
    )


@asynccontextmanager
async def running_edge(tmp_path: Path) -> AsyncIterator[tuple[EdgeAgent, MockScanner]]:
    scanner = MockScanner(link=tmp_path / "scanner-d1", name="d1")
    scanner.open()
    config = EdgeConfig(
        site=SITE, edge_id=EDGE, door="D1", broker=BrokerUrl.parse(f"mqtt://127.0.0.1:{free_port()}"),
        scanners=(ScannerPort("s1", str(tmp_path / "scanner-d1")),), state_dir=tmp_path / "edge",
    )
    agent = EdgeAgent(config, SystemClock())
    task = asyncio.create_task(agent.run())
    try:
        await eventually(lambda: agent.drivers["s1"].online, 10, "scanner online")
        yield agent, scanner
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        scanner.close()


async def scan(scanner: MockScanner, n: int) -> str:
    """Scan one Lyon pallet; what the worker is told."""
    told = len(scanner.commands)
    scanner.scan(build_label(sscc_with_check_digit(f"0376130321{n:07d}"), ship_to_postal="69003"))
    await scanner.wait_until(lambda: len(scanner.commands) == told + 2)  # a beep, then the text
    assert scanner.beeps[-1] == "good"
    return scanner.display


async def test_a_restarted_edge_given_a_newer_snapshot_still_counts_the_pallets_it_sent_alone(tmp_path: Path) -> None:
    async with running_edge(tmp_path) as (agent, scanner):
        agent.on_routes(snapshot(2, minutes=0, applied=[]))
        assert [await scan(scanner, n) for n in (1, 2, 3)] == [TRAILER_TEXT, TRAILER_TEXT, STAGING_TEXT]
        assert agent.uplink.backlog == 3

    async with running_edge(tmp_path) as (agent, scanner):
        # The kept snapshot is back, and so are the two pallets sent to the trailer (still unsent).
        assert agent.router.held() == [HeldDecision(1, "T-LYON-1", LEAVES), HeldDecision(2, "T-LYON-1", LEAVES)]
        assert agent.router.free_positions("T-LYON-1") == 0
        # A newer snapshot, made before central applied scans 1 and 2: the share is the same, and still used.
        agent.on_routes(snapshot(2, minutes=5, applied=[]))
        assert agent.router.snapshot == snapshot(2, minutes=5, applied=[])
        assert await scan(scanner, 4) == STAGING_TEXT
        # Central applied scan 1 (its share for this edge down by one): one position is this edge's again.
        agent.on_routes(snapshot(1, minutes=6, applied=[1]))
        assert agent.router.free_positions("T-LYON-1") == 0  # the share's one position is held by scan 2
        agent.on_routes(snapshot(1, minutes=7, applied=[1, 2]))
        assert [await scan(scanner, n) for n in (5, 6)] == [TRAILER_TEXT, STAGING_TEXT]

    async with running_edge(tmp_path) as (agent, _):
        assert agent.router.held() == [HeldDecision(5, "T-LYON-1", LEAVES)]
        assert agent.router.free_positions("T-LYON-1") == 0

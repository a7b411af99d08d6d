"""Central's answers are handled in one lane per scanner: in order for a scanner, together across scanners.

Against a real Mosquitto and two mock scanners on ptys at one edge; the test plays central and hands
the answers to the agent's :class:`~xdock.edge.central_answers.CentralAnswers` as its uplink does.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt

from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import SystemClock
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import Assignment, CentralStatus, Feedback, encode
from xdock.protocol.scanner_wire import Beep, Display
from xdock.protocol.topics import central_status_topic
from xdock.testing import Mosquitto

SITE, EDGE = "it", "edge-d1"
NOW = datetime.now(UTC)


def sscc(n: int) -> str:
    return sscc_with_check_digit(f"0376130322{n:07d}")


def answer(seq: int, device: str, display: str) -> Assignment:
    return Assignment(
        edge_id=EDGE, seq=seq, device_id=device, sscc=sscc(seq), outcome="assigned", door="O2", trailer="T-B-1",
        reason="test", display=display, decided_at=NOW,
    )


@contextlib.asynccontextmanager
async def two_scanner_edge(broker: Mosquitto, tmp_path: Path) -> contextlib.AsyncIterator[
        tuple[EdgeAgent, dict[str, MockScanner]]]:
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="test-central") as client:
        await client.publish(central_status_topic(SITE), encode(CentralStatus(online=True, at=NOW)), qos=1,
                             retain=True)
    scanners = {d: MockScanner(link=tmp_path / f"scanner-{d}", name=d) for d in ("s1", "s2")}
    config = EdgeConfig(
        site=SITE, edge_id=EDGE, door="D1", broker=broker.url, state_dir=tmp_path / "edge", answer_timeout=30.0,
        scanners=tuple(ScannerPort(d, str(tmp_path / f"scanner-{d}")) for d in scanners),
    )
    agent = EdgeAgent(config, SystemClock())
    for scanner in scanners.values():
        scanner.open()
    task = asyncio.create_task(agent.run())
    try:
        await eventually(lambda: agent.central_online is True and all(d.online for d in agent.drivers.values()),
                         10, "edge connected, scanners online, central seen online")
        yield agent, scanners
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for scanner in scanners.values():
            scanner.close()


async def scan_both(agent: EdgeAgent, scanners: dict[str, MockScanner]) -> None:
    """Scan pallet 1 on s1 and pallet 2 on s2 (seq 1 and 2) and wait until the broker has both."""
    scanners["s1"].scan(build_label(sscc(1), ship_to_postal="69003"))
    await eventually(lambda: agent.stats.published == 1, 5, "scan 1 sent")
    scanners["s2"].scan(build_label(sscc(2), ship_to_postal="69003"))
    await eventually(lambda: agent.stats.published == 2 and agent.uplink.backlog == 0, 5, "scan 2 sent")


def answered_at(agent: EdgeAgent) -> dict[int, float]:
    with contextlib.closing(sqlite3.connect(agent.outbox.path)) as db:
        rows = db.execute("SELECT seq, answered_at FROM outbox WHERE answered_at IS NOT NULL").fetchall()
    return {int(seq): float(at) for seq, at in rows}


async def test_answers_for_two_scanners_arriving_together_are_marked_in_one_commit(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with two_scanner_edge(mosquitto, tmp_path) as (agent, scanners):
        await scan_both(agent, scanners)
        agent.answers.take(answer(1, "s1", "→ O2  BRAVO"))
        agent.answers.take(answer(2, "s2", "→ O3  CHARLIE"))
        await scanners["s1"].wait_for_display("→ O2  BRAVO")
        await scanners["s2"].wait_for_display("→ O3  CHARLIE")
        marks = answered_at(agent)
        assert sorted(marks) == [1, 2]
        assert marks[1] == marks[2]  # one commit wrote both marks (its time is stamped once per commit)
        assert (agent.stats.answers, scanners["s1"].beeps, scanners["s2"].beeps) == (2, ["good"], ["good"])


async def test_a_scanners_commands_are_shown_in_the_order_they_came(mosquitto: Mosquitto, tmp_path: Path) -> None:
    async with two_scanner_edge(mosquitto, tmp_path) as (agent, scanners):
        await scan_both(agent, scanners)
        agent.answers.take(answer(1, "s1", "→ O2  BRAVO"))
        agent.answers.take(Feedback(device_id="s1", beep="error", text="call the supervisor"))
        agent.answers.take(answer(1, "s1", "→ O2  BRAVO"))  # a repeat: counted, not shown
        await scanners["s1"].wait_for_display("call the supervisor")
        await eventually(lambda: agent.stats.repeated_answers == 1, 5, "repeat counted")
        assert scanners["s1"].commands == [
            Beep("good"), Display("→ O2  BRAVO"), Beep("error"), Display("call the supervisor"),
        ]

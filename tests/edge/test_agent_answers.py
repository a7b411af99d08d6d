"""The edge agent shows each scan's answer once, also when central answers it twice or the edge restarted.

Against a real Mosquitto and a mock scanner on a pty; the test plays central by hand and publishes
the answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt

from support.waiting import eventually
from xdock.edge.agent import EdgeAgent
from xdock.edge.config import EdgeConfig, ScannerPort
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.clock import SystemClock
from xdock.protocol.gs1 import build_label, sscc_with_check_digit
from xdock.protocol.messages import Assignment, CentralStatus, encode
from xdock.protocol.topics import central_status_topic, cmd_topic
from xdock.testing import Mosquitto

SITE, EDGE = "it", "edge-d1"
NOW = datetime.now(UTC)


def sscc(n: int) -> str:
    return sscc_with_check_digit(f"0376130322{n:07d}")


async def publish(broker: Mosquitto, topic: str, payload: bytes, *, retain: bool = False) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="test-central") as client:
        await client.publish(topic, payload, qos=1, retain=retain)


BRAVO, CHARLIE = "→ O2  BRAVO", "→ O3  CHARLIE"


async def answer(broker: Mosquitto, seq: int, display: str = BRAVO) -> None:
    message = Assignment(
        edge_id=EDGE, seq=seq, device_id="s1", sscc=sscc(seq), outcome="assigned", door="O2", trailer="T-B-1",
        reason="test", display=display, decided_at=NOW,
    )
    await publish(broker, cmd_topic(SITE, EDGE), encode(message))


class Edge:
    """One edge agent run on a state folder, with its scanner."""

    def __init__(self, broker: Mosquitto, tmp_path: Path) -> None:
        self.scanner = MockScanner(link=tmp_path / "scanner-d1", name="d1")
        config = EdgeConfig(
            site=SITE, edge_id=EDGE, door="D1", broker=broker.url,
            scanners=(ScannerPort("s1", str(tmp_path / "scanner-d1")),), state_dir=tmp_path / "edge",
            answer_timeout=30.0,
        )
        self.agent = EdgeAgent(config, SystemClock())
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Edge:
        self.scanner.open()
        self._task = asyncio.create_task(self.agent.run())
        async with asyncio.timeout(10):
            await self.agent.uplink.connected.wait()
        await eventually(lambda: self.agent.drivers["s1"].online, 10, "scanner online")
        await eventually(lambda: self.agent.central_online is True, 5, "central seen online")
        return self

    async def scan(self, n: int) -> None:
        """Scan pallet ``n`` (the edge's ``n``-th scan) and wait until the broker has it."""
        sent = self.agent.stats.published + 1
        self.scanner.scan(build_label(sscc(n), ship_to_postal="69003"))
        await eventually(lambda: self.agent.stats.published == sent and self.agent.uplink.backlog == 0, 5, "scan sent")

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.scanner.close()


async def central_online(broker: Mosquitto) -> None:
    await publish(broker, central_status_topic(SITE), encode(CentralStatus(online=True, at=NOW)), retain=True)


async def test_an_answer_repeated_by_central_is_counted_not_shown(mosquitto: Mosquitto, tmp_path: Path) -> None:
    await central_online(mosquitto)
    async with Edge(mosquitto, tmp_path) as edge:
        await edge.scan(1)
        await answer(mosquitto, 1)
        await answer(mosquitto, 1)
        await edge.scan(2)
        await answer(mosquitto, 2, CHARLIE)  # comes after the repeat: once shown, the repeat was handled
        await edge.scanner.wait_for_display(CHARLIE)
        assert edge.scanner.beeps == ["good", "good"]
        assert (edge.agent.stats.answers, edge.agent.stats.repeated_answers) == (2, 1)


async def test_a_scan_recorded_before_a_restart_is_answered_once_after_it(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    await central_online(mosquitto)
    async with Edge(mosquitto, tmp_path) as edge:
        await edge.scan(1)
    # The edge stopped before central's answer: after the restart the session's queued answer and
    # central's answer to the scan sent again both arrive; the worker hears one beep.
    async with Edge(mosquitto, tmp_path) as edge:
        await answer(mosquitto, 1)
        await answer(mosquitto, 1)
        await edge.scan(2)
        await answer(mosquitto, 2, CHARLIE)
        await edge.scanner.wait_for_display(CHARLIE)
        assert edge.scanner.beeps == ["good", "good"]
        assert (edge.agent.stats.answers, edge.agent.stats.repeated_answers) == (2, 1)

"""The edge's serial scanner driver against the pty scanner mock: scans, commands, unplug and replug."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from xdock.edge.devices.serial_scanner import ScannerStats, SerialScannerDriver
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.scanner_wire import Beep, Display, LineRejected, ScanLine

DEADLINE = 5.0


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@dataclass
class Rig:
    """A mock scanner on a symlink, a driver on that symlink, and what the driver reported."""

    scanner: MockScanner
    driver: SerialScannerDriver
    received: asyncio.Queue[ScanLine | LineRejected] = field(default_factory=asyncio.Queue)
    status: asyncio.Queue[tuple[str, bool]] = field(default_factory=asyncio.Queue)

    async def next_line(self) -> ScanLine | LineRejected:
        async with asyncio.timeout(DEADLINE):
            return await self.received.get()

    async def next_status(self) -> tuple[str, bool]:
        async with asyncio.timeout(DEADLINE):
            return await self.status.get()


class LogSeen(logging.Handler):
    """Sets ``seen`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.DEBUG)
        self.text = text
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.seen.set()


async def pump(driver: SerialScannerDriver, into: asyncio.Queue[ScanLine | LineRejected]) -> None:
    async for line in driver.lines():
        into.put_nowait(line)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    fds_before = open_fds()
    scanner = MockScanner(link=tmp_path / "scanner-d12", name="d12")
    status: asyncio.Queue[tuple[str, bool]] = asyncio.Queue()
    driver = SerialScannerDriver(
        "d12-scanner",
        str(tmp_path / "scanner-d12"),
        reopen_min=0.02,
        reopen_max=0.1,
        on_status=lambda device, online: status.put_nowait((device, online)),
    )
    rig = Rig(scanner, driver, status=status)
    reader = asyncio.create_task(pump(driver, rig.received))
    try:
        yield rig
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await driver.aclose()
        scanner.close()
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert open_fds() <= fds_before, f"file descriptors left open: {open_fds() - fds_before}"


async def plugged(rig: Rig) -> None:
    """Plug the scanner in and wait until the driver has it open."""
    rig.scanner.open()
    assert await rig.next_status() == ("d12-scanner", True)
    assert rig.driver.online


async def test_scans_arrive_with_symbology_stripped(rig: Rig) -> None:
    await plugged(rig)
    rig.scanner.scan("00376123450000000018\x1d4103760000000017")
    rig.scanner.scan("5012345678900")
    assert await rig.next_line() == ScanLine("00376123450000000018\x1d4103760000000017", "]C1")
    assert await rig.next_line() == ScanLine("5012345678900", "]C1")


async def test_scans_and_bad_lines_are_counted(tmp_path: Path) -> None:
    master, slave = os.openpty()
    online = asyncio.Event()
    driver = SerialScannerDriver("s1", os.ttyname(slave), on_status=lambda _, is_online: online.set())
    lines = driver.lines()
    try:
        first = asyncio.ensure_future(anext(lines))
        async with asyncio.timeout(DEADLINE):
            await online.wait()
        os.write(master, b"]C15012345678900\r\nBAD\x07LINE\r\n]E04006381333931\r\n")
        async with asyncio.timeout(DEADLINE):
            got = [await first, await anext(lines), await anext(lines)]
        assert got == [
            ScanLine("5012345678900", "]C1"),
            LineRejected("control character 0x07 at byte 3", b"BAD\x07LINE"),
            ScanLine("4006381333931", "]E0"),
        ]
        assert driver.stats == ScannerStats(scans=2, bad_lines=1)
        await driver.aclose()
        with pytest.raises(StopAsyncIteration):
            await anext(lines)
    finally:
        await driver.aclose()
        os.close(master)
        os.close(slave)


async def test_send_reaches_the_scanner_display_and_beeper(rig: Rig) -> None:
    await plugged(rig)
    assert await rig.driver.send(Beep("good")) is True
    assert await rig.driver.send(Display("→ D12  LYON  dep 16:40")) is True
    assert await rig.scanner.wait_for_display("→ D12  LYON  dep 16:40", timeout=DEADLINE)
    assert rig.scanner.beeps == ["good"]
    assert rig.scanner.rejected == []


async def test_send_all_writes_several_commands_in_order(rig: Rig) -> None:
    await plugged(rig)
    assert await rig.driver.send_all([Beep("error"), Display("CHANGE: D7"), Beep("good")]) is True
    assert await rig.driver.send_all([]) is True
    await rig.scanner.wait_until(lambda: len(rig.scanner.commands) == 3, timeout=DEADLINE)
    assert rig.scanner.commands == [Beep("error"), Display("CHANGE: D7"), Beep("good")]
    assert rig.scanner.rejected == []


async def test_many_commands_beyond_what_the_port_holds_at_once_all_arrive(rig: Rig) -> None:
    await plugged(rig)
    texts = [f"line {i:03d} " + "x" * 50 for i in range(300)]  # about 18 KB: more than a pty buffers
    assert await rig.driver.send_all([Display(t) for t in texts]) is True
    await rig.scanner.wait_until(lambda: len(rig.scanner.commands) == len(texts), timeout=DEADLINE)
    assert [c.text for c in rig.scanner.commands if isinstance(c, Display)] == texts


async def test_unplug_goes_offline_and_replug_comes_back(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="xdock.edge.devices.serial_scanner")
    await plugged(rig)
    rig.scanner.close()
    assert await rig.next_status() == ("d12-scanner", False)
    assert not rig.driver.online
    assert await rig.driver.send(Display("→ D12")) is False

    await plugged(rig)
    rig.scanner.scan("AFTER-REPLUG")
    assert await rig.next_line() == ScanLine("AFTER-REPLUG", "]C1")
    assert await rig.driver.send(Display("→ D14")) is True
    await rig.scanner.wait_for_display("→ D14", timeout=DEADLINE)
    assert rig.status.empty()
    lost = [r.getMessage() for r in caplog.records if " lost on " in r.getMessage()]
    assert lost == [
        f"scanner d12-scanner lost on {rig.driver.port}: read failed: device reports readiness to read but "
        "returned no data (device disconnected or multiple access on port?); re-opening"
    ]
    offline = [r.getMessage() for r in caplog.records if "is offline" in r.getMessage()]
    assert offline == ["scanner d12-scanner is offline: Display(text='→ D12') not sent"]


async def test_driver_waits_for_a_scanner_that_is_not_there_yet(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="xdock.edge.devices.serial_scanner")
    retried = LogSeen("still not available")
    logging.getLogger("xdock.edge.devices.serial_scanner").addHandler(retried)
    try:
        async with asyncio.timeout(DEADLINE):
            await retried.seen.wait()
    finally:
        logging.getLogger("xdock.edge.devices.serial_scanner").removeHandler(retried)
    assert not rig.driver.online
    assert await rig.driver.send(Beep("error")) is False
    records = caplog.get_records("setup") + caplog.records
    absent = [r.getMessage() for r in records if r.levelno == logging.WARNING and "absent" in r.getMessage()]
    port = rig.driver.port
    assert absent == [
        f"scanner d12-scanner absent from {port}: [Errno 2] could not open port {port}: "
        f"[Errno 2] No such file or directory: '{port}'; retrying"
    ]
    await plugged(rig)
    rig.scanner.scan("FIRST")
    assert await rig.next_line() == ScanLine("FIRST", "]C1")


async def test_aclose_ends_lines_and_reports_offline(tmp_path: Path) -> None:
    statuses: list[bool] = []
    online = asyncio.Event()

    def on_status(_: str, is_online: bool) -> None:
        statuses.append(is_online)
        online.set()

    async with MockScanner(link=tmp_path / "scan") as scanner:
        driver = SerialScannerDriver("gate", str(scanner.link), on_status=on_status)
        lines = driver.lines()

        async def first_line() -> ScanLine | LineRejected:
            return await anext(lines)

        reading = asyncio.create_task(first_line())
        async with asyncio.timeout(DEADLINE):
            await online.wait()
        await driver.aclose()
        async with asyncio.timeout(DEADLINE):
            with pytest.raises(StopAsyncIteration):
                await reading
        assert statuses == [True, False]
        assert await driver.send(Beep("good")) is False

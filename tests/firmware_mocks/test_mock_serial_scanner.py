"""The pty scanner mock, driven by a plain pyserial client as a host would."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import serial

from xdock.firmware_mocks.scanner_console import run_interactive, serve_scanner
from xdock.firmware_mocks.serial_scanner import MockScanner
from xdock.protocol.scanner_wire import Beep, Clear, CommandRejected, Display

LABEL = "00376123450000000018\x1d4103760000000017"


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
async def no_leaks() -> AsyncIterator[None]:
    before = open_fds()
    yield
    others = asyncio.all_tasks() - {asyncio.current_task()}
    assert not others, f"tasks left behind: {others}"
    assert open_fds() <= before, f"file descriptors left open: {open_fds() - before}"


@pytest.fixture
async def scanner(tmp_path: Path, no_leaks: None) -> AsyncIterator[MockScanner]:
    async with MockScanner(link=tmp_path / "scanner0", name="dock-3") as mock:
        yield mock
    assert not mock.is_open


@pytest.fixture
def clients() -> Iterator[list[serial.Serial]]:
    opened: list[serial.Serial] = []
    yield opened
    for client in opened:
        client.close()


def connect(clients: list[serial.Serial], port: str | Path) -> serial.Serial:
    client = serial.Serial(str(port), 9600, timeout=2)
    clients.append(client)
    return client


async def test_client_on_device_path_receives_exact_scan_bytes(
    scanner: MockScanner, clients: list[serial.Serial]
) -> None:
    assert scanner.device_path.startswith("/dev/pts/")
    client = connect(clients, scanner.device_path)
    scanner.scan(LABEL)
    scanner.scan("5012345678900")
    expected = b"]C1" + LABEL.encode() + b"\r\n]C15012345678900\r\n"
    assert client.read(len(expected)) == expected


async def test_client_on_symlink_receives_scans_without_symbology(
    tmp_path: Path, no_leaks: None, clients: list[serial.Serial]
) -> None:
    async with MockScanner(link=tmp_path / "ttyScan", symbology=None) as mock:
        assert mock.link == tmp_path / "ttyScan"
        assert os.readlink(tmp_path / "ttyScan") == mock.device_path
        client = connect(clients, tmp_path / "ttyScan")
        mock.scan("PALLET-17")
        assert client.read(11) == b"PALLET-17\r\n"


async def test_host_commands_update_display_and_beeps(scanner: MockScanner, clients: list[serial.Serial]) -> None:
    client = connect(clients, scanner.link or "")
    client.write("BEEP GOOD\r\nDISPLAY → D12  LYON  dep 16:40\r\n".encode())
    assert await scanner.wait_for_display("→ D12  LYON  dep 16:40") == "→ D12  LYON  dep 16:40"
    assert scanner.beeps == ["good"]
    client.write(b"BEEP ERROR\nCLEAR\r")
    await scanner.wait_until(lambda: len(scanner.commands) == 4)
    assert scanner.display == ""
    assert scanner.beeps == ["good", "error"]
    assert [await scanner.next_command() for _ in range(4)] == [
        Beep("good"),
        Display("→ D12  LYON  dep 16:40"),
        Beep("error"),
        Clear(),
    ]
    assert scanner.rejected == []


async def test_rejected_commands_are_recorded_and_ignored(scanner: MockScanner, clients: list[serial.Serial]) -> None:
    client = connect(clients, scanner.device_path)
    client.write(b"DISPLAY ok\r\nRESET\r\nBEEP LOUD\r\n")
    await scanner.wait_until(lambda: len(scanner.rejected) == 2)
    assert scanner.rejected == [
        CommandRejected("unknown command 'RESET': expected BEEP, DISPLAY or CLEAR", b"RESET"),
        CommandRejected("BEEP expects GOOD or ERROR, got 'LOUD'", b"BEEP LOUD"),
    ]
    assert scanner.commands == [Display("ok")]
    assert scanner.display == "ok"


async def test_wait_for_display_sees_a_text_that_was_shown_briefly(
    scanner: MockScanner, clients: list[serial.Serial]
) -> None:
    waiting = asyncio.create_task(scanner.wait_for_display(lambda text: text.startswith("STOP")))
    await asyncio.sleep(0)
    connect(clients, scanner.device_path).write(b"DISPLAY STOP wrong trailer\r\nCLEAR\r\n")
    async with asyncio.timeout(5):
        assert await waiting == "STOP wrong trailer"
    assert scanner.display == ""


async def test_waits_time_out_naming_expected_and_actual(scanner: MockScanner, clients: list[serial.Serial]) -> None:
    connect(clients, scanner.device_path).write(b"DISPLAY -> D07\r\n")
    await scanner.wait_for_display("-> D07")
    with pytest.raises(TimeoutError) as err:
        await scanner.wait_for_display("→ D12", timeout=0.05)
    assert str(err.value) == "scanner 'dock-3': expected display '→ D12' within 0.05 s, display shows '-> D07'"
    assert await scanner.next_command() == Display("-> D07")
    with pytest.raises(TimeoutError) as err:
        await scanner.next_command(timeout=0.05)
    assert str(err.value) == ("scanner 'dock-3': expected a command within 0.05 s, received 1 so far (rejected 0)")


async def test_close_unplugs_the_host_port_and_removes_the_symlink(
    scanner: MockScanner, clients: list[serial.Serial]
) -> None:
    link, path = scanner.link, scanner.device_path
    assert link is not None
    client = connect(clients, link)
    scanner.close()
    assert not scanner.is_open
    assert not link.exists()
    assert not link.is_symlink()
    assert Path(path).name not in os.listdir("/dev/pts")
    with pytest.raises(serial.SerialException, match="device reports readiness to read but returned no data"):
        client.read(1)
    with pytest.raises(serial.SerialException, match=r"write failed: \[Errno 5\] Input/output error"):
        client.write(b"CLEAR\r\n")
    with pytest.raises(RuntimeError, match="scanner 'dock-3' is not open: cannot scan 'X'"):
        scanner.scan("X")


async def test_reopen_gives_a_new_pty_and_repoints_the_symlink(
    scanner: MockScanner, clients: list[serial.Serial]
) -> None:
    link, first_path = scanner.link, scanner.device_path
    assert link is not None
    connect(clients, first_path)  # a host still holding the old port keeps its pty number taken
    scanner.close()
    scanner.open()
    assert scanner.device_path != first_path
    assert os.readlink(link) == scanner.device_path
    client = connect(clients, link)
    scanner.scan("AFTER-REPLUG")
    assert client.read(17) == b"]C1AFTER-REPLUG\r\n"


async def test_run_interactive_scans_lines_and_prints_commands(
    scanner: MockScanner, clients: list[serial.Serial]
) -> None:
    client = connect(clients, scanner.device_path)
    client.write("BEEP GOOD\r\nDISPLAY → D12  LYON  dep 16:40\r\nNOPE\r\nCLEAR\r\n".encode())
    out = io.StringIO()
    await run_interactive(scanner, ["00376123450000000018<GS>4103760000000017", "", "A\tB"], out, linger=0.1)
    expected = b"]C1" + LABEL.encode() + b"\r\n"
    assert client.read(len(expected)) == expected
    printed = out.getvalue().splitlines()
    assert [line for line in printed if line.startswith(("SCAN", "NOT SENT"))] == [
        "SCAN 00376123450000000018<GS>4103760000000017",
        "NOT SENT 'A\\tB': Invalid scan data 'A\\tB': control character 0x09",
    ]
    assert [line for line in printed if not line.startswith(("SCAN", "NOT SENT"))] == [
        "BEEP good",
        "DISPLAY → D12  LYON  dep 16:40",
        "REJECTED b'NOPE': unknown command 'NOPE': expected BEEP, DISPLAY or CLEAR",
        "CLEAR",
    ]


async def test_serve_scanner_runs_a_script_and_always_closes(tmp_path: Path, no_leaks: None) -> None:
    out = io.StringIO()
    link = tmp_path / "scanner-cli"
    await serve_scanner(str(link), "]C1", ["00376123450000000018"], 0.0, out, None)
    first, scanned = out.getvalue().splitlines()
    assert first.startswith("scanner ready on /dev/pts/")
    assert first.endswith(f" (link: {link})")
    assert scanned == "SCAN 00376123450000000018"
    assert not link.is_symlink()


async def test_serve_scanner_reads_labels_typed_on_stdin_until_eof(tmp_path: Path, no_leaks: None) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"00376123450000000018<GS>4103760000000017\n\nPALLET 2\n")
    os.close(write_end)
    out = io.StringIO()
    with os.fdopen(read_end, encoding="utf-8") as stdin:
        await serve_scanner(None, None, None, 0.0, out, stdin)
    assert out.getvalue().splitlines()[1:] == [
        "SCAN 00376123450000000018<GS>4103760000000017",
        "SCAN PALLET 2",
    ]
    assert out.getvalue().startswith("scanner ready on /dev/pts/")
    assert out.getvalue().splitlines()[0].endswith(" (link: none)")


async def test_serve_scanner_accepts_stdin_without_a_descriptor(no_leaks: None) -> None:
    out = io.StringIO()
    await serve_scanner(None, "]E0", None, 0.0, out, io.StringIO("5012345678900\n"))
    assert out.getvalue().splitlines()[1:] == ["SCAN 5012345678900"]
